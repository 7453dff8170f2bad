/**
 * Time bounds and the smaller holes of issue 12, the action run in process: preflight counts against `timeout`,
 * durations and download paths are checked up front, statuses are read whatever their case, spellings of one URL are
 * one source, and no message says `undefined`.
 */
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { fixtureBytes } from '../emulator/emulator';
import type { ActionRun } from '../helpers/run-action';
import { runInProcess as runAction } from '../helpers/run-in-process';

const fixture = useActionFixture({ reset: { processingPolls: 1 }, inputs: () => ({ timeout: '20s' }) });
const { emulator, inputs } = fixture;

/** The one failure line, with no stack trace anywhere. */
function failure(run: ActionRun): string {
  expect(run.errors).toHaveLength(1);
  expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
  return run.errors[0] as string;
}

function results(run: ActionRun): Array<{ status: string; error: string | null }> {
  return JSON.parse(run.outputs.results ?? '[]') as Array<{ status: string; error: string | null }>;
}

describe('preflight counts against timeout', () => {
  it('stops three hanging sources at concurrency 1 when the timeout runs out, says so, and submits nothing', async () => {
    const urls = ['a.mp4', 'b.mp4', 'c.mp4'].map((name) => emulator.addSource(name, { size: 4096, hang: true }));
    const run = await runAction(inputs({ 'video-url': urls.join('\n'), concurrency: '1', timeout: '5s' }));
    expect(run.code).toBe(1);
    expect(failure(run)).toBe(
      'Preflight used up the whole timeout (5.0s): #1 a.mp4 did not answer in time, and #2 b.mp4 and #3 c.mp4 were not checked. ' +
        'Nothing was submitted or billed; raise timeout, or check that the source hosts answer (preflight: false skips these checks).',
    );
    // Before, each source took 15 s for HEAD and 15 s for GET: 90 s in all.
    expect(run.durationMs).toBeGreaterThanOrEqual(4500);
    expect(run.durationMs).toBeLessThan(15_000);
    expect(emulator.apiRequests()).toHaveLength(0);
    // The HEAD that hung was the last request: no GET after the deadline, and no other source started.
    expect(emulator.sourceRequests('a.mp4').map((r) => r.method)).toEqual(['HEAD']);
    expect(emulator.sourceRequests('b.mp4')).toHaveLength(0);
    expect(emulator.sourceRequests('c.mp4')).toHaveLength(0);
    expect(run.outputs.status).toBe('failed');
    expect(results(run).map((r) => r.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(results(run)[0]?.error).toBe('Not submitted: its host did not answer preflight before the timeout ran out.');
    expect(run.outputs['task-id']).toBeUndefined();
  });

  it('bounds a source host that drips its bytes by the timeout too', async () => {
    const url = emulator.addSource('drip.mp4', { data: fixtureBytes('clip-3.2s-faststart.mp4'), drip: { bytes: 1, everyMs: 250 } });
    const run = await runAction(inputs({ 'video-url': url, timeout: '3s' }));
    expect(run.code).toBe(1);
    expect(failure(run)).toMatch(/^Preflight used up the whole timeout \(3\.0s\): drip\.mp4 did not answer in time\. Nothing was submitted or billed;/);
    expect(run.durationMs).toBeLessThan(12_000);
    expect(emulator.apiRequests()).toHaveLength(0);
    // HEAD answered at once; the ranged GET was still dripping when the timeout ran out.
    expect(emulator.sourceRequests('drip.mp4').map((r) => r.method)).toEqual(['HEAD', 'GET']);
  });

  it('checks the sources that answer and names only the one that did not', async () => {
    const good = emulator.addFixture('clip-5s.mkv');
    const hanging = emulator.addSource('silent.mp4', { size: 4096, hang: true });
    const run = await runAction(inputs({ 'video-url': [good, hanging].join('\n'), timeout: '3s' }));
    expect(failure(run)).toMatch(/^Preflight used up the whole timeout \(3\.0s\): #2 silent\.mp4 did not answer in time\. Nothing was submitted/);
    expect(run.stdout).toContain('→ 5 billable seconds');
    expect(emulator.apiRequests()).toHaveLength(0);
    expect(results(run).map((r) => r.error)).toEqual([
      'Not submitted: preflight used up the timeout.',
      'Not submitted: its host did not answer preflight before the timeout ran out.',
    ]);
  });

  it('leaves the rest of the timeout to the job when preflight is quick', async () => {
    const run = await runAction(inputs({ 'video-url': emulator.addFixture('clip-3.2s-faststart.mp4'), timeout: '10s' }));
    expect(run.errors).toEqual([]);
    expect(run.outputs.status).toBe('completed');
    expect(emulator.apiRequests('submit')).toHaveLength(1);
  });
});

describe('durations are checked against what a timer can do', () => {
  it.each([
    ['timeout', '0.0001', `Input 'timeout' must be from 1ms to 596h; "0.0001" rounds to 0 ms.`],
    ['poll-interval', '0.4ms', `Input 'poll-interval' must be from 1ms to 596h; "0.4ms" rounds to 0 ms.`],
    ['poll-interval', '1000h', `Input 'poll-interval' must be from 1ms to 596h; "1000h" is longer than the longest wait Node.js can time (about 24.8 days).`],
    ['timeout', '2147483648ms', `Input 'timeout' must be from 1ms to 596h; "2147483648ms" is longer than the longest wait Node.js can time (about 24.8 days).`],
  ])('refuses %s: %s in one line, before any request', async (name, value, message) => {
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl(), [name]: value }));
    expect(run.code).toBe(1);
    expect(failure(run)).toBe(message);
    expect(emulator.requests).toHaveLength(0);
    expect(run.stderr).not.toContain('TimeoutOverflowWarning');
  });
});

