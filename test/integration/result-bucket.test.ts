/**
 * result-bucket, the action run in process against the emulator and a
 * SigV4-verifying S3 store on loopback: writes proven before anything is paid
 * for, results streamed into the bucket byte for byte, retries that restart
 * from the result host, and no credential where it does not belong.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { runInProcess, type InProcessRun } from '../helpers/run-in-process';
import { S3_CREDENTIALS, S3TestServer } from '../helpers/s3-server';
import { FakeGitHub } from '../helpers/fake-github';

const s3 = new S3TestServer(['results']);
const github = new FakeGitHub();
const fixture = useActionFixture({
  reset: { processingPolls: 0 },
  services: [s3, github],
  tempDir: true,
  inputs: () => ({
    'video-url': fixture.emulator.sourceUrl('clip.mp4'),
    'result-bucket': 's3://results/renders/',
    's3-endpoint': s3.endpoint,
    's3-region': s3.region,
  }),
});
const { emulator, inputs } = fixture;

const run = (extra: Record<string, string> = {}, env: Record<string, string> = s3.env()) => runInProcess(inputs(extra), { env });
const submits = () => emulator.apiRequests('submit');
const resultPuts = () => s3.requests.filter((r) => r.method === 'PUT' && !r.path.includes('.reapi-write-check'));
const SECRET = S3_CREDENTIALS.secretAccessKey;
const failure = (result: InProcessRun) => result.errors.join('\n');
const warnings = (result: InProcessRun) =>
  result.stdout
    .split('\n')
    .filter((line) => line.startsWith('::warning'))
    .join('\n');

/** Nothing the user sees holds the AWS secret in any spelling; the API key never went to the store, nor AWS credentials to reApi or its CDN. */
function expectNoLeaks(result: InProcessRun): void {
  // ::add-mask:: is how the runner is told to hide a secret: the one line that must hold it.
  const stdout = result.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
  const seen = [...stdout, result.summary, JSON.stringify(result.outputs)].join('\n');
  for (const spelling of [SECRET, encodeURIComponent(SECRET), JSON.stringify(SECRET).slice(1, -1)]) expect(seen).not.toContain(spelling);
  expect(s3.requestsHolding(fixture.key)).toEqual([]);
  for (const request of emulator.requests) {
    const text = JSON.stringify(request);
    expect(text).not.toContain(S3_CREDENTIALS.accessKeyId);
    expect(text).not.toContain(encodeURIComponent(SECRET));
  }
}

