/**
 * What the emulator serves as a task's result, over its API and CDN: by
 * default the committed ffmpeg result of the task's fixture source at its
 * factor, which src/media/result-check.ts probes and passes; synthetic bytes
 * when a test asks for them (`resultBytes`, `realResults: false`) or when the
 * source is not a fixture clip.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpscaleFactor } from '../../src/inputs/values';
import { describeUpscale, probeResultUrl, verifyResult } from '../../src/media/result-check';
import { probeSource } from '../../src/source/preflight';
import { ReapiEmulator, fixtureBytes, syntheticMp4, type EmulatorConfig } from '../emulator/emulator';

const emulator = new ReapiEmulator();
beforeAll(() => emulator.start().then(() => undefined));
afterAll(() => emulator.stop());

/** Submits `sourceUrl` through the API, polls it to completion, and returns its task id, result URL and the served bytes. */
async function complete(sourceUrl: string, factor: UpscaleFactor): Promise<{ taskId: string; url: string; served: Buffer }> {
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
  const url = task.output.video_urls[0]!;
  const served = Buffer.from(await (await request(url)).body.arrayBuffer());
  return { taskId: id, url, served };
}

describe('by default, a real upscaled MP4 for each fixture source and factor', () => {
  it.each<[string, UpscaleFactor, string, string]>([
    ['clip-3.2s-faststart.mp4', '1', '3.2s', '64x36'],
    ['clip-3.2s-faststart.mp4', '2', '3.2s', '128x72'],
    ['clip-3.2s-faststart.mp4', '4', '3.2s', '256x144'],
    ['clip-2.4s-moov-at-end.mov', '2', '2.4s', '128x72'],
    ['clip-2.4s-moov-at-end.mov', '4', '2.4s', '256x144'],
    ['clip-5s.mkv', '1', '5s', '64x36'],
    ['clip-5s.mkv', '2', '5s', '128x72'],
  ])('%s at %s×', async (fixture, factor, duration, size) => {
    emulator.reset({ processingPolls: 0 });
    const sourceUrl = emulator.addFixture(fixture);
    const { taskId, url, served } = await complete(sourceUrl, factor);
    const file = `result-${duration}-${factor}x-${size}.mp4`;
    expect(served.equals(fixtureBytes(file))).toBe(true);
    expect(emulator.taskResultBytes(taskId).equals(served)).toBe(true);

    // What the action makes of it: probed, and right for its source and factor.
    const [source, result] = await Promise.all([probeSource(sourceUrl), probeResultUrl(url)]);
    expect(result.facts).toBeDefined();
    expect(verifyResult(source, result.facts!, factor)).toEqual([]);
    const [width, height] = size.split('x');
    expect(describeUpscale(source, result.facts)).toMatch(new RegExp(`^64×36 → ${width}×${height} \\(${factor}\\.0×\\) · `));
  });
});

describe('synthetic results, for tests of sizes, truncation and bytes', () => {
  it.each<[string, Partial<EmulatorConfig>, number]>([
    ['resultBytes asks for synthetic results of that size', { resultBytes: 200_000 }, 200_000],
    ['realResults: false asks for them at the default size', { realResults: false }, 4096],
  ])('%s', async (_, config, size) => {
    emulator.reset({ processingPolls: 0, ...config });
    const { taskId, url, served } = await complete(emulator.addFixture('clip-3.2s-faststart.mp4'), '2');
    expect(served.equals(syntheticMp4(size))).toBe(true);
    expect(served.equals(emulator.resultBytes())).toBe(true);
    expect(emulator.taskResultBytes(taskId).equals(served)).toBe(true);
    expect((await probeResultUrl(url)).facts).toBeUndefined();
  });

  it('realResults: true wins over resultBytes', async () => {
    emulator.reset({ processingPolls: 0, resultBytes: 200_000, realResults: true });
    const { served } = await complete(emulator.addFixture('clip-3.2s-faststart.mp4'), '4');
    expect(served.equals(fixtureBytes('result-3.2s-4x-256x144.mp4'))).toBe(true);
  });

  it('a source that is not a fixture clip has no upscaled version: its result is synthetic', async () => {
    emulator.reset({ processingPolls: 0 });
    const { served } = await complete(emulator.sourceUrl('made-up.mp4'), '2');
    expect(served.equals(syntheticMp4(4096))).toBe(true);
  });

  it('a plan that names a result gets it whatever the config says', async () => {
    emulator.reset({ processingPolls: 0, realResults: false });
    emulator.plan('short', { result: 'too-short' });
    const { served } = await complete(emulator.addFixture('short.mp4', 'clip-3.2s-faststart.mp4'), '2');
    expect(served.equals(fixtureBytes('fault-too-short-1.6s-128x72.mp4'))).toBe(true);
  });
});
