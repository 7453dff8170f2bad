/**
 * Global setup of the e2e project: makes sure dist/ is what `npm run build` makes of src/ now, so an end-to-end test
 * never runs a stale bundle, then says once which Node runs it.
 *
 * The check is by content: a hash of the build's inputs (src/, package.json, package-lock.json, tsconfig.json) and of
 * dist/ is kept in the temp directory after a build has been compared with dist/. When either hash changed, ncc
 * builds src/ into a scratch directory (about 25 s); a different bundle replaces dist/, with one line saying so
 * (commit it: CI checks that dist/ matches src/).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ACTION_NODE, actionNodeNotice, actionNodeVersion } from './action-node';

export const ROOT = resolve(import.meta.dirname, '../..');
export const DIST = join(ROOT, 'dist');
export const BUILD_INPUTS = ['src', 'package.json', 'package-lock.json', 'tsconfig.json'];
const NCC = join(ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

/** One hash of the files under `paths` (each file's path relative to `base`, and its bytes). */
export function hashFiles(base: string, paths: string[]): string {
  const files: string[] = [];
  for (const path of paths) {
    const full = join(base, path);
    if (!existsSync(full)) continue;
    if (statSync(full).isFile()) files.push(full);
    else {
      for (const entry of readdirSync(full, { withFileTypes: true, recursive: true })) {
        if (entry.isFile()) files.push(join(entry.parentPath, entry.name));
      }
    }
  }
  const hash = createHash('sha256');
  for (const file of files.sort())
    hash
      .update(`${relative(base, file)}\0`)
      .update(contentOf(file))
      .update('\0');
  return hash.digest('hex');
}

/** What of a file the build reads: package.json without its scripts (a new test script does not change the bundle). */
function contentOf(file: string): Buffer | string {
  const bytes = readFileSync(file);
  if (file !== join(ROOT, 'package.json')) return bytes;
  const manifest = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  delete manifest.scripts;
  return JSON.stringify(manifest);
}

interface Stamp {
  src: string;
  dist: string;
}

export const STAMP = join(tmpdir(), `reapi-action-dist-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.json`);

function readStamp(): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

/** Builds src/ with ncc as `npm run build` does, into a scratch directory; returns it. */
function freshBuild(): string {
  const out = mkdtempSync(join(tmpdir(), 'reapi-action-build-'));
  try {
    execFileSync(process.execPath, [NCC, 'build', 'src/index.ts', '-o', out, '--license', 'licenses.txt'], { cwd: ROOT, stdio: 'pipe' });
  } catch (error) {
    rmSync(out, { recursive: true, force: true });
    const output = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`The e2e tests need dist/ built from src/, and the build failed:\n${output ?? String(error)}`, { cause: error });
  }
  return out;
}

/** Rebuilds dist/ when it may be stale against src/; says so in one line when it was. */
export function ensureFreshDist(): void {
  const src = hashFiles(ROOT, BUILD_INPUTS);
  const dist = hashFiles(DIST, ['.']);
  const stamp = readStamp();
  if (stamp?.src === src && stamp.dist === dist) return;
  const started = Date.now();
  const out = freshBuild();
  try {
    const built = hashFiles(out, ['.']);
    if (built !== dist) {
      rmSync(DIST, { recursive: true, force: true });
      cpSync(out, DIST, { recursive: true });
      console.log(`dist/ was stale against src/: rebuilt it (${Math.round((Date.now() - started) / 1000)} s). Commit it with the change to src/.`);
    }
    writeFileSync(STAMP, JSON.stringify({ src, dist: built } satisfies Stamp));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export default function setup(): void {
  ensureFreshDist();
  console.log(actionNodeNotice ?? `The end-to-end tests run dist/index.js on Node ${actionNodeVersion()} (${ACTION_NODE}).`);
}
