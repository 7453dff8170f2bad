/**
 * src/media/result-check.ts against the emulator over loopback: tasks submitted and
 * completed through its API, results probed on its CDN with real range
 * requests, on the committed ffmpeg results.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/shared/errors';
import type { UpscaleFactor } from '../../src/inputs/values';
import { probeSource } from '../../src/source/preflight';
import { RESULT_HEAD_BYTES, describeUpscale, probeResultFile, probeResultUrl, verifyResult, type ResultFacts } from '../../src/media/result-check';
import { ReapiEmulator, fixtureBytes, padMediaData, type TaskPlan } from '../emulator/emulator';

const emulator = new ReapiEmulator();
beforeAll(() => emulator.start().then(() => undefined));
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset({ processingPolls: 0 }));
afterEach(() => {
  // Result requests go to the API's CDN without any credential.
  for (const request of emulator.cdnRequests()) {
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers.cookie).toBeUndefined();
    expect(JSON.stringify(request.headers)).not.toContain(emulator.config.apiKey);
  }
});

/** Submits `fixture` at `factor` through the emulator's API, polls it to completion, and returns its task id and first result URL. */
async function completedResult(fixture: string, factor: UpscaleFactor, plan?: TaskPlan): Promise<{ taskId: string; url: string; sourceUrl: string }> {
  const sourceUrl = emulator.addFixture(fixture);
  if (plan) emulator.plan(fixture, plan);
  const headers = { authorization: `Bearer ${emulator.config.apiKey}`, 'content-type': 'application/json' };
  const submitted = await request(`${emulator.apiUrl}/api/v1/videos/generations`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'topaz-video-upscaler', video_url: sourceUrl, upscale_factor: factor }),
  });
  const { id } = (await submitted.body.json()) as { id: string };
  const polled = await request(`${emulator.apiUrl}/api/v1/tasks/${id}`, { headers });
  const task = (await polled.body.json()) as { status: string; output: { video_urls: string[] } };
  expect(task.status).toBe('completed');
  emulator.requests.length = 0; // count only the probe's requests from here
  return { taskId: id, url: task.output.video_urls[0]!, sourceUrl };
}

function resultRanges(): Array<string | undefined> {
  return emulator.cdnRequests().map((r) => (r.path.startsWith('/media/') ? (r.headers.range as string | undefined) : `other: ${r.path}`));
}

const H264 = (width: number, height: number, durationSeconds: number): ResultFacts => ({
  container: 'mp4',
  durationSeconds,
  hasVideo: true,
  video: { width, height, frameRate: 5, codec: 'avc1' },
});

describe('right results, read with one range request', () => {
  it.each<[string, UpscaleFactor, ResultFacts, string]>([
    ['clip-3.2s-faststart.mp4', '2', H264(128, 72, 3.2), '64×36 → 128×72 (2.0×) · 3.2 s → 3.2 s · H.264'],
    ['clip-3.2s-faststart.mp4', '4', H264(256, 144, 3.2), '64×36 → 256×144 (4.0×) · 3.2 s → 3.2 s · H.264'],
    ['clip-3.2s-faststart.mp4', '1', H264(64, 36, 3.2), '64×36 → 64×36 (1.0×) · 3.2 s → 3.2 s · H.264'],
    ['clip-2.4s-moov-at-end.mov', '2', H264(128, 72, 2.4), '64×36 → 128×72 (2.0×) · 2.4 s → 2.4 s · H.264'],
    ['clip-2.4s-moov-at-end.mov', '4', H264(256, 144, 2.4), '64×36 → 256×144 (4.0×) · 2.4 s → 2.4 s · H.264'],
    ['clip-5s.mkv', '2', H264(128, 72, 5), '64×36 → 128×72 (2.0×) · 5.0 s → 5.0 s · H.264'],
    ['clip-5s.mkv', '4', H264(256, 144, 5), '64×36 → 256×144 (4.0×) · 5.0 s → 5.0 s · H.264'],
  ])('%s at %s×', async (fixture, factor, facts, line) => {
    emulator.configure({ processingPolls: 0, realResults: true });
    const { taskId, url, sourceUrl } = await completedResult(fixture, factor);
    const probe = await probeResultUrl(url);
    // The whole small result fits in the first read.
    expect(probe).toEqual({ facts, bytesFetched: emulator.taskResultBytes(taskId).length, requests: 1 });
    expect(resultRanges()).toEqual([`bytes=0-${RESULT_HEAD_BYTES - 1}`]);

    // The source side as preflight reads it.
    const source = await probeSource(sourceUrl);
    expect(source.video).toEqual({ width: 64, height: 36, frameRate: 5, codec: fixture.endsWith('.mkv') ? 'V_MPEG4/ISO/AVC' : 'avc1' });
    expect(verifyResult(source, probe.facts!, factor)).toEqual([]);
    expect(describeUpscale(source, probe.facts)).toBe(line);
  });
});

