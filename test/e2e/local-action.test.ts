/**
 * `npm run local-action` with the documented .env.example, against the
 * emulator: proves the example's inputs are real and the command works.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readActionMetadata, REPO_ROOT } from '../../scripts/lib/action-metadata';
import { ReapiEmulator } from '../emulator/emulator';

const emulator = new ReapiEmulator();
let dir: string;
let example: string;

beforeAll(async () => {
  await emulator.start();
  dir = await mkdtemp(join(tmpdir(), 'local-action-'));
  example = await readFile(join(REPO_ROOT, '.env.example'), 'utf8');
});
afterAll(async () => {
  await emulator.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => emulator.reset());

/** .env.example with some values replaced (the emulator here listens on ports of its own). */
function envFile(values: Record<string, string>): string {
  let text = example;
  for (const [name, value] of Object.entries(values)) {
    const line = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}=.*$`, 'm');
    expect(text, `.env.example sets ${name}`).toMatch(line);
    text = text.replace(line, `${name}=${value}`);
  }
  return text;
}

/** The runner's own variables would leak into the run; local-action must see only the file's. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_)/.test(name)));
}

async function localAction(envText: string): Promise<{ code: number | null; stdout: string }> {
  const file = join(dir, `env-${Date.now()}`);
  await writeFile(file, envText);
  const child = spawn(process.execPath, [join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/local-action.ts', file], {
    cwd: REPO_ROOT,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.resume();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout };
}

describe('npm run local-action with .env.example', () => {
  it('sets only inputs that action.yml declares', async () => {
    const inputs = Object.keys((await readActionMetadata()).inputs ?? {});
    const named = [...example.matchAll(/^#?\s*INPUT_([A-Z0-9-]+)=/gm)].map((m) => (m[1] as string).toLowerCase());
    expect(named.length).toBeGreaterThan(3);
    expect(named.filter((name) => !inputs.includes(name))).toEqual([]);
  });

  it('runs the action from source against the emulator', async () => {
    emulator.configure({ apiKey: 'local-key' });
    const summary = join(dir, 'summary.md');
    const run = await localAction(
      envFile({
        'INPUT_API-BASE-URL': emulator.apiUrl,
        'INPUT_VIDEO-URL': emulator.sourceUrl('sample.mp4'),
        'INPUT_POLL-INTERVAL': '0.1',
        GITHUB_STEP_SUMMARY: summary,
      }),
    );
    expect(run.stdout).not.toContain('::error::');
    expect(run.code).toBe(0);

    const submits = emulator.apiRequests('submit');
    expect(submits).toHaveLength(1);
    for (const request of emulator.apiRequests()) expect(request.headers.authorization).toBe('Bearer local-key');
    const [task] = [...emulator.tasks.values()];
    expect(run.stdout).toMatch(new RegExp(`'status'\\s*│\\s*'completed'`));
    expect(run.stdout).toContain(`${emulator.cdnUrl}/media/tasks/${task!.id}/0.mp4`);
    expect(await readFile(summary, 'utf8')).toContain(task!.id);
  });

  it('exits 1 when the action fails', async () => {
    const run = await localAction(envFile({ 'INPUT_API-BASE-URL': emulator.apiUrl, 'INPUT_UPSCALE-FACTOR': '3', GITHUB_STEP_SUMMARY: join(dir, 'bad.md') }));
    expect(run.stdout).toContain("::error::Input 'upscale-factor' must be 1, 2 or 4");
    expect(run.code).toBe(1);
    expect(emulator.apiRequests()).toEqual([]);
  });
});
