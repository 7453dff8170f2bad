/** Downloading the result through dist/index.js against the emulator: bytes, names, redirects, failures, cancellation, proxies, memory. */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReapiEmulator } from '../emulator/emulator';
import { ConnectProxy } from '../helpers/connect-proxy';
import { runAction } from '../helpers/run-action';

const emulator = new ReapiEmulator();
/** A second origin, to check what a redirect target receives. */
const elsewhere = new ReapiEmulator();
beforeAll(async () => {
  await emulator.start();
  await elsewhere.start();
});
afterAll(async () => {
  await emulator.stop();
  await elsewhere.stop();
});

let dir: string;
beforeEach(async () => {
  emulator.reset({ processingPolls: 0 });
  elsewhere.reset();
  dir = await mkdtemp(join(tmpdir(), 'reapi-download-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const KEY = 'test-key';
function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'api-key': KEY,
    'api-base-url': emulator.apiUrl,
    'video-url': emulator.sourceUrl('clip.mp4'),
    'poll-interval': '0.05',
    timeout: '30s',
    download: 'true',
    'download-path': dir,
    ...extra,
  };
}

function resultRequests(server = emulator) {
  return server.cdnRequests().filter((request) => request.path.startsWith('/media/'));
}

function expectNoAuthorization(server: ReapiEmulator) {
  for (const request of server.cdnRequests()) {
    expect(request.headers.authorization).toBeUndefined();
    expect(JSON.stringify(request.headers)).not.toContain(KEY);
  }
}

describe('download', () => {
  it('saves the result byte for byte under a name from the source, without credentials', async () => {
    emulator.configure({ processingPolls: 0, resultBytes: 300_000 });
    const run = await runAction(inputs());
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);

    const path = join(dir, 'clip-2x.mp4');
    expect(run.outputs['video-path']).toBe(path);
    expect(JSON.parse(run.outputs['video-paths']!)).toEqual([path]);
    expect((await readFile(path)).equals(emulator.resultBytes())).toBe(true);
    expect(await readdir(dir)).toEqual(['clip-2x.mp4']); // no temporary file left over

    expect(resultRequests()).toHaveLength(1);
    expectNoAuthorization(emulator);
    expect(run.stdout).toContain('::group::Downloading the result to');
    expect(run.summary).toContain(path);
    expect(run.summary).toContain('293.0 KiB');
    expect(run.summary).toMatch(/\*\*Elapsed\*\* \| [\d.]+s \(preflight [\d.]+s · upscaling [\d.]+s · download [\d.]+s\)/);
  });

  it('uses RUNNER_TEMP/reapi-upscaled when download-path is empty, and names a resumed task after its id', async () => {
    const first = await runAction(inputs({ download: 'false' }));
    const taskId = first.outputs['task-id']!;
    const run = await runAction(inputs({ 'video-url': '', 'task-id': taskId, 'download-path': '' }), { env: { RUNNER_TEMP: dir } });
    expect(run.errors).toEqual([]);
    const path = join(dir, 'reapi-upscaled', `${taskId}.mp4`);
    expect(run.outputs['video-path']).toBe(path);
    expect((await readFile(path)).equals(emulator.resultBytes())).toBe(true);
  });

  it('saves several results as name-1, name-2 with their own bytes', async () => {
    emulator.plan('pair', { processingPolls: 0, resultCount: 2 });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('pair.mov'), 'upscale-factor': '4' }));
    expect(run.errors).toEqual([]);
    const paths = [join(dir, 'pair-4x-1.mp4'), join(dir, 'pair-4x-2.mp4')];
    expect(JSON.parse(run.outputs['video-paths']!)).toEqual(paths);
    expect(run.outputs['video-path']).toBe(paths[0]);
    expect((await readFile(paths[0]!)).equals(emulator.resultBytes(0))).toBe(true);
    expect((await readFile(paths[1]!)).equals(emulator.resultBytes(1))).toBe(true);
    expect(emulator.resultBytes(0).equals(emulator.resultBytes(1))).toBe(false);
    expect(run.summary).toContain('**Downloaded 2**');
  });

  it('never writes outside download-path, whatever the source name says', async () => {
    const nested = join(dir, 'a', 'b');
    const source = emulator.addSource('../../../etc/passwd.mp4', { data: emulator.resultBytes() });
    const run = await runAction(inputs({ 'video-url': source, 'download-path': nested }));
    expect(run.errors).toEqual([]);
    expect(await readdir(dir)).toEqual(['a']);
    expect(await readdir(join(dir, 'a'))).toEqual(['b']);
    expect(await readdir(nested)).toEqual(['etc-passwd-2x.mp4']);
    expect(run.outputs['video-path']).toBe(join(nested, 'etc-passwd-2x.mp4'));
  });
});

