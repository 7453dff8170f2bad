/** Time bounds and broken bodies of the result download, the action run in process: a slow but steady host, cut-short bodies however they end. */
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { syntheticMp4 } from '../emulator/emulator';
import { runInProcess as runAction } from '../helpers/run-in-process';

const fixture = useActionFixture({
  reset: { processingPolls: 0 },
  tempDir: true,
  inputs: () => ({ 'video-url': fixture.emulator.sourceUrl('clip.mp4'), timeout: '5s', download: 'true', 'download-path': fixture.dir }),
});
const { emulator, inputs } = fixture;

const resultRequests = () => emulator.cdnRequests().filter((request) => request.path.startsWith('/media/'));

describe('download time bound', () => {
  it('lets a slow but steady download finish', async () => {
    emulator.configure({ processingPolls: 0, resultBytes: 1_000_000 });
    // 80 KB/s for 12.5 s: slow, but every 10 s window brings far more than the minimum.
    emulator.fault({ route: 'cdn', match: '/media/', dripEveryMs: 250, dripBytes: 20_000 });
    const run = await runAction(inputs());
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect((await readFile(join(fixture.dir, 'clip-2x.mp4'))).equals(emulator.resultBytes())).toBe(true);
    expect(resultRequests()).toHaveLength(1);
  });
});

describe('a body cut short, however the connection ends', () => {
  const full = syntheticMp4(200_000);
  let mode: 'fin' | 'reset' | 'chunked-fin' = 'fin';
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((socket: Socket) => {
      socket.once('data', () => {
        const part = full.subarray(0, 50_000);
        if (mode === 'chunked-fin') {
          socket.write('HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ntransfer-encoding: chunked\r\n\r\n');
          socket.write(`${part.length.toString(16)}\r\n`);
          socket.end(part);
          return;
        }
        socket.write(`HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: ${full.length}\r\n\r\n`);
        if (mode === 'fin') socket.end(part);
        else socket.write(part, () => setTimeout(() => socket.resetAndDestroy(), 20));
      });
      socket.on('error', () => undefined);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it.each([
    ['fin', 'closes cleanly (FIN) short of its Content-Length', /broke off after 50000 of 200000 bytes \(\w+/],
    ['reset', 'is reset (RST) short of its Content-Length', /broke off after 50000 of 200000 bytes \(\w+/],
    ['chunked-fin', 'closes in the middle of a chunked body', /broke off after 50000 bytes \(\w+/],
  ] as const)('%s: a host that %s gets the same one-line message, retried, then given up', async (which, _what, pattern) => {
    mode = which;
    emulator.fault({ route: 'cdn', match: '/media/', redirectTo: `${origin}/result.mp4`, times: 10 });
    const run = await runAction(inputs({ timeout: '30s' }));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`${pattern.source}.*Retrying in [\\d.]+s \\(attempt 2 of 4\\)`));
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/failed after 4 attempts: /);
    expect(run.errors[0]).toMatch(pattern);
    expect(run.stdout + run.stderr).not.toContain('undefined');
    expect(await readdir(fixture.dir)).toEqual([]);
  });
});
