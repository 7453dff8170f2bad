/**
 * Downloading the result through dist/index.js in a child process: what needs a process of its own (cancelling
 * mid-download, proxies from the environment, peak RSS). The rest: test/integration/download.test.ts.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { ConnectProxy } from '../helpers/connect-proxy';
import { runAction } from '../helpers/run-action';

const fixture = useActionFixture({
  reset: { processingPolls: 0 },
  tempDir: true,
  inputs: () => ({ 'video-url': fixture.emulator.sourceUrl('clip.mp4'), download: 'true', 'download-path': fixture.dir }),
});
const { emulator, inputs } = fixture;

describe('failures leave no file behind', () => {
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
          void readdir(fixture.dir).then((names) => {
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
    expect(await readdir(fixture.dir)).toEqual([]);
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
    expect((await readFile(join(fixture.dir, 'clip-2x.mp4'))).equals(emulator.resultBytes())).toBe(true);
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    proxy.tunnels.length = 0;
    const run = await runAction(inputs(), { env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
    expect(run.errors).toEqual([]);
    expect(proxy.tunnels).toEqual([]);
    expect(existsSync(join(fixture.dir, 'clip-2x.mp4'))).toBe(true);
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
      const path = join(fixture.dir, 'clip-2x.mp4');
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
