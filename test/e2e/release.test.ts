/**
 * release-tag through dist/index.js in a child process: one upload, and the peak RSS of a 200 MB one. The emulator
 * stands in for reApi and the source/result host, test/helpers/fake-github.ts for GitHub's REST API and its upload
 * host (GITHUB_API_URL points at it). The behaviour: test/integration/release-action.test.ts.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { FakeGitHub, sha256Digest } from '../helpers/fake-github';
import { runAction, type ActionRun } from '../helpers/run-action';

const KEY = 'test-key';
const github = new FakeGitHub();
const fixture = useActionFixture({
  reset: { processingPolls: 0 },
  services: [github],
  tempDir: true,
  inputs: () => ({
    'video-url': fixture.emulator.sourceUrl('clip.mp4'),
    'download-path': fixture.dir,
    'release-tag': 'v1.0.0',
    'github-token': github.token,
  }),
});
const { emulator, inputs } = fixture;
const runs: ActionRun[] = [];
beforeEach(() => {
  runs.length = 0;
});
afterEach(() => {
  // The token goes to GitHub only: never to reApi, the source host or the result host (one emulator serves all three).
  for (const request of emulator.requests) expect(JSON.stringify(request.headers)).not.toContain(github.token);
  // Every request GitHub saw carried the token and no API key.
  for (const request of github.requests) expect(JSON.stringify(request.headers)).not.toContain(KEY);
  // Nor is it in any output, the summary or the logs (the runner masks a secret, but the action must not print it).
  for (const run of runs) {
    for (const text of [run.stdout.replace(`::add-mask::${github.token}`, ''), run.stderr, run.summary, JSON.stringify(run.outputs)]) {
      expect(text).not.toContain(github.token);
    }
  }
});

async function run(extra: Record<string, string> = {}, env: Record<string, string> = {}): Promise<ActionRun> {
  const result = await runAction(inputs(extra), { env: { ...github.env(), ...env } });
  runs.push(result);
  return result;
}

describe('release-tag (smoke)', () => {
  it('uploads the result as an asset of the release and links it', async () => {
    const release = github.addRelease('v1.0.0');
    const result = await run();
    expect(result.errors).toEqual([]);
    expect(result.code).toBe(0);
    expect(release.assets.map((asset) => [asset.name, asset.state, asset.digest])).toEqual([['clip-2x.mp4', 'uploaded', sha256Digest(emulator.resultBytes())]]);
    const assetUrl = `${github.apiUrl}/${github.owner}/${github.repo}/releases/download/v1.0.0/clip-2x.mp4`;
    expect(JSON.parse(result.outputs['release-asset-urls']!)).toEqual([assetUrl]);
    expect(result.summary).toContain(`| **Release asset** | [clip-2x.mp4](${assetUrl}) |`);
  });
});

describe('memory', () => {
  /** Peak resident set size of the action's own process (VmHWM), printed at exit; see test/e2e/download.test.ts. */
  const REPORT_PEAK = `--import=data:text/javascript,import{readFileSync}from'node:fs';process.on('exit',()=>process.stderr.write('peak-rss-kb='+((readFileSync('/proc/self/status','utf8').match(/VmHWM:\\s*(\\d+)/)||[])[1]||process.resourceUsage().maxRSS)))`;
  const peakKb = (stderr: string) => Number(/peak-rss-kb=(\d+)/.exec(stderr)?.[1]);

  it('uploads a 200 MB result with flat peak RSS (compared with a 4 KiB one)', async () => {
    github.keepData = false;
    const peakFor = async (bytes: number, tag: string) => {
      const release = github.addRelease(tag);
      emulator.configure({ processingPolls: 0, resultBytes: bytes });
      const result = await run({ 'release-tag': tag }, { NODE_OPTIONS: REPORT_PEAK });
      expect(result.errors).toEqual([]);
      expect(release.assets.map((asset) => [asset.name, asset.state, asset.size])).toEqual([['clip-2x.mp4', 'uploaded', bytes]]);
      await rm(join(fixture.dir, 'clip-2x.mp4'));
      return peakKb(result.stderr);
    };
    const small = await peakFor(4096, 'v-small');
    const large = await peakFor(200 * 1024 * 1024, 'v-large');
    const mib = (kb: number) => Math.round(kb / 1024);
    console.log(`release upload peak RSS: ${mib(small)} MiB for a 4 KiB result, ${mib(large)} MiB for 200 MiB (download, hash and upload)`);
    expect(small).toBeGreaterThan(0);
    // Holding the file would add 200 MiB; streaming adds a few buffers (measured: about 9 MiB; 88 MiB before the
    // hash and the upload collected their dead read buffers as the download does).
    expect(large - small).toBeLessThan(32 * 1024);
  }, 180_000);
});