describe('download-path on a kernel file system', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bounds-path-'));
    return () => rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['/proc/self/x', 'is under /proc, a kernel file system'],
    ['/tmp/../proc/x', 'is under /proc, a kernel file system'],
    ['/sys/kernel/upscaled', 'is under /sys, a kernel file system'],
  ])('refuses %s up front, in one line', async (path, reason) => {
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl(), download: 'true', 'download-path': path }));
    expect(run.code).toBe(1);
    expect(failure(run)).toBe(
      `Input 'download-path' ${reason} where no file can be saved (got ${JSON.stringify(path)}); give a directory on a disk, e.g. \${{ runner.temp }}/upscaled.`,
    );
    expect(emulator.requests).toHaveLength(0);
    expect(run.outputs.status).toBeUndefined();
  });

  it('follows a symlink into /proc', async () => {
    await symlink('/proc/self', join(dir, 'link'));
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl(), download: 'true', 'download-path': join(dir, 'link', 'out') }));
    expect(run.code).toBe(1);
    expect(failure(run)).toMatch(/^Input 'download-path' is under \/proc, which resolves to \/proc\/\d+\/out, a kernel file system/);
    expect(emulator.requests).toHaveLength(0);
  });
});

describe('task statuses', () => {
  it('reads COMPLETED and Processing whatever their case', async () => {
    emulator.plan('loud', { statusAs: { processing: 'Processing', completed: 'COMPLETED' } });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('loud.mp4') }));
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    const [task] = [...emulator.tasks.values()];
    expect(run.outputs.status).toBe('completed');
    expect(run.outputs['video-url']).toBe(`${emulator.cdnUrl}/media/tasks/${task!.id}/0.mp4`);
  });

  it('reads Failed as failed', async () => {
    emulator.plan('bad', { fail: { code: '80007', message: 'Provider rejected the request' }, statusAs: { failed: 'Failed' } });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('bad.mp4') }));
    expect(run.code).toBe(1);
    expect(run.outputs.status).toBe('failed');
    expect(failure(run)).toMatch(/^Task task_\w+ failed on reApi \(code 80007: Provider rejected the request\)/);
  });

  it('names an unknown status that lasts until the timeout', async () => {
    emulator.plan('odd', { never: true, runningStatus: 'COMPLETED?' });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('odd.mp4'), timeout: '1s' }));
    expect(run.code).toBe(1);
    const taskId = run.outputs['task-id'] as string;
    expect(failure(run)).toBe(
      `Timed out after 1.0s waiting for task ${taskId}, whose last status was "COMPLETED?" (not one the action knows); it may still be processing on reApi. ` +
        `To pick it up later without paying again, run the action with task-id: ${taskId} (and a longer timeout if needed).`,
    );
    expect(run.outputs.status).toBe('processing');
  });
});