describe('redirects', () => {
  it('follows redirects to another origin, sending no credentials to either', async () => {
    elsewhere.addSource('moved.mp4', { data: emulator.resultBytes() });
    // Two hops: the CDN sends the action to another origin, which redirects again with a relative Location.
    emulator.fault({ route: 'cdn', match: '/media/', redirectTo: `${elsewhere.cdnUrl}/sources/hop.mp4` });
    elsewhere.fault({ route: 'cdn', match: '/sources/hop.mp4', redirectTo: '/sources/moved.mp4' });
    const run = await runAction(inputs());
    expect(run.errors).toEqual([]);
    expect((await readFile(join(dir, 'clip-2x.mp4'))).equals(emulator.resultBytes())).toBe(true);
    expect(elsewhere.cdnRequests().map((request) => request.path)).toEqual(['/sources/hop.mp4', '/sources/moved.mp4']);
    expectNoAuthorization(emulator);
    expectNoAuthorization(elsewhere);
  });

  it('stops after 5 redirects', async () => {
    emulator.fault({ route: 'cdn', match: '/media/', redirectTo: '/media/loop', times: 50 });
    const run = await runAction(inputs());
    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(/redirected more than 5 times/);
    expect(resultRequests()).toHaveLength(6);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('failures leave no file behind', () => {
  it('retries a body cut short and ends with an intact file', async () => {
    emulator.configure({ processingPolls: 0, resultBytes: 200_000 });
    emulator.fault({ route: 'cdn', match: '/media/', truncateAfterBytes: 50_000 });
    const run = await runAction(inputs());
    expect(run.errors).toEqual([]);
    expect(resultRequests()).toHaveLength(2);
    expect(run.stdout).toMatch(/broke off after 50000 of 200000 bytes.*Retrying in [\d.]+s \(attempt 2 of 4\)/);
    expect((await readFile(join(dir, 'clip-2x.mp4'))).equals(emulator.resultBytes())).toBe(true);
    expect(await readdir(dir)).toEqual(['clip-2x.mp4']);
  });

  it('gives up on a body that keeps breaking off short of its Content-Length', async () => {
    emulator.configure({ processingPolls: 0, resultBytes: 200_000 });
    emulator.fault({ route: 'cdn', match: '/media/', truncateAfterBytes: 50_000, times: 10 });
    const run = await runAction(inputs());
    expect(run.code).toBe(1);
    expect(resultRequests()).toHaveLength(4);
    const taskId = run.outputs['task-id']!;
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/failed after 4 attempts: .*broke off after 50000 of 200000 bytes/);
    expect(run.errors[0]).toContain(`task-id: ${taskId}`);
    expect(run.outputs['video-url']).toContain(taskId); // the URL is still handed on
    expect(run.outputs['video-path']).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
    expect(run.summary).toContain('**Error**');
    expect(run.summary).toContain(`\`task-id: ${taskId}\``);
  });

  it('gives up on a result host that keeps answering 503', async () => {
    emulator.fault({ route: 'cdn', match: '/media/', status: 503, times: 10 });
    const run = await runAction(inputs());
    expect(run.code).toBe(1);
    expect(resultRequests()).toHaveLength(4);
    expect(run.errors[0]).toMatch(/failed after 4 attempts: The result host answered HTTP 503/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('does not retry a 404', async () => {
    emulator.fault({ route: 'cdn', match: '/media/', status: 404 });
    const run = await runAction(inputs());
    expect(run.code).toBe(1);
    expect(resultRequests()).toHaveLength(1);
    expect(run.errors[0]).toMatch(/answered HTTP 404/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses an HTML page served with status 200 instead of the MP4', async () => {
    emulator.fault({
      route: 'cdn',
      match: '/media/',
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: '<!DOCTYPE html><html><body><h1>Access denied</h1></body></html>',
    });
    const run = await runAction(inputs());
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/did not send a video: it is an HTML page \(content-type text\/html; charset=utf-8\), not an MP4/);
    expect(run.errors[0]).toContain('Access denied');
    expect(resultRequests()).toHaveLength(1);
    expect(await readdir(dir)).toEqual([]);
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
  });

  it('removes the partial file when the step is cancelled mid-download', async () => {
    emulator.configure({ processingPolls: 0, resultBytes: 1_000_000 });
    emulator.fault({ route: 'cdn', match: '/media/', stallAfterBytes: 100_000 });
    let watching = false;
    let sawPartial = false;
    const run = await runAction(inputs(), {
      onStdout: (text, child) => {
        if (watching || !text.includes('::group::Downloading')) return;
        watching = true;
        const timer = setInterval(() => {
          void readdir(dir).then((names) => {
            if (names.some((name) => name.endsWith('.part'))) {
              sawPartial = true;
              clearInterval(timer);
              child.kill('SIGTERM');
            }
          });
        }, 20);
      },
    });
    expect(sawPartial).toBe(true);
    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(/Cancelled while delivering the result of task task_\w+; no partial file was left behind/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('checked before anything is submitted', () => {
  it('refuses a download-path that is not a writable directory', async () => {
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    const run = await runAction(inputs({ 'download-path': file }));
    expect(run.code).toBe(1);
    expect(run.errors).toEqual([`Input 'download-path' must be a writable directory; ${JSON.stringify(file)} is not (a file is in the way).`]);
    expect(emulator.apiRequests()).toHaveLength(0);
  });

  it.each([
    [{ 'retention-days': '120' }, /Input 'retention-days' must be a whole number of days from 1 to 90.*"120"/],
    [{ 'artifact-name': 'a/b' }, /Input 'artifact-name' contains "\/"/],
    [{ wait: 'false' }, /Input 'download' needs wait: true/],
  ])('rejects %o in one line', async (bad, pattern) => {
    const run = await runAction(inputs(bad));
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(pattern);
    expect(emulator.apiRequests()).toHaveLength(0);
  });

  it('warns that retention-days does nothing without artifact-name', async () => {
    const run = await runAction(inputs({ 'retention-days': '5' }));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("::warning::Input 'retention-days' has no effect without 'artifact-name'.");
  });
});

describe('proxies', () => {
  const proxy = new ConnectProxy();
  beforeAll(() => proxy.start().then(() => undefined));
  afterAll(() => proxy.stop());

  it('downloads through HTTP_PROXY', async () => {
    proxy.tunnels.length = 0;
    const run = await runAction(inputs(), { env: { HTTP_PROXY: proxy.url } });
    expect(run.errors).toEqual([]);
    expect(proxy.tunnels).toContain(new URL(emulator.cdnUrl).host);
    expect((await readFile(join(dir, 'clip-2x.mp4'))).equals(emulator.resultBytes())).toBe(true);
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    proxy.tunnels.length = 0;
    const run = await runAction(inputs(), { env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
    expect(run.errors).toEqual([]);
    expect(proxy.tunnels).toEqual([]);
    expect(existsSync(join(dir, 'clip-2x.mp4'))).toBe(true);
  });
});

describe('memory', () => {
  /**
   * Makes the child print its peak resident set size when it exits: VmHWM, the
   * high-water mark of its own address space since exec. (getrusage's maxRSS
   * also counts the parent's RSS at fork, here the test process holding the
   * previous result, so it would measure the test, not the action.) No `?` in
   * it: Node 20 cuts a data: URL's text at one.
   */
  const REPORT_PEAK = `--import=data:text/javascript,import{readFileSync}from'node:fs';process.on('exit',()=>process.stderr.write('peak-rss-kb='+((readFileSync('/proc/self/status','utf8').match(/VmHWM:\\s*(\\d+)/)||[])[1]||process.resourceUsage().maxRSS)))`;
  const peakKb = (stderr: string) => Number(/peak-rss-kb=(\d+)/.exec(stderr)?.[1]);

  it('streams a result to disk without holding it in memory: peak RSS stays flat from 64 to 256 MiB', async () => {
    const peakFor = async (bytes: number) => {
      emulator.configure({ processingPolls: 0, resultBytes: bytes });
      const run = await runAction(inputs(), { env: { NODE_OPTIONS: REPORT_PEAK } });
      expect(run.errors).toEqual([]);
      const path = join(dir, 'clip-2x.mp4');
      if (bytes <= 64 * 1024 * 1024) expect((await readFile(path)).equals(emulator.resultBytes())).toBe(true);
      else expect((await stat(path)).size).toBe(bytes);
      await rm(path);
      return peakKb(run.stderr);
    };
    const baseline = await peakFor(4096);
    const mid = await peakFor(64 * 1024 * 1024);
    const large = await peakFor(256 * 1024 * 1024);
    const mib = (kb: number) => Math.round(kb / 1024);
    console.log(`peak RSS: ${mib(baseline)} MiB for a 4 KiB result, ${mib(mid)} MiB for 64 MiB, ${mib(large)} MiB for 256 MiB`);
    expect(baseline).toBeGreaterThan(0);
    // Holding the file would add at least 64 MiB; streaming adds a few buffers.
    expect(mid - baseline).toBeLessThan(32 * 1024);
    // Flat as the size grows: dead read buffers are collected as the download goes (4× the bytes, at most a little more memory).
    expect(large - mid).toBeLessThan(12 * 1024);
  });
});
