/**
 * result-bucket through dist/index.js as the runner runs it, against a
 * SigV4-verifying S3 store on loopback: results stored byte for byte with the
 * outputs, a bucket that refuses writes stops the step before anything is
 * submitted, and a large result is streamed with flat memory. Variants:
 * test/integration/result-bucket.test.ts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { runAction, type ActionRun } from '../helpers/run-action';
import { S3_CREDENTIALS, S3TestServer } from '../helpers/s3-server';

const s3 = new S3TestServer(['results']);
const fixture = useActionFixture({ reset: { processingPolls: 0 }, tempDir: true, services: [s3] });
const { emulator } = fixture;

function run(inputs: Record<string, string> = {}, env: Record<string, string> = {}): Promise<ActionRun> {
  const all = {
    'video-url': emulator.sourceUrl('clip.mp4'),
    'result-bucket': 's3://results/ci/',
    's3-endpoint': s3.endpoint,
    's3-region': s3.region,
    ...inputs,
  };
  return runAction(fixture.inputs(all), { env: { ...s3.env(), ...env }, killAfterMs: 120_000 });
}

/** Peak resident set size of the action's own process (VmHWM), printed at exit; see test/e2e/download.test.ts. */
const REPORT_PEAK = `--import=data:text/javascript,import{readFileSync}from'node:fs';process.on('exit',()=>process.stderr.write('peak-rss-kb='+((readFileSync('/proc/self/status','utf8').match(/VmHWM:\\s*(\\d+)/)||[])[1]||process.resourceUsage().maxRSS)))`;
const peakKb = (stderr: string) => Number(/peak-rss-kb=(\d+)/.exec(stderr)?.[1]);
const MIB = 1024 * 1024;

describe('result-bucket through dist/', () => {
  it('stores the result byte for byte, with bucket-objects, and saves it too with download: true', async () => {
    emulator.configure({ processingPolls: 0, resultBytes: 250_000 });
    const result = await run({ download: 'true', 'download-path': fixture.dir });
    expect(result.errors).toEqual([]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.outputs['bucket-objects']!)).toEqual(['s3://results/ci/clip-2x.mp4']);
    expect(JSON.parse(result.outputs.results!)[0].bucket_object).toBe('s3://results/ci/clip-2x.mp4');
    const stored = await s3.object('results', 'ci/clip-2x.mp4');
    expect(stored?.bytes.equals(emulator.resultBytes())).toBe(true);
    expect(stored?.contentType).toBe('video/mp4');
    expect((await readFile(join(fixture.dir, 'clip-2x.mp4'))).equals(emulator.resultBytes())).toBe(true);
    expect(await s3.keys('results')).toEqual(['ci/clip-2x.mp4']);
    const visible = result.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    expect(visible + result.summary + JSON.stringify(result.outputs)).not.toContain(S3_CREDENTIALS.secretAccessKey);
    expect(s3.requestsHolding(fixture.key)).toEqual([]);
  });

  it('stops before anything is submitted when the bucket refuses writes (exit 1, one line)', async () => {
    s3.fault({ kind: 'refuse-writes' });
    const result = await run();
    expect(result.code).toBe(1);
    expect(result.errors).toEqual([
      "Input 'result-bucket': s3://results/ci/ did not accept a test write: S3 answered HTTP 403 AccessDenied (Access Denied). Nothing was submitted.",
    ]);
    expect(emulator.apiRequests('submit')).toEqual([]);
    expect(s3.requests.map((request) => [request.method, request.code])).toEqual([['PUT', 'AccessDenied']]);
  });

  it('streams a 200 MiB result into the bucket without holding it: peak RSS stays flat against a 4 KiB one', { timeout: 240_000 }, async () => {
    const peakFor = async (bytes: number) => {
      emulator.configure({ processingPolls: 0, resultBytes: bytes });
      s3.reset();
      const result = await run({ verify: 'off' }, { NODE_OPTIONS: REPORT_PEAK });
      expect(result.errors).toEqual([]);
      const stored = await s3.object('results', 'ci/clip-2x.mp4');
      expect(stored?.bytes.length).toBe(bytes);
      if (bytes <= MIB) expect(stored?.bytes.equals(emulator.resultBytes())).toBe(true);
      return peakKb(result.stderr);
    };
    const small = await peakFor(4096);
    const large = await peakFor(200 * MIB);
    const mib = (kb: number) => Math.round(kb / 1024);
    console.log(`peak RSS while storing: ${mib(small)} MiB for a 4 KiB result, ${mib(large)} MiB for 200 MiB`);
    expect(small).toBeGreaterThan(0);
    // Holding the result would add 200 MiB; streaming adds a few buffers.
    expect(large - small).toBeLessThan(32 * 1024);
  });
});
