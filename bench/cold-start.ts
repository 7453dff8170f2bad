/**
 * Cold start: `node dist/index.js` up to its first request (and up to a
 * validation error) against two floors, `node -e 0` and a bundle of
 * @actions/core alone, interleaved so machine noise hits all alike.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ReapiEmulator } from '../test/emulator/emulator';
import { actionEnv, median, mib, ms, ratio, rows, timeCommand } from './lib';
import { ACTION_NODE } from '../test/helpers/action-node';

const root = resolve(import.meta.dirname, '..');
const action = join(root, 'dist/index.js');

function buildCoreOnlyFloor(): string {
  const out = join(root, 'bench/.build/core-only');
  execFileSync(process.execPath, [join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'), 'build', join(root, 'bench/floor/core-only.ts'), '-o', out, '-q'], {
    stdio: 'ignore',
  });
  return join(out, 'index.js');
}

/**
 * Time from spawning the action to the emulator receiving its first request
 * (on any host: with preflight on, that is the HEAD of the source), and to its
 * first API request (the submission, after preflight).
 */
async function timeToFirstRequest(emulator: ReapiEmulator): Promise<{ any: number; api: number }> {
  emulator.reset({ apiKey: 'bench', processingPolls: 0 });
  const env = actionEnv({ 'api-key': 'bench', 'api-base-url': emulator.apiUrl, 'video-url': emulator.sourceUrl(), 'poll-interval': '0.05' });
  const started = Date.now();
  await new Promise((done) => spawn(ACTION_NODE, [action], { env, stdio: 'ignore' }).on('close', done));
  const first = emulator.requests[0];
  const api = emulator.apiRequests()[0];
  if (!first || !api) throw new Error('the action sent no API request');
  return { any: first.at - started, api: api.at - started };
}

export async function benchColdStart(runs: number): Promise<void> {
  const floor = buildCoreOnlyFloor();
  const emulator = await new ReapiEmulator().start();
  const invalid = actionEnv({ 'api-key': 'bench', 'video-url': 'https://cdn.example.com/a.mp4', 'upscale-factor': '3' });
  const samples = { node: [] as number[], core: [] as number[], invalid: [] as number[], first: [] as number[], api: [] as number[] };
  // One warm-up round fills the OS file cache for every bundle.
  for (let i = 0; i <= runs; i++) {
    const node = await timeCommand(ACTION_NODE, ['-e', '0']);
    const core = await timeCommand(ACTION_NODE, [floor]);
    const bad = await timeCommand(ACTION_NODE, [action], invalid);
    const first = await timeToFirstRequest(emulator);
    if (i === 0) continue;
    samples.node.push(node.ms);
    samples.core.push(core.ms);
    samples.invalid.push(bad.ms);
    samples.first.push(first.any);
    samples.api.push(first.api);
  }
  await emulator.stop();

  const nodeMs = median(samples.node);
  const coreMs = median(samples.core);
  rows.push({ section: 'Cold start', measure: '`node -e 0` (floor)', ours: ms(nodeMs), baseline: '—', ratio: '—' });
  rows.push({ section: 'Cold start', measure: 'bundle of `@actions/core` only (floor)', ours: ms(coreMs), baseline: ms(nodeMs), ratio: ratio(coreMs, nodeMs) });
  rows.push({
    section: 'Cold start',
    measure: 'action → validation error (exit)',
    ours: ms(median(samples.invalid)),
    baseline: `${ms(coreMs)} (core only)`,
    ratio: ratio(median(samples.invalid), coreMs),
  });
  rows.push({
    section: 'Cold start',
    measure: 'action → first request (the preflight HEAD of the source)',
    ours: ms(median(samples.first)),
    baseline: `${ms(coreMs)} (core only)`,
    ratio: ratio(median(samples.first), coreMs),
  });
  rows.push({
    section: 'Cold start',
    measure: 'action → first API request (submission, after preflight reads the duration)',
    ours: ms(median(samples.api)),
    baseline: `${ms(coreMs)} (core only)`,
    ratio: ratio(median(samples.api), coreMs),
  });
  const chunks = readdirSync(join(root, 'dist')).filter((name) => name.endsWith('.js'));
  const main = statSync(join(root, 'dist/index.js')).size;
  const lazy = chunks.filter((name) => name !== 'index.js').reduce((sum, name) => sum + statSync(join(root, 'dist', name)).size, 0);
  rows.push({
    section: 'Bundle',
    measure: `dist/index.js (loaded at start); ${chunks.length - 1} lazy chunk(s)`,
    ours: mib(main),
    baseline: `${mib(statSync(floor).size)} (core only)`,
    ratio: `${ratio(main, statSync(floor).size)}; lazy chunks ${mib(lazy)}`,
  });
}
