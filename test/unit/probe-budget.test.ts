/**
 * The read budget of a result probe on a downloaded file: the same 4 MiB as a
 * result URL, whatever size the file (or a box in it) claims, so verifying a
 * hostile result costs a bounded amount of memory.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RESULT_BUDGET_BYTES, RESULT_HEAD_BYTES, probeResultFile } from '../../src/media/result-check';
import { fixtureBytes, padMediaData } from '../emulator/emulator';
import { moovClaimingTheFile } from '../helpers/crafted-media';

const MIB = 1024 * 1024;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'probe-budget-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function saved(bytes: Buffer): Promise<string> {
  const path = join(dir, 'result.mp4');
  await writeFile(path, bytes);
  return path;
}

describe('probeResultFile', () => {
  it('is the same 4 MiB as a result URL', () => {
    expect(RESULT_BUDGET_BYTES).toBe(4 * MIB);
  });

  it('reads at most 4 MiB of a 16 MiB file whose moov claims all of it, and says the budget ran out', async () => {
    const probe = await probeResultFile(await saved(moovClaimingTheFile(16 * MIB)));
    expect(probe).toEqual({ reason: 'its movie header (moov box) was not found within the 4.0 MiB read budget', bytesFetched: 4 * MIB, requests: 0 });
  });

  it('keeps to a smaller budget when asked', async () => {
    const probe = await probeResultFile(await saved(moovClaimingTheFile(8 * MIB)), { budgetBytes: MIB, headBytes: 64 * 1024 });
    expect(probe).toEqual({ reason: 'its movie header (moov box) was not found within the 1.0 MiB read budget', bytesFetched: MIB, requests: 0 });
  });

  it('reads a file smaller than the budget to its end, and says the moov was cut off rather than blaming the budget', async () => {
    const file = moovClaimingTheFile(3 * MIB);
    const probe = await probeResultFile(await saved(file.subarray(0, 2 * MIB)));
    expect(probe.facts).toBeUndefined();
    expect(probe.reason).toBe('no movie header (moov box) was found in the file');
    expect(probe.bytesFetched).toBe(2 * MIB);
  });

  it('still reads a real moov at the end of a file far larger than the budget, with one small read past the head', async () => {
    const file = padMediaData(fixtureBytes('result-3.2s-2x-128x72-moov-at-end.mp4'), 4 * RESULT_BUDGET_BYTES);
    const probe = await probeResultFile(await saved(file));
    expect(probe.facts).toMatchObject({ container: 'mp4', durationSeconds: 3.2, hasVideo: true, video: { width: 128, height: 72 } });
    expect(probe.bytesFetched).toBe(RESULT_HEAD_BYTES + file.length - (file.lastIndexOf('moov') - 4));
  });
});
