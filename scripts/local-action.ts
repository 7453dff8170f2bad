/**
 * `npm run local-action [-- path/to/.env]`: runs the action from source
 * (src/main.ts) with @github/local-action, inputs read from .env (see
 * .env.example). Two things local-action does not do, done here: a clear
 * message when .env is missing, and a non-zero exit when the action failed
 * (local-action itself always exits 0).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { REPO_ROOT } from './lib/action-metadata';

const envFile = resolve(process.argv[2] ?? join(REPO_ROOT, '.env'));
if (!existsSync(envFile)) {
  console.error(`${relative(process.cwd(), envFile) || envFile} not found: run 'cp .env.example .env' and read the comments in it (emulator or real API).`);
  process.exit(1);
}
// .env.example points GITHUB_STEP_SUMMARY into tmp/ (git-ignored); local-action creates the file but not the folder.
await mkdir(join(REPO_ROOT, 'tmp'), { recursive: true });

const bin = join(REPO_ROOT, 'node_modules', '@github', 'local-action', 'bin', 'local-action.js');
const child = spawn(process.execPath, [bin, '.', 'src/main.ts', envFile], { cwd: REPO_ROOT, stdio: ['inherit', 'pipe', 'inherit'] });

let failed = false;
let pending = '';
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk: string) => {
  process.stdout.write(chunk);
  const lines = (pending + chunk).split('\n');
  pending = lines.pop() ?? '';
  if (lines.some((line) => line.startsWith('::error::'))) failed = true;
});
child.on('close', (code) => {
  if (pending.startsWith('::error::')) failed = true;
  process.exitCode = code || (failed ? 1 : 0);
});
