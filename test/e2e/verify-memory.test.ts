/**
 * Verifying a downloaded result through dist/index.js: a hostile result whose
 * `moov` box claims the whole file is read within the same 4 MiB budget as a
 * result URL, so the action's memory stays flat whatever size the file claims.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReapiEmulator } from '../emulator/emulator';
import { moovClaimingTheFile } from '../helpers/crafted-media';
import { runAction, type ActionRun } from '../helpers/run-action';

const emulator = new ReapiEmulator();
beforeAll(() => emulator.start().then(() => undefined));
afterAll(() => emulator.stop());

let dir: string;
beforeEach(async () => {
  emulator.reset({ processingPolls: 0 });
  dir = await mkdtemp(join(tmpdir(), 'verify-memory-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Peak resident set size of the action's own process (VmHWM), printed at exit; see test/e2e/download.test.ts. */
const REPORT_PEAK = `--import=data:text/javascript,import{readFileSync}from'node:fs';process.on('exit',()=>process.stderr.write('peak-rss-kb='+((readFileSync('/proc/self/status','utf8').match(/VmHWM:\\s*(\\d+)/)||[])[1]||process.resourceUsage().maxRSS)))`;
const peakKb = (stderr: string) => Number(/peak-rss-kb=(\d+)/.exec(stderr)?.[1]);
const MIB = 1024 * 1024;

/** Runs the action with download and verify on, its one result being `bytes`. */
async function runWithResult(name: string, bytes: Buffer): Promise<ActionRun> {
  emulator.reset({ processingPolls: 0 });
  const result = emulator.addSource(name, { data: bytes });
  emulator.plan('clip.mp4', { resultUrls: [result] });
  return runAction(
    {
      'api-key': 'test-key',
      'api-base-url': emulator.apiUrl,
      'video-url': emulator.addFixture('clip.mp4', 'clip-3.2s-faststart.mp4'),
      'poll-interval': '0.05',
      timeout: '60s',
      download: 'true',
      'download-path': join(dir, name),
      verify: 'warn',
    },
    { env: { NODE_OPTIONS: REPORT_PEAK }, killAfterMs: 120_000 },
  );
}

describe('verify on a downloaded result', () => {
  it('reads at most 4 MiB of a file whose moov claims all of it: peak RSS stays flat from 8 to 128 MiB', { timeout: 180_000 }, async () => {
    const peakFor = async (size: number) => {
      const run = await runWithResult(`moov-${size}.mp4`, moovClaimingTheFile(size));
      expect(run.errors).toEqual([]);
      expect(run.code).toBe(0);
      const taskId = run.outputs['task-id']!;
      // Not checked, in the same words as for a result URL whose moov is past the budget.
      expect(run.stdout).toContain(
        `clip.mp4: the result of task ${taskId} was not checked (its movie header (moov box) was not found within the 4.0 MiB read budget).`,
      );
      await rm(join(dir, `moov-${size}.mp4`), { recursive: true, force: true });
      return peakKb(run.stderr);
    };
    const small = await peakFor(8 * MIB);
    const large = await peakFor(128 * MIB);
    const mib = (kb: number) => Math.round(kb / 1024);
    console.log(`peak RSS while verifying a moov that claims the file: ${mib(small)} MiB at 8 MiB, ${mib(large)} MiB at 128 MiB`);
    expect(small).toBeGreaterThan(0);
    // Reading what the moov claims adds several copies of it (about 400 MiB here); a 4 MiB budget adds nothing that grows,
    // and streaming the larger download adds a few MiB at most (see the memory test in download.test.ts).
    expect(large - small).toBeLessThan(48 * 1024);
  });
});