describe('faulty results (clip-3.2s-faststart.mp4 at 2×)', () => {
  const source = { durationSeconds: 3.2, video: { width: 64, height: 36, frameRate: 5, codec: 'avc1' } };

  it.each<[TaskPlan['result'], string[], string]>([
    ['too-short', ["expected a duration of 3.2 s (the source's, within one frame, 0.2 s), found 1.6 s."], '64×36 → 128×72 (2.0×) · 3.2 s → 1.6 s · H.264'],
    ['wrong-size', ["expected a video larger than the source's 64×36 (2× is 128×72), found 64×36."], '64×36 → 64×36 (1.0×) · 3.2 s → 3.2 s · H.264'],
    ['no-video', ['expected an MP4 with a video track, found an MP4 without a video track.'], '64×36 → ? · 3.2 s → 3.2 s'],
    ['hevc', [], '64×36 → 128×72 (2.0×) · 3.2 s → 3.2 s · H.265/HEVC'],
    ['moov-at-end', [], '64×36 → 128×72 (2.0×) · 3.2 s → 3.2 s · H.264'],
  ])('%s', async (result, problems, line) => {
    const { url } = await completedResult('clip-3.2s-faststart.mp4', '2', { result });
    const probe = await probeResultUrl(url);
    expect(probe.reason).toBeUndefined();
    expect(probe.requests).toBe(1);
    expect(verifyResult(source, probe.facts!, '2')).toEqual(problems);
    expect(describeUpscale(source, probe.facts)).toBe(line);
  });
});

describe('large results and the byte budget', () => {
  const big = 8 * 1024 * 1024;

  it('reads a moov at the end of an 8 MiB result with one more small range read', async () => {
    const { taskId, url } = await completedResult('clip-3.2s-faststart.mp4', '2', { result: 'moov-at-end', resultPaddingBytes: big });
    const served = emulator.taskResultBytes(taskId);
    expect(served.length).toBeGreaterThan(big);
    const probe = await probeResultUrl(url);
    expect(probe.facts).toEqual(H264(128, 72, 3.2));
    const moovAt = served.lastIndexOf('moov') - 4;
    expect(resultRanges()).toEqual([`bytes=0-${RESULT_HEAD_BYTES - 1}`, `bytes=${moovAt}-${served.length - 1}`]);
    expect(probe.requests).toBe(2);
    expect(probe.bytesFetched).toBe(RESULT_HEAD_BYTES + served.length - moovAt);
  });

  it('gives a reason, not facts, when the moov is beyond the budget', async () => {
    const { url } = await completedResult('clip-3.2s-faststart.mp4', '2', { result: 'moov-at-end', resultPaddingBytes: big });
    const probe = await probeResultUrl(url, { budgetBytes: 64 * 1024 });
    expect(probe).toEqual({ reason: 'its movie header (moov box) was not found within the 64.0 KiB read budget', bytesFetched: 64 * 1024, requests: 1 });
    expect(resultRanges()).toEqual([`bytes=0-${64 * 1024 - 1}`]);
  });

  it('splits the budget between the head and the reads after it', async () => {
    const { url } = await completedResult('clip-3.2s-faststart.mp4', '2', { result: 'moov-at-end', resultPaddingBytes: big });
    const probe = await probeResultUrl(url, { budgetBytes: 64 * 1024, headBytes: 1024 });
    // The moov (a few hundred bytes at the end) fits in what is left after a 1 KiB head.
    expect(probe.facts).toEqual(H264(128, 72, 3.2));
    expect(probe.bytesFetched).toBeLessThanOrEqual(64 * 1024);
  });

  it('gives a reason without downloading the file when the host refuses ranges and the moov is at the end', async () => {
    const { taskId, url } = await completedResult('clip-3.2s-faststart.mp4', '2', { result: 'moov-at-end', resultPaddingBytes: big, resultIgnoresRange: true });
    const probe = await probeResultUrl(url);
    expect(probe.facts).toBeUndefined();
    expect(probe.reason).toBe('the result host does not support range requests and the movie header is not within the first 256.0 KiB');
    expect(probe.requests).toBe(1);
    // The body is dropped once the head is read: at most one socket chunk beyond it, far from the 8 MiB.
    expect(probe.bytesFetched).toBeGreaterThanOrEqual(RESULT_HEAD_BYTES);
    expect(probe.bytesFetched).toBeLessThan(RESULT_HEAD_BYTES + 256 * 1024);
    expect(probe.bytesFetched).toBeLessThan(emulator.taskResultBytes(taskId).length / 16);
  });

  it('still reads a faststart result from the head when the host refuses ranges', async () => {
    const { url } = await completedResult('clip-3.2s-faststart.mp4', '4', { result: 'upscaled', resultPaddingBytes: big, resultIgnoresRange: true });
    const probe = await probeResultUrl(url);
    expect(probe.facts).toEqual(H264(256, 144, 3.2));
    expect(probe.requests).toBe(1);
    expect(probe.bytesFetched).toBeLessThan(RESULT_HEAD_BYTES + 256 * 1024);
  });
});

