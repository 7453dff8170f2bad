/**
 * Re-runs: how long after a submission its record is durable in the Actions
 * cache (finalised by the fake cache service: Twirp over Azurite, as in the
 * tests, on loopback), for one clip and for the last of a batch of 10, and
 * what recording costs a `wait: false` step, which ends right after the
 * submission: against the same step with `resume-reruns: false`.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ReapiEmulator, fixtureBytes } from '../test/emulator/emulator';
import { CacheService } from '../test/helpers/cache-service';
import { ACTION_NODE } from '../test/helpers/action-node';
import { actionEnv, measure, median, ms, ratio, rows } from './lib';

const root = resolve(import.meta.dirname, '..');
const BATCH = 10;
const SECTION = 're-runs, records in the Actions cache';

interface Sample {
  /** The step's wall time. */
  ms: number;
  /** From each submission reaching reApi to its record finalised, ms; the first clip's and the last one's. */
  firstWindow?: number;
  lastWindow?: number;
}

export async function benchReruns(runs: number, action = join(root, 'dist/index.js')): Promise<void> {
  const emulator = await new ReapiEmulator().start();
  const cache = await new CacheService().start();
  const scratch = await mkdtemp(join(tmpdir(), 'reapi-bench-reruns-'));
  let jobs = 0;
  try {
    emulator.reset({ apiKey: 'bench', processingPolls: 100 });
    const base = fixtureBytes('clip-3.2s-faststart.mp4');
    const sources = Array.from({ length: BATCH }, (_, i) => emulator.addSource(`rerun-${i + 1}.mp4`, { data: base }));
    const runOnce = async (clips: string[], record: boolean): Promise<Sample> => {
      const workspace = join(scratch, `job-${++jobs}`);
      await mkdir(workspace, { recursive: true });
      emulator.requests.length = 0;
      cache.clear();
      const inputs = {
        'api-key': 'bench',
        'api-base-url': emulator.apiUrl,
        'video-url': clips.join('\n'),
        wait: 'false',
        concurrency: String(BATCH),
        'resume-reruns': String(record),
      };
      const runner = { GITHUB_RUN_ID: String(9000 + jobs), GITHUB_RUN_ATTEMPT: '1', GITHUB_JOB: 'bench', GITHUB_ACTION: 'topaz' };
      const env = actionEnv(inputs, { ...cache.env(), ...runner, RUNNER_TEMP: workspace, GITHUB_WORKSPACE: workspace });
      const run = await measure(ACTION_NODE, [action], env);
      if (run.code !== 0) throw new Error(`the action failed:\n${run.stdout.slice(-2000)}`);
      const submitted = emulator.apiRequests('submit').map((request) => request.at);
      const durable = cache.entries.map((entry) => entry.finalizedAt).filter((at): at is number => at !== undefined);
      if (record && durable.length !== clips.length) throw new Error(`${durable.length} of ${clips.length} records were saved`);
      const first = Math.min(...submitted);
      return {
        ms: run.ms,
        firstWindow: record ? Math.min(...durable) - first : undefined,
        lastWindow: record ? Math.max(...durable) - Math.max(...submitted) : undefined,
      };
    };
    const sample = async (clips: string[], record: boolean): Promise<Sample> => {
      const samples: Sample[] = [];
      for (let i = 0; i < runs; i++) samples.push(await runOnce(clips, record));
      const mid = (pick: (s: Sample) => number | undefined) => median(samples.map((s) => pick(s) ?? NaN));
      return { ms: mid((s) => s.ms), firstWindow: record ? mid((s) => s.firstWindow) : undefined, lastWindow: record ? mid((s) => s.lastWindow) : undefined };
    };

    const one = await sample(sources.slice(0, 1), true);
    const oneOff = await sample(sources.slice(0, 1), false);
    const batch = await sample(sources, true);
    const batchOff = await sample(sources, false);
    rows.push({
      section: SECTION,
      measure: `submission → record durable (finalised), median of ${runs}: 1 clip; the last of ${BATCH} submitted together. Baseline: the whole wait: false step with resume-reruns: false`,
      ours: `${ms(one.firstWindow ?? NaN)}; ${ms(batch.lastWindow ?? NaN)}`,
      baseline: `${ms(oneOff.ms)}; ${ms(batchOff.ms)}`,
      ratio: `${ratio(one.firstWindow ?? NaN, oneOff.ms)}; ${ratio(batch.lastWindow ?? NaN, batchOff.ms)}`,
    });
    rows.push({
      section: SECTION,
      measure: `wait: false step wall time, 1 clip; ${BATCH} clips (records saved before it ends). Baseline: resume-reruns: false`,
      ours: `${ms(one.ms)}; ${ms(batch.ms)}`,
      baseline: `${ms(oneOff.ms)}; ${ms(batchOff.ms)}`,
      ratio: `${ratio(one.ms, oneOff.ms)}; ${ratio(batch.ms, batchOff.ms)}`,
    });
  } finally {
    await Promise.all([emulator.stop(), cache.stop()]);
    await rm(scratch, { recursive: true, force: true });
  }
}
