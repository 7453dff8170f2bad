/**
 * hashSource over loopback: a small host serving bytes at presigned-style URLs
 * (the query changes on every signing), with redirects, errors and oversized files.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError, FingerprintError, SourceTooLargeError } from '../../src/shared/errors';
import { fingerprintKey, hashSource } from '../../src/skip-unchanged/fingerprint';
import { MAX_SOURCE_BYTES } from '../../src/source/preflight';

const clip = Buffer.alloc(300_000, 7);
clip.write('....ftypisom', 0);
let files: Record<string, Buffer> = {};
const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
let bodyBytesSent = 0;
let server: Server;
let origin = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/redirect/')) {
      res.writeHead(302, { location: `/media/${path.slice('/redirect/'.length)}?X-Amz-Signature=${Math.random()}` });
      return res.end();
    }
    if (path === '/loop') {
      res.writeHead(302, { location: '/loop' });
      return res.end();
    }
    if (path === '/huge-announced' || path === '/huge-chunked') {
      // 50 MB and one byte, in 1 MiB writes; counts what actually left.
      const total = MAX_SOURCE_BYTES + 1;
      res.writeHead(200, path === '/huge-announced' ? { 'content-length': String(total) } : {});
      const chunk = Buffer.alloc(1024 * 1024);
      let sent = 0;
      const write = () => {
        while (sent < total && !res.destroyed) {
          const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
          sent += piece.length;
          bodyBytesSent += piece.length;
          if (!res.write(piece)) return void res.once('drain', write);
        }
        res.end();
      };
      return write();
    }
    if (path === '/stall') {
      res.writeHead(200, { 'content-length': '100' });
      return res.write(Buffer.alloc(10));
    }
    const file = files[path.replace('/media/', '')];
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not here');
    }
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(file.length), etag: `"${Math.random()}"` });
    res.end(file);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});
beforeEach(() => {
  files = { 'clip.mp4': clip };
  seen.length = 0;
  bodyBytesSent = 0;
});

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const signed = (name: string) => `${origin}/media/${name}?X-Amz-Date=${Date.now()}&X-Amz-Signature=${Math.random().toString(16).slice(2)}`;
const keyOf = (sourceSha256: string, upscaleFactor = '2') => fingerprintKey({ model: 'topaz-video-upscaler', upscaleFactor, sourceSha256 });

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).not.toContain('\n');
  expect((error as Error).message).not.toContain('X-Amz-Signature');
  return error as Error;
}

describe('hashSource', () => {
  it('gives the SHA-256 of the bytes, whatever the signature in the URL', async () => {
    const first = await hashSource(signed('clip.mp4'));
    const second = await hashSource(signed('clip.mp4'));
    expect(first).toEqual({ sha256: sha(clip), bytes: clip.length, requests: 1, etag: expect.stringMatching(/^"[\d.]+"$/) as unknown });
    expect(second.sha256).toBe(first.sha256);
    expect(keyOf(second.sha256)).toBe(keyOf(first.sha256));
    // Two different URLs and ETags were asked for: the key does not depend on them.
    expect(seen[0]?.url).not.toBe(seen[1]?.url);
  });

  it('gives another key when one byte changes, and for another factor', async () => {
    const before = await hashSource(signed('clip.mp4'));
    const changed = Buffer.from(clip);
    changed[150_000] = changed[150_000]! ^ 1;
    files['clip.mp4'] = changed;
    const after = await hashSource(signed('clip.mp4'));
    expect(after.sha256).toBe(sha(changed));
    expect(keyOf(after.sha256)).not.toBe(keyOf(before.sha256));
    expect(keyOf(before.sha256, '4')).not.toBe(keyOf(before.sha256, '2'));
  });

  it('follows redirects and sends no credentials anywhere', async () => {
    const result = await hashSource(`${origin}/redirect/clip.mp4`);
    expect(result).toEqual({ sha256: sha(clip), bytes: clip.length, requests: 2, etag: expect.stringMatching(/^"[\d.]+"$/) as unknown });
    for (const request of seen) {
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers.cookie).toBeUndefined();
    }
  });

  it('stops after five redirects', async () => {
    const error = await failure(hashSource(`${origin}/loop`));
    expect(error).toBeInstanceOf(FingerprintError);
    expect(error.message).toMatch(/redirects more than 5 times/);
  });

  it('names the HTTP status of a host that does not send the file', async () => {
    const error = await failure(hashSource(signed('gone.mp4')));
    expect(error).toBeInstanceOf(FingerprintError);
    expect((error as FingerprintError).status).toBe(404);
    expect(error.message).toBe(`${origin}/media/gone.mp4?… answered GET with HTTP 404 (no file there), so its fingerprint is unknown.`);
  });

  it('refuses a source announced as over 50 MB without reading it', async () => {
    const error = await failure(hashSource(`${origin}/huge-announced`));
    expect(error).toBeInstanceOf(SourceTooLargeError);
    expect(error.message).toContain(`${MAX_SOURCE_BYTES + 1} bytes, over the upscaler's 50 MB limit`);
    // The host got to send only what fills the socket buffers before the request was dropped.
    expect(bodyBytesSent).toBeLessThan(MAX_SOURCE_BYTES / 2);
  });

  it('aborts a source of unannounced length as soon as it passes 50 MB', async () => {
    const error = await failure(hashSource(`${origin}/huge-chunked`));
    expect(error).toBeInstanceOf(SourceTooLargeError);
    expect(error.message).toContain('over the upscaler');
  });

  it('gives up on a host that stops sending, and honours cancellation', async () => {
    const stalled = await failure(hashSource(`${origin}/stall`, { idleTimeoutMs: 300 }));
    expect(stalled).toBeInstanceOf(FingerprintError);
    expect(stalled.message).toMatch(/timed out/);

    const deadline = await failure(hashSource(`${origin}/stall`, { timeoutMs: 300 }));
    expect(deadline.message).toContain('could not be read in full within 0.3 s');

    const controller = new AbortController();
    const pending = hashSource(`${origin}/stall`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect(await failure(pending)).toBeInstanceOf(CancelledError);
  });
});