describe('result-bucket', () => {
  it('proves writes first, then streams the result into the bucket byte for byte, with the outputs', async () => {
    emulator.configure({ processingPolls: 0, resultBytes: 300_000 });
    const result = await run();
    expect(result.errors).toEqual([]);
    expect(result.code).toBe(0);
    const stored = await s3.object('results', 'renders/clip-2x.mp4');
    expect(stored?.bytes.equals(emulator.resultBytes())).toBe(true);
    expect(stored?.contentType).toBe('video/mp4');
    expect(await s3.keys('results')).toEqual(['renders/clip-2x.mp4']); // the write check was deleted
    expect(JSON.parse(result.outputs['bucket-objects']!)).toEqual(['s3://results/renders/clip-2x.mp4']);
    expect(JSON.parse(result.outputs.results!)[0].bucket_object).toBe('s3://results/renders/clip-2x.mp4');
    expect(result.stdout).toContain('Result bucket s3://results/renders/ accepts writes.');
    expect(result.stdout).toMatch(/Stored s3:\/\/results\/renders\/clip-2x\.mp4 \(293\.0 KiB\)/);
    expect(result.summary).toContain('s3://results/renders/clip-2x.mp4');
    // The marker PUT and DELETE, then the result: every request signed, none anonymous.
    expect(s3.requests.map((r) => [r.method, r.path.replace(/write-check-[0-9a-f]+/, 'write-check-X'), r.auth, r.status])).toEqual([
      ['PUT', '/results/renders/.reapi-write-check-X', 'header', 200],
      ['DELETE', '/results/renders/.reapi-write-check-X', 'header', 204],
      ['PUT', '/results/renders/clip-2x.mp4', 'header', 200],
    ]);
    // Streamed, not downloaded: one fetch of the result, nothing on disk.
    expect(emulator.cdnRequests().filter((r) => r.path.startsWith('/media/') && r.method === 'GET' && !r.headers.range)).toHaveLength(1);
    expect(result.outputs['video-path']).toBeUndefined();
    expectNoLeaks(result);
  });

  it('stores the saved file with download: true, and several results under the download names', async () => {
    emulator.plan('pair', { processingPolls: 0, resultCount: 2 });
    const result = await run({ 'video-url': emulator.sourceUrl('pair.mov'), download: 'true', 'download-path': fixture.dir, 'upscale-factor': '4' });
    expect(result.errors).toEqual([]);
    const keys = ['renders/pair-4x-1.mp4', 'renders/pair-4x-2.mp4'];
    expect(await s3.keys('results')).toEqual(keys);
    for (const [index, key] of keys.entries()) {
      const saved = await readFile(join(fixture.dir, key.slice('renders/'.length)));
      expect((await s3.object('results', key))?.bytes.equals(saved)).toBe(true);
      expect(saved.equals(emulator.resultBytes(index))).toBe(true);
    }
    expect(JSON.parse(result.outputs['bucket-objects']!)).toEqual(keys.map((key) => `s3://results/${key}`));
  });

  it('lists the objects of a batch in source order, whichever clip finishes first', async () => {
    emulator.plan('slow', { processingPolls: 3 });
    const sources = [emulator.sourceUrl('slow.mp4'), emulator.sourceUrl('fast.mp4')];
    const result = await run({ 'video-url': sources.join('\n'), concurrency: '2' });
    expect(result.errors).toEqual([]);
    const objects = ['s3://results/renders/slow-2x.mp4', 's3://results/renders/fast-2x.mp4'];
    expect(JSON.parse(result.outputs['bucket-objects']!)).toEqual(objects);
    expect((JSON.parse(result.outputs.results!) as Array<{ bucket_object: string }>).map((clip) => clip.bucket_object)).toEqual(objects);
    expect(result.stdout).toContain('[#2 fast.mp4] Stored s3://results/renders/fast-2x.mp4');
    expect(result.summary).toContain('| Stored |');
    expect(result.summary).toMatch(/\| `s3:\/\/results\/renders\/slow-2x\.mp4` \|\n\| 2 \|/);
    expect(result.summary).toMatch(/\| 2 \|\n\n\*\*Upscale factor\*\*/);
    // One write check for the run, not one per clip.
    expect(s3.requests.filter((r) => r.path.includes('.reapi-write-check'))).toHaveLength(2);
  });

  it('refuses to run, unpaid, when the bucket refuses writes', async () => {
    s3.fault({ kind: 'refuse-writes' });
    const result = await run();
    expect(result.code).not.toBe(0);
    expect(failure(result)).toMatch(
      /^Input 'result-bucket': s3:\/\/results\/renders\/ did not accept a test write: S3 answered HTTP 403 AccessDenied \(Access Denied\)\. Nothing was submitted\.$/,
    );
    expect(submits()).toEqual([]);
    expect(s3.requests.map((r) => [r.method, r.code])).toEqual([['PUT', 'AccessDenied']]);
    expect(result.outputs['bucket-objects']).toBeUndefined();
  });

  it('only warns when the write check cannot be deleted', async () => {
    s3.fault({ kind: 'refuse-writes', puts: false, deletes: true });
    const result = await run();
    expect(result.code).toBe(0);
    expect(warnings(result)).toMatch(
      /Could not delete the write check s3:\/\/results\/renders\/\.reapi-write-check-[0-9a-f]{16} \(S3 answered HTTP 403 AccessDenied/,
    );
    expect((await s3.keys('results')).filter((key) => key.includes('write-check'))).toHaveLength(1);
    expect(await s3.object('results', 'renders/clip-2x.mp4')).toBeDefined();
  });

  it('refuses a wrong secret before anything is submitted, naming S3 code', async () => {
    const result = await run({}, s3.env({ ...S3_CREDENTIALS, secretAccessKey: 'not-the-secret' }));
    expect(failure(result)).toContain('SignatureDoesNotMatch');
    expect(failure(result)).toContain('Nothing was submitted.');
    expect(submits()).toEqual([]);
    expect(await s3.keys('results')).toEqual([]);
  });

  it('names the missing credentials, and sends no request', async () => {
    const result = await run({}, {});
    expect(failure(result)).toMatch(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set/);
    expect(emulator.requests).toEqual([]);
    expect(s3.requests).toEqual([]);
  });

  it('sends the session token with every request', async () => {
    s3.credentials = { ...S3_CREDENTIALS, sessionToken: 'FwoGZXIvYXdzE-session/token+1' };
    const result = await run({}, s3.env());
    expect(result.errors).toEqual([]);
    expect(s3.requests.every((r) => r.headers['x-amz-security-token'] === 'FwoGZXIvYXdzE-session/token+1')).toBe(true);
    expect(result.stdout).toContain('::add-mask::FwoGZXIvYXdzE-session/token+1');
    expectNoLeaks(result);
  });

  it('retries a 503 and a reset while storing, restarting the stream from the result host', async () => {
    emulator.configure({ processingPolls: 0, resultBytes: 400_000 });
    s3.fault({ kind: 'status', status: 503, code: 'SlowDown', times: 1, match: 'clip-2x' });
    s3.fault({ kind: 'reset', afterBytes: 100_000, times: 1, match: 'clip-2x' });
    const result = await run();
    expect(result.errors).toEqual([]);
    expect((await s3.object('results', 'renders/clip-2x.mp4'))?.bytes.equals(emulator.resultBytes())).toBe(true);
    expect(resultPuts().map((r) => r.status)).toEqual([503, 0, 200]);
    const fetches = emulator.cdnRequests().filter((r) => r.path.startsWith('/media/') && r.method === 'GET' && !r.headers.range);
    expect(fetches).toHaveLength(3);
    expect(result.stdout.match(/Storing s3:\/\/results\/renders\/clip-2x\.mp4 failed \(.*\); trying again/g)).toHaveLength(2);
  });

  it('retries when the result host breaks off mid-stream', async () => {
    emulator.configure({ processingPolls: 0, resultBytes: 400_000 });
    emulator.fault({ route: 'cdn', match: '/media/', truncateAfterBytes: 150_000 });
    const result = await run({ verify: 'off' });
    expect(result.errors).toEqual([]);
    expect((await s3.object('results', 'renders/clip-2x.mp4'))?.bytes.equals(emulator.resultBytes())).toBe(true);
  });

  it('spools a result whose host sends no length, then stores it whole', async () => {
    emulator.configure({ processingPolls: 0, resultBytes: 200_000 });
    emulator.fault({ route: 'cdn', match: '/media/', noLength: true, times: 5 });
    const result = await run({ verify: 'off' });
    expect(result.errors).toEqual([]);
    expect((await s3.object('results', 'renders/clip-2x.mp4'))?.bytes.equals(emulator.resultBytes())).toBe(true);
    expect(resultPuts()[0]?.headers['content-length']).toBe('200000');
  });

  it('names the object, S3 code and the task when storing fails for good, and never prints a secret S3 echoes', async () => {
    s3.fault({ kind: 'echo-secret', status: 500, times: 10, match: 'clip-2x' });
    const result = await run();
    const taskId = result.outputs['task-id']!;
    expect(result.code).not.toBe(0);
    expect(failure(result)).toContain('Storing the result as s3://results/renders/clip-2x.mp4 failed: S3 answered HTTP 500 InternalError');
    expect(failure(result)).toContain(`Task ${taskId} is completed, so re-running with task-id: ${taskId} delivers it again without paying.`);
    expect(failure(result)).toContain('***');
    expect(JSON.parse(result.outputs.results!)[0].bucket_object).toBeNull();
    expect(resultPuts()).toHaveLength(4);
    expectNoLeaks(result);
  });

  it('works with release-tag: the result goes to the bucket and to the release, each credential to its own host', async () => {
    const release = github.addRelease('v2.0.0');
    const result = await run({ 'release-tag': 'v2.0.0', 'github-token': github.token, 'download-path': fixture.dir }, { ...s3.env(), ...github.env() });
    expect(result.errors).toEqual([]);
    expect(release.assets[0]?.data?.equals(emulator.resultBytes())).toBe(true);
    expect((await s3.object('results', 'renders/clip-2x.mp4'))?.bytes.equals(emulator.resultBytes())).toBe(true);
    const [clip] = JSON.parse(result.outputs.results!) as Array<{ bucket_object: string | null; release_asset_url: string | null }>;
    expect(clip?.bucket_object).toBe('s3://results/renders/clip-2x.mp4');
    expect(clip?.release_asset_url).toMatch(/clip-2x\.mp4$/);
    expect(s3.requestsHolding(github.token)).toEqual([]);
    for (const request of github.requests) expect(JSON.stringify(request)).not.toContain(S3_CREDENTIALS.accessKeyId);
    expectNoLeaks(result);
  });

  it('does not store a wrong result under verify: fail', async () => {
    emulator.addFixture('clip.mp4', 'clip-3.2s-faststart.mp4');
    emulator.plan('clip.mp4', { processingPolls: 0, result: 'wrong-size' });
    const result = await run({ verify: 'fail' });
    expect(result.code).not.toBe(0);
    expect(resultPuts()).toEqual([]);
    expect(await s3.keys('results')).toEqual([]);
  });
});