describe('duplicate sources', () => {
  it('refuses four spellings of one URL before anything is checked or billed', async () => {
    const url = emulator.sourceUrl('clip.mp4');
    const { host } = new URL(url);
    const spellings = [url, `HTTP://${host}/sources/./clip.mp4#t=5`, `http://${host}/sources/x/../clip.mp4?`, `http://${host}/sources/%63lip.mp4`];
    for (const [index, spelling] of spellings.entries()) {
      if (index === 0) continue;
      emulator.reset({ processingPolls: 1 });
      const run = await runAction(inputs({ 'video-url': `${url}\n${spelling}` }));
      expect(run.code).toBe(1);
      // The ::error:: command escapes % as %25.
      expect(failure(run).replaceAll('%25', '%')).toBe(
        `Input 'video-url' lists ${JSON.stringify(url)} twice (items 1 and 2, the second time as ${JSON.stringify(spelling)}); every submission is billed, so remove the duplicate.`,
      );
      expect(emulator.requests).toHaveLength(0);
    }
  });
});

/** A loopback server that answers every request with bytes that are not (valid) HTTP. */
class GarbageServer {
  private server: Server;
  private sockets = new Set<Socket>();
  url = '';
  constructor(answer: Buffer) {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end(answer));
    });
  }
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('answers that are not HTTP never put "undefined" in a message', () => {
  const notHttp = new GarbageServer(Buffer.from('\x00\x01 this is not http\r\n\r\n', 'latin1'));
  // Valid headers, then a chunked body that breaks the protocol: undici's parser error carries `code: undefined`.
  const badChunk = new GarbageServer(Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nxx\r\n'));
  beforeAll(async () => {
    await notHttp.start();
    await badChunk.start();
  });
  afterAll(async () => {
    await notHttp.stop();
    await badChunk.stop();
  });

  function expectNoUndefined(run: ActionRun): void {
    expect(run.stdout + run.stderr + run.summary + JSON.stringify(run.outputs)).not.toMatch(/\bundefined\b/);
  }

  it('from a source host in preflight: a warning, and the job goes on', async () => {
    for (const server of [notHttp, badChunk]) {
      emulator.reset({ processingPolls: 1, fetchSources: false }); // reApi could not fetch these: only preflight's handling is under test
      const run = await runAction(inputs({ 'video-url': `${server.url}/clip.mp4` }));
      expect(run.errors).toEqual([]);
      expect(run.stdout).toMatch(/::warning::.*Response does not match the HTTP\/1\.1 protocol/);
      expect(run.outputs.status).toBe('completed');
      expectNoUndefined(run);
    }
  });

  it('from the API: the submission is reported as uncertain, with the parser reason', async () => {
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl(), preflight: 'false', 'api-base-url': notHttp.url }));
    expect(run.code).toBe(1);
    expect(failure(run)).toMatch(
      /^The submission's outcome is unknown: POST \/api\/v1\/videos\/generations failed \(Response does not match the HTTP\/1\.1 protocol \(Expected HTTP\/, RTSP\/ or ICE\/\)\)\./,
    );
    expectNoUndefined(run);
  });

  it('from the result host: the download failure names the parser reason', async () => {
    emulator.fault({ route: 'cdn', match: '/media/', redirectTo: `${badChunk.url}/result.mp4`, times: 10 });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl(), download: 'true' }));
    expect(run.code).toBe(1);
    expect(failure(run)).toContain('(Response does not match the HTTP/1.1 protocol (Invalid character in chunk size))');
    expectNoUndefined(run);
  });
});