describe('results that cannot be read', () => {
  it('gives the HTTP status as the reason', async () => {
    const probe = await probeResultUrl(`${emulator.cdnUrl}/media/tasks/task_gone/0.mp4`);
    expect(probe).toEqual({ reason: 'the result host answered HTTP 404', bytesFetched: 0, requests: 1 });
  });

  it('sends nothing for a result URL that is not http(s)', async () => {
    for (const url of ['file:///etc/passwd', 'not a url']) {
      expect(await probeResultUrl(url)).toEqual({ reason: 'the result URL is not an http(s) URL', bytesFetched: 0, requests: 0 });
    }
    expect(emulator.cdnRequests()).toEqual([]);
  });

  it('gives up on a redirect loop without advice about video-url', async () => {
    const { url } = await completedResult('clip-3.2s-faststart.mp4', '2', { result: 'upscaled' });
    emulator.fault({ route: 'cdn', match: '/media/', redirectTo: new URL(url).pathname, times: 10 });
    const probe = await probeResultUrl(url);
    expect(probe.reason).toBe(`${url} redirects more than 5 times`);
    expect(probe.requests).toBe(6);
  });

  it('gives the network error as the reason', async () => {
    const { url } = await completedResult('clip-3.2s-faststart.mp4', '2', { result: 'upscaled' });
    emulator.fault({ route: 'cdn', match: '/media/', reset: true });
    const probe = await probeResultUrl(url);
    expect(probe.facts).toBeUndefined();
    expect(probe.reason).toMatch(/^GET .*\/media\/tasks\/.*0\.mp4/);
    expect(probe.reason).not.toContain('\n');
  });

  it('throws CancelledError when cancelled', async () => {
    const { url } = await completedResult('clip-3.2s-faststart.mp4', '2', { result: 'upscaled' });
    const controller = new AbortController();
    controller.abort();
    await expect(probeResultUrl(url, { signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('a downloaded result, probed on disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'verify-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads the facts with zero requests', async () => {
    const { taskId } = await completedResult('clip-3.2s-faststart.mp4', '2', { result: 'hevc' });
    const path = join(dir, 'clip-2x.mp4');
    await writeFile(path, emulator.taskResultBytes(taskId));
    const probe = await probeResultFile(path);
    expect(probe).toEqual({
      facts: { ...H264(128, 72, 3.2), video: { width: 128, height: 72, frameRate: 5, codec: 'hvc1' } },
      bytesFetched: 2840,
      requests: 0,
    });
    expect(emulator.cdnRequests()).toEqual([]);
  });

  it('reads a moov at the end of a large file without reading the file', async () => {
    const path = join(dir, 'big.mp4');
    const file = padMediaData(fixtureBytes('result-3.2s-2x-128x72-moov-at-end.mp4'), 8 * 1024 * 1024);
    await writeFile(path, file);
    const probe = await probeResultFile(path);
    expect(probe.facts).toEqual(H264(128, 72, 3.2));
    expect(probe.bytesFetched).toBe(RESULT_HEAD_BYTES + file.length - (file.lastIndexOf('moov') - 4));
  });

  it('names what it found when the file is no video', async () => {
    const path = join(dir, 'page.mp4');
    await writeFile(path, '<!doctype html><html><body>Access denied</body></html>');
    const probe = await probeResultFile(path);
    expect(probe.facts).toEqual({ document: 'an HTML page', hasVideo: false });
    expect(verifyResult(undefined, probe.facts!, '2')).toEqual(['expected an MP4 with a video track, found an HTML page.']);
  });

  it('gives a reason for a missing file', async () => {
    const probe = await probeResultFile(join(dir, 'missing.mp4'));
    expect(probe.facts).toBeUndefined();
    expect(probe.reason).toMatch(/ENOENT|no such file/);
  });
});
