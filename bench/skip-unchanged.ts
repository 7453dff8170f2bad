/**
 * skip-unchanged: a batch of 20 unchanged clips (3 s simulated processing
 * each, concurrency 20) run again with `skip-unchanged: true`, against the
 * same batch without it. Wall time, API requests and billable seconds. The
 * Actions cache is the fake cache service (Twirp over Azurite, as in the
 * tests) and the tool cache a temporary RUNNER_TOOL_CACHE, both on loopback;
 * one warm-up run with skip-unchanged fills them first.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ReapiEmulator, fixtureBytes } from '../test/emulator/emulator';
import { CacheService } from '../test/helpers/cache-service';
import { ACTION_NODE } from '../test/helpers/action-node';
import { actionEnv, measure, median, ms, ratio, rows } from './lib';

const root = resolve(import.meta.dirname, '..');
const CLIPS = 20;
const PROCESSING_MS = 3000;
const SECTION = `skip-unchanged, ${CLIPS} unchanged clips × ${PROCESSING_MS / 1000} s`;

function output(stdout: string, name: string): string | undefined {
  return new RegExp(`^::set-output name=${name}::(.*)$`, 'm').exec(stdout)?.[1];
}

export async function benchSkipUnchanged(runs: number, action = join(root, 'dist/index.js')): Promise<void> {
  const emulator = await new ReapiEmulator().start();
  const cache = await new CacheService().start();
  const scratch = await mkdtemp(join(tmpdir(), 'reapi-bench-skip-'));
  let jobs = 0;
  try {
    emulator.reset({ apiKey: 'bench', processingPolls: 0, processingMs: PROCESSING_MS });
    // Twenty different sources: the fixture with its last (media data) byte changed.
    const base = fixtureBytes('clip-3.2s-faststart.mp4');
    const sources = Array.from({ length: CLIPS }, (_, i) => {
      const data = Buffer.from(base);
      data[data.length - 1] = (data[data.length - 1]! + i + 1) & 0xff;
      return emulator.addSource(`weekly-${i + 1}.mp4`, { data });
    });
    const inputs = { 'api-key': 'bench', 'api-base-url': emulator.apiUrl, 'video-url': sources.join('\n'), 'poll-interval': '0.5', concurrency: String(CLIPS) };
    const runOnce = async (skip: boolean) => {
      const workspace = join(scratch, `job-${++jobs}`);
      await mkdir(workspace, { recursive: true });
      emulator.requests.length = 0;
      const env = actionEnv(
        { ...inputs, 'skip-unchanged': String(skip) },
        {
          ...cache.env(),
          RUNNER_TOOL_CACHE: join(scratch, 'toolcache'),
          RUNNER_TEMP: workspace,
          GITHUB_WORKSPACE: workspace,
        },
      );
      const run = await measure(ACTION_NODE, [action], env);
      if (run.code !== 0) throw new Error(`the action failed:\n${run.stdout.slice(-2000)}`);
      return { ms: run.ms, requests: emulator.apiRequests().length, billable: output(run.stdout, 'billable-seconds') ?? '?' };
    };
    await runOnce(true); // warm-up: submits all 20 and records them
    const few = Math.min(runs, 3);
    const sample = async (skip: boolean) => {
      const samples = [];
      for (let i = 0; i < few; i++) samples.push(await runOnce(skip));
      return { ms: median(samples.map((s) => s.ms)), requests: median(samples.map((s) => s.requests)), billable: samples[0]?.billable };
    };
    const reused = await sample(true);
    const plain = await sample(false);
    const text = (r: { ms: number; requests: number; billable?: string }) => `${ms(r.ms)}; ${r.requests} API requests; ${r.billable} billable s`;
    rows.push({
      section: SECTION,
      measure: `second run (median of ${few}): wall time; API requests; billable-seconds. Baseline: the same batch without skip-unchanged`,
      ours: text(reused),
      baseline: text(plain),
      ratio: `${ratio(reused.ms, plain.ms)} time; ${ratio(reused.requests, plain.requests)} requests`,
    });
  } finally {
    await Promise.all([emulator.stop(), cache.stop()]);
    await rm(scratch, { recursive: true, force: true });
  }
}
