/**
 * The emulator fetches a source the way reApi does: a plain GET without credentials when the task is submitted, and
 * again while it renders (at the first poll). A source it cannot fetch at submit is refused with 30002 (no task, no
 * charge); one gone by the time it renders fails the task. Sources on another loopback origin are fetched for real
 * (a bucket on loopback, a test's own server); the emulator's own CDN sources are looked up as before.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReapiEmulator, syntheticMp4 } from '../emulator/emulator';

const emulator = new ReapiEmulator();
/** A source host: what it answers is up to the test; every request it received is kept. */
let answer: { status: number; body: Buffer; cutAfter?: number } = { status: 200, body: syntheticMp4(4096) };
const received: IncomingMessage[] = [];
const host: Server = createServer((req, res) => {
  received.push(req);
  res.writeHead(answer.status, { 'content-type': 'video/mp4', 'content-length': answer.body.length });
  if (answer.cutAfter !== undefined) {
    res.write(answer.body.subarray(0, answer.cutAfter));
    return void res.socket?.destroy();
  }
  res.end(answer.body);
});
let hostUrl = '';

beforeAll(async () => {
  await emulator.start();
  host.listen(0, '127.0.0.1');
  await once(host, 'listening');
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await emulator.stop();
  host.closeAllConnections();
  await new Promise((resolve) => host.close(resolve));
});
beforeEach(() => {
  emulator.reset({ processingPolls: 1 });
  answer = { status: 200, body: syntheticMp4(4096) };
  received.length = 0;
});

const headers = () => ({ authorization: `Bearer ${emulator.config.apiKey}`, 'content-type': 'application/json' });

async function submit(videoUrl: string) {
  const response = await request(`${emulator.apiUrl}/api/v1/videos/generations`, {
    method: 'POST',
    headers: headers(),
    body: JSON.stringify({ model: 'topaz-video-upscaler', video_url: videoUrl, upscale_factor: '2' }),
  });
  return { status: response.statusCode, body: (await response.body.json()) as { id?: string; error?: { code: string; message: string } } };
}

async function poll(id: string) {
  const response = await request(`${emulator.apiUrl}/api/v1/tasks/${id}`, { headers: headers() });
  return (await response.body.json()) as { status: string; error: { code: string } | null };
}

describe('the emulator fetches sources as reApi does', () => {
  it('GETs the source without credentials at submit and again while rendering', async () => {
    const url = `${hostUrl}/clip.mp4?X-Amz-Signature=abc`;
    const submitted = await submit(url);
    expect(submitted.status).toBe(200);
    expect(received).toHaveLength(1);
    expect(received[0]?.method).toBe('GET');
    expect(received[0]?.url).toBe('/clip.mp4?X-Amz-Signature=abc');
    // A plain GET: no credentials, no range, nothing but the host.
    expect(received[0]?.headers.authorization).toBeUndefined();
    expect(received[0]?.headers.range).toBeUndefined();
    expect(Object.keys(received[0]?.headers ?? {}).sort()).toEqual(['connection', 'host']);

    expect((await poll(submitted.body.id!)).status).toBe('processing');
    expect((await poll(submitted.body.id!)).status).toBe('completed');
    expect(emulator.sourceFetches.map((fetch) => [fetch.phase, fetch.status, fetch.bytes])).toEqual([
      ['submit', 200, 4096],
      ['render', 200, 4096],
    ]);
  });

  it('refuses a source it cannot fetch at submit with 30002, creating no task', async () => {
    answer = { status: 403, body: Buffer.from('<Error><Code>AccessDenied</Code></Error>') };
    const submitted = await submit(`${hostUrl}/private.mp4`);
    expect(submitted.status).toBe(400);
    expect(submitted.body.error?.code).toBe('30002');
    expect(emulator.tasks.size).toBe(0);
  });

  it('refuses a source whose body is cut short', async () => {
    answer = { status: 200, body: syntheticMp4(100_000), cutAfter: 1000 };
    const submitted = await submit(`${hostUrl}/cut.mp4`);
    expect(submitted.body.error?.code).toBe('30002');
    expect(emulator.sourceFetches[0]?.problem).toMatch(/cut short|hang up|aborted/);
  });

  it('fails the task when the source is gone by the time it renders', async () => {
    const submitted = await submit(`${hostUrl}/deleted-early.mp4`);
    answer = { status: 404, body: Buffer.from('<Error><Code>NoSuchKey</Code></Error>') };
    const task = await poll(submitted.body.id!);
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('SOURCE_FETCH_FAILED');
  });

  it('leaves its own CDN sources and fetchSources: false alone', async () => {
    expect((await submit(emulator.sourceUrl('own.mp4'))).status).toBe(200);
    emulator.reset({ fetchSources: false });
    answer = { status: 404, body: Buffer.alloc(0) };
    expect((await submit(`${hostUrl}/not-fetched.mp4`)).status).toBe(200);
    expect(received).toHaveLength(0);
    expect(emulator.sourceFetches).toEqual([]);
  });
});
