/**
 * skip-unchanged: a batch of 20 unchanged clips (3 s simulated processing
 * each, concurrency 20) run again with `skip-unchanged: true`, against the
 * same batch without it. Wall time, API requests and billable seconds. Then an
 * unchanged refresh of 20 clips whose host sends strong ETags (one conditional
 * GET each, answered 304) against one whose host sends none (every source read
 * in full to hash it): requests to the source host and the body bytes it sent.
 * The Actions cache is the fake cache service (Twirp over Azurite, as in the
 * tests) and the tool cache a temporary RUNNER_TOOL_CACHE, both on loopback;
 * one warm-up run with skip-unchanged fills them first.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ReapiEmulator, fixtureBytes, type SourceOptions } from '../test/emulator/emulator';
import { CacheService } from '../test/helpers/cache-service';
import { ACTION_NODE } from '../test/helpers/action-node';
import { actionEnv, measure, median, ms, ratio, rows } from './lib';
import { formatBytes } from '../src/shared/format';

const root = resolve(import.meta.dirname, '..');
const CLIPS = 20;
const PROCESSING_MS = 3000;
const SECTION = `skip-unchanged, ${CLIPS} unchanged clips × ${PROCESSING_MS / 1000} s`;

function output(stdout: string, name: string): string | undefined {
  return new RegExp(`^::set-output name=${name}::(.*)$`, 'm').exec(stdout)?.[1];
}

interface Sample {
  ms: number;
  requests: number;
  billable?: string;
  sourceRequests: number;
  sourceBytes: number;
}

export async function benchSkipUnchanged(runs: number, action = join(root, 'dist/index.js')): Promise<void> {
  const emulator = await new ReapiEmulator().start();
  const cache = await new CacheService().start();
  const scratch = await mkdtemp(join(tmpdir(), 'reapi-bench-skip-'));
  let jobs = 0;
  try {
    emulator.reset({ apiKey: 'bench', processingPolls: 0, processingMs: PROCESSING_MS });
    // Twenty different sources per batch: the fixture with its last (media data) byte changed.
    const base = fixtureBytes('clip-3.2s-faststart.mp4');
    const batch = (name: string, variant: number, options: Omit<SourceOptions, 'data'> = {}) =>
      Array.from({ length: CLIPS }, (_, i) => {
        const data = Buffer.from(base);
        data[data.length - 1] = (data[data.length - 1]! + variant * CLIPS + i + 1) & 0xff;
        return emulator.addSource(`${name}-${i + 1}.mp4`, { ...options, data });
      });
    const runOnce = async (sources: string[], skip: boolean): Promise<Sample> => {
      const workspace = join(scratch, `job-${++jobs}`);
      await mkdir(workspace, { recursive: true });
      emulator.requests.length = 0;
      const inputs = {
        'api-key': 'bench',
        'api-base-url': emulator.apiUrl,
        'video-url': sources.join('\n'),
        'poll-interval': '0.5',
        concurrency: String(CLIPS),
      };
      const env = actionEnv(
        { ...inputs, 'skip-unchanged': String(skip) },
        { ...cache.env(), RUNNER_TOOL_CACHE: join(scratch, 'toolcache'), RUNNER_TEMP: workspace, GITHUB_WORKSPACE: workspace },
      );
      const run = await measure(ACTION_NODE, [action], env);
      if (run.code !== 0) throw new Error(`the action failed:\n${run.stdout.slice(-2000)}`);
      const fromSources = emulator.cdnRequests().filter((request) => request.path.startsWith('/sources/'));
      return {
        ms: run.ms,
        requests: emulator.apiRequests().length,
        billable: output(run.stdout, 'billable-seconds') ?? '?',
        sourceRequests: fromSources.length,
        sourceBytes: fromSources.reduce((sum, request) => sum + (request.bodyBytes ?? 0), 0),
      };
    };
    const few = Math.min(runs, 3);
    const sample = async (sources: string[], skip: boolean): Promise<Sample> => {
      const samples: Sample[] = [];
      for (let i = 0; i < few; i++) samples.push(await runOnce(sources, skip));
      const mid = (pick: (s: Sample) => number) => median(samples.map(pick));
      return {
        ms: mid((s) => s.ms),
        requests: mid((s) => s.requests),
        billable: samples[0]?.billable,
        sourceRequests: mid((s) => s.sourceRequests),
        sourceBytes: mid((s) => s.sourceBytes),
      };
    };

    // A host without ETags: every refresh reads each source in full to hash it.
    const plainSources = batch('weekly', 0);
    await runOnce(plainSources, true); // warm-up: submits all 20 and records them
    const reused = await sample(plainSources, true);
    const plain = await sample(plainSources, false);
    const text = (r: Sample) => `${ms(r.ms)}; ${r.requests} API requests; ${r.billable} billable s`;
    rows.push({
      section: SECTION,
      measure: `second run (median of ${few}): wall time; API requests; billable-seconds. Baseline: the same batch without skip-unchanged`,
      ours: text(reused),
      baseline: text(plain),
      ratio: `${ratio(reused.ms, plain.ms)} time; ${ratio(reused.requests, plain.requests)} requests`,
    });

    // A host with strong ETags: the refresh revalidates each source with one conditional GET.
    const taggedSources = batch('tagged', 1, { etag: 'strong' });
    await runOnce(taggedSources, true);
    const revalidated = await sample(taggedSources, true);
    const source = (r: Sample) => `${r.sourceRequests} source requests, ${formatBytes(r.sourceBytes)} read; ${r.requests} API requests; ${ms(r.ms)}`;
    rows.push({
      section: SECTION,
      measure: `unchanged refresh (median of ${few}), host with strong ETags: requests to the source host, body bytes it sent; API requests; wall time. Baseline: a host without ETags (each source hashed in full)`,
      ours: source(revalidated),
      baseline: source(reused),
      ratio: `${ratio(revalidated.sourceRequests, reused.sourceRequests)} source requests; ${ratio(revalidated.sourceBytes, reused.sourceBytes)} bytes; ${ratio(revalidated.ms, reused.ms)} time`,
    });
  } finally {
    await Promise.all([emulator.stop(), cache.stop()]);
    await rm(scratch, { recursive: true, force: true });
  }
}
