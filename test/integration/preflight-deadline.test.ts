/** src/source/preflight.ts under the step's deadline, against the emulator's CDN over loopback: hanging and dripping hosts. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError, PreflightDeadlineError } from '../../src/shared/errors';
import { createPool } from '../../src/shared/pool';
import { probeSource, probeSources } from '../../src/source/preflight';
import { ReapiEmulator, fixtureBytes } from '../emulator/emulator';

/** A step deadline at `at` (epoch ms). */
const until = (at: number) => ({ at, timeoutMs: Math.max(0, at - Date.now()) });

const emulator = new ReapiEmulator();
beforeAll(() => emulator.start().then(() => undefined));
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('a probe under a deadline', () => {
  it('gives a host that never answers only the time left, then stops with PreflightDeadlineError', async () => {
    const url = emulator.addSource('hang.mp4', { size: 4096, hang: true });
    const started = Date.now();
    const error = await rejection(probeSource(url, { deadline: until(started + 500) }));
    expect(error).toBeInstanceOf(PreflightDeadlineError);
    expect((error as PreflightDeadlineError).url).toBe(url);
    expect(Date.now() - started).toBeLessThan(5000); // not the 15 s request limit
    expect(emulator.sourceRequests('hang.mp4').map((r) => r.method)).toEqual(['HEAD']);
  });

  it('cuts a body that drips past the deadline', async () => {
    const url = emulator.addSource('drip.mp4', { data: fixtureBytes('clip-3.2s-faststart.mp4'), drip: { bytes: 1, everyMs: 100 } });
    const started = Date.now();
    await expect(probeSource(url, { deadline: until(started + 800) })).rejects.toBeInstanceOf(PreflightDeadlineError);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reads a dripping host to the end when there is time (the knob serves real bytes)', async () => {
    const clip = fixtureBytes('clip-3.2s-faststart.mp4');
    const url = emulator.addSource('slowclip.mp4', { data: clip, drip: { bytes: 512, everyMs: 5 } });
    expect(await probeSource(url, { deadline: until(Date.now() + 20_000) })).toMatchObject({ billableSeconds: 4, warnings: [] });
  });

  it('sends nothing once the deadline has passed', async () => {
    const url = emulator.addFixture('clip-5s.mkv');
    await expect(probeSource(url, { deadline: until(Date.now() - 1) })).rejects.toBeInstanceOf(PreflightDeadlineError);
    expect(emulator.cdnRequests()).toHaveLength(0);
  });

  it('keeps its own 15 s-style limit as a warning when the deadline is far', async () => {
    const url = emulator.addFixture('clip-2.4s-moov-at-end.mov', undefined, { headHang: true });
    const probe = await probeSource(url, { requestTimeoutMs: 300, deadline: until(Date.now() + 60_000) });
    expect(probe.billableSeconds).toBe(3);
    expect(probe.warnings).toEqual([`HEAD ${url} timed out; ${url} was checked with a ranged GET instead.`]);
  });

  it('cancels as a plain cancellation: preflight requests bill nothing', async () => {
    const url = emulator.addSource('hang.mp4', { size: 4096, hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(probeSource(url, { signal: controller.signal, deadline: until(Date.now() + 60_000) }));
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).requestInFlight).toBe(false);
  });
});

describe('probeSources under a deadline', () => {
  it('marks the source being asked as unanswered and starts no other', async () => {
    const urls = ['a.mp4', 'b.mp4', 'c.mp4'].map((name) => emulator.addSource(name, { size: 4096, hang: true }));
    const checks = await probeSources(urls, { pool: createPool(1), deadline: until(Date.now() + 400) });
    expect(checks.map((check) => check.deadline)).toEqual(['unanswered', 'not-checked', 'not-checked']);
    expect(emulator.cdnRequests().map((r) => r.path)).toEqual(['/sources/a.mp4']);
  });

  it('keeps the results of the sources that answered', async () => {
    const urls = [emulator.addFixture('clip-5s.mkv'), emulator.addSource('hang.mp4', { size: 4096, hang: true })];
    const checks = await probeSources(urls, { pool: createPool(2), deadline: until(Date.now() + 1000) });
    expect(checks[0]).toMatchObject({ probe: { billableSeconds: 5 } });
    expect(checks[0]?.deadline).toBeUndefined();
    expect(checks[1]?.deadline).toBe('unanswered');
  });
});
