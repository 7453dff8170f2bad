/**
 * Batch: 20 clips of 3 s simulated processing each in one action step, with
 * `concurrency` 1, 4 and 20: wall time and the action's peak RSS. Baselines:
 * concurrency 1 for the others, and for concurrency 1 the sequential sum,
 * 20 × one single-clip run (as 20 separate steps would take).
 *
 * Batch mode (several `video-url` lines, `concurrency`, the `results` output)
 * may not be in dist/ yet: a build that rejects the list gets a "skipped" row.
 */
import { join, resolve } from 'node:path';
import { ReapiEmulator } from '../test/emulator/emulator';
import { actionEnv, measure, median, ms, ratio, rows, rssMb, type Measured } from './lib';
import { ACTION_NODE } from '../test/helpers/action-node';

const root = resolve(import.meta.dirname, '..');
const CLIPS = 20;
const PROCESSING_MS = 3000;
const INTERVAL = '0.5';
const SECTION = `Batch, ${CLIPS} clips × ${PROCESSING_MS / 1000} s`;

/** The statuses in the `results` output (`::set-output` on stdout when there is no GITHUB_OUTPUT file), or undefined without one. */
function resultStatuses(stdout: string): string[] | undefined {
  const line = /^::set-output name=results::(.*)$/m.exec(stdout)?.[1];
  if (line === undefined) return undefined;
  const json = line.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  return (JSON.parse(json) as Array<{ status: string }>).map((result) => result.status);
}

export async function benchBatch(runs: number, action = join(root, 'dist/index.js')): Promise<void> {
  const emulator = await new ReapiEmulator().start();
  const runOnce = async (clips: number, concurrency: number): Promise<Measured & { peakRunning: number }> => {
    emulator.reset({ apiKey: 'bench', processingPolls: 0, processingMs: PROCESSING_MS });
    const sources = Array.from({ length: clips }, (_, i) => emulator.sourceUrl(`clip-${i + 1}.mp4`));
    const inputs = { 'api-key': 'bench', 'api-base-url': emulator.apiUrl, 'video-url': sources.join('\n'), 'poll-interval': INTERVAL };
    const run = await measure(ACTION_NODE, [action], actionEnv(clips > 1 ? { ...inputs, concurrency: String(concurrency) } : inputs));
    return { ...run, peakRunning: emulator.peakRunning };
  };
  try {
    // Doubles as the warm-up: does this build take a list of sources?
    const probe = await runOnce(CLIPS, CLIPS);
    const statuses = resultStatuses(probe.stdout);
    if (probe.code !== 0 || statuses?.length !== CLIPS || statuses.some((status) => status !== 'completed')) {
      const error = /^::error::(.*)$/m.exec(probe.stdout)?.[1] ?? `exit ${probe.code}, results output: ${statuses ? statuses.join(',') : 'none'}`;
      console.error(`Batch benchmark skipped: this build does not run a list of ${CLIPS} sources (${error.slice(0, 200)}).`);
      const reason = `skipped: this dist/index.js does not take several \`video-url\` lines yet (exit ${probe.code})`;
      rows.push({ section: SECTION, measure: reason, ours: '—', baseline: '—', ratio: '—' });
      return;
    }

    const repeat = async (times: number, clips: number, concurrency: number) => {
      const samples: Array<Measured & { peakRunning: number }> = [];
      for (let i = 0; i < times; i++) {
        const run = await runOnce(clips, concurrency);
        if (run.code !== 0) throw new Error(`the action failed:\n${run.stdout}`);
        samples.push(run);
      }
      return { ms: median(samples.map((s) => s.ms)), kib: median(samples.map((s) => s.kib)), peakRunning: Math.max(...samples.map((s) => s.peakRunning)) };
    };
    const few = Math.min(runs, 3);
    const single = await repeat(few, 1, 1);
    const sequential = await repeat(1, CLIPS, 1); // a minute per run: one run
    const text = (r: { ms: number; kib: number }): string => `${ms(r.ms)}; ${rssMb(r.kib)}`;
    rows.push({
      section: SECTION,
      measure: `concurrency 1 (1 run): wall time; peak RSS. Baseline: ${CLIPS} × one single-clip run (median of ${few}: ${text(single)})`,
      ours: text(sequential),
      baseline: `${ms(CLIPS * single.ms)} (${CLIPS} separate runs)`,
      ratio: ratio(sequential.ms, CLIPS * single.ms),
    });
    for (const concurrency of [4, CLIPS]) {
      const result = await repeat(few, CLIPS, concurrency);
      const ideal = Math.ceil(CLIPS / concurrency) / CLIPS;
      rows.push({
        section: SECTION,
        measure: `concurrency ${concurrency} (median of ${few}): wall time; peak RSS; at most ${result.peakRunning} tasks running at once`,
        ours: text(result),
        baseline: `${text(sequential)} (concurrency 1)`,
        ratio: `${ratio(result.ms, sequential.ms)} time (ideal ${ideal.toFixed(2)}×); ${ratio(result.kib, sequential.kib)} RSS`,
      });
    }
  } finally {
    await emulator.stop();
  }
}
