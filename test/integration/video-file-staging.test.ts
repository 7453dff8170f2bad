/**
 * video-file staged for real: the action uploads each workspace file to an S3-compatible store on loopback (s3rver
 * behind a SigV4-verifying front), submits a presigned GET URL that the emulator fetches as reApi does (a plain GET,
 * at submit and again while rendering), and deletes the object once its task is done, or keeps it while the task
 * may still need it.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES_DIR, fixtureBytes } from '../emulator/emulator';
import { useActionFixture } from '../helpers/action-fixture';
import { runInProcess, type InProcessRun } from '../helpers/run-in-process';
import { S3_CREDENTIALS, S3_REGION, S3TestServer } from '../helpers/s3-server';

const s3 = new S3TestServer();
const fixture = useActionFixture({ reset: { processingPolls: 1 }, tempDir: true, services: [s3] });
const { emulator } = fixture;
beforeEach(() => s3.reset());

async function workspaceFiles(files: Record<string, string>): Promise<void> {
  for (const [name, clip] of Object.entries(files)) {
    await mkdir(join(fixture.dir, name, '..'), { recursive: true });
    await copyFile(fileURLToPath(new URL(clip, FIXTURES_DIR)), join(fixture.dir, name));
  }
}

function run(inputs: Record<string, string>, env: Record<string, string> = s3.env()): Promise<InProcessRun> {
  return runInProcess(
    fixture.inputs({ 'source-bucket': 's3://staging/reapi/', 's3-endpoint': s3.endpoint, 's3-region': S3_REGION, verify: 'off', ...inputs }),
    { env: { GITHUB_WORKSPACE: fixture.dir, GITHUB_RUN_ID: '4242', GITHUB_RUN_ATTEMPT: '1', GITHUB_JOB: 'upscale', ...env } },
  );
}

function results(result: InProcessRun): Array<Record<string, unknown>> {
  return JSON.parse(result.outputs.results ?? '[]') as Array<Record<string, unknown>>;
}

/** The video_url of each submission the emulator received. */
function submittedUrls(): string[] {
  return emulator.apiRequests('submit').map((request) => (JSON.parse(request.body) as { video_url: string }).video_url);
}

/** Everything the run printed or wrote, to check that no presigned URL (or its signature) leaked. */
function everything(result: InProcessRun): string {
  // The runner's masking commands (::add-mask::) carry the secrets on purpose.
  const stdout = result.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  return stdout + result.stderr + result.summary + JSON.stringify(result.outputs);
}

/** No signature anywhere; unless `echoed` (reApi quoted the URL back, scrubbed), no presigned URL at all. */
function expectNoPresignedUrl(result: InProcessRun, echoed = false): void {
  for (const url of submittedUrls().filter((submitted) => submitted.startsWith(s3.endpoint))) {
    const signature = new URL(url).searchParams.get('X-Amz-Signature') ?? '';
    expect(signature).not.toBe('');
    expect(everything(result)).not.toContain(signature);
  }
  if (!echoed) expect(everything(result)).not.toContain('X-Amz-');
  expect(everything(result)).not.toContain(S3_CREDENTIALS.secretAccessKey);
}

describe('one file, end to end', () => {
  it('stages it with its content type, submits a presigned URL reApi can GET, then deletes it', async () => {
    await workspaceFiles({ 'media/intro.mov': 'clip-2.4s-moov-at-end.mov' });
    const result = await run({ 'video-file': 'media/intro.mov' });
    expect(result.errors).toEqual([]);
    expect(result.outputs.status).toBe('completed');
    expect(results(result)).toMatchObject([{ source: 'media/intro.mov', status: 'completed', billable_seconds: 3 }]);

    // One signed PUT of the bytes, with the real Content-Type, under a key of this run and file.
    const puts = s3.requests.filter((request) => request.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatchObject({ auth: 'header', status: 200, bodyBytes: fixtureBytes('clip-2.4s-moov-at-end.mov').length });
    expect(puts[0]?.headers['content-type']).toBe('video/quicktime');
    expect(puts[0]?.path).toMatch(/^\/staging\/reapi\/4242-1-upscale-[0-9a-f]{12}\/1-[0-9a-f]{16}\/intro\.mov$/);

    // reApi got a presigned URL and fetched it as a plain GET, at submit and while rendering; the store verified both.
    const [url] = submittedUrls();
    expect(url?.startsWith(`${s3.endpoint}${puts[0]?.path}?`)).toBe(true);
    // It lives for what is left of the 30 s timeout, plus an hour.
    const expires = Number(new URL(url as string).searchParams.get('X-Amz-Expires'));
    expect(expires).toBeGreaterThan(3600);
    expect(expires).toBeLessThanOrEqual(30 + 3600);
    expect(emulator.sourceFetches.map((fetch) => [fetch.phase, fetch.status, fetch.bytes])).toEqual([
      ['submit', 200, puts[0]?.bodyBytes],
      ['render', 200, puts[0]?.bodyBytes],
    ]);
    expect(s3.requests.filter((request) => request.method === 'GET').every((request) => request.auth === 'presigned')).toBe(true);

    // Deleted once the task completed, and named in the log.
    const uri = `s3://staging${puts[0]?.path.slice('/staging'.length)}`;
    expect(s3.requests.at(-1)).toMatchObject({ method: 'DELETE', status: 204 });
    expect(await s3.keys('staging')).toEqual([]);
    expect(result.stdout).toContain(`Staged media/intro.mov as ${uri} (`);
    expect(result.stdout).toContain(`Deleted the staged ${uri}.`);
    expect(result.stdout).toContain('Submitting media/intro.mov for 2× upscaling');
    expectNoPresignedUrl(result);
    // The API key went to the API only; no AWS secret went to reApi (a presigned URL names the key id, never the secret).
    expect(JSON.stringify(s3.requests)).not.toContain(fixture.key);
    for (const spelling of [S3_CREDENTIALS.secretAccessKey, encodeURIComponent(S3_CREDENTIALS.secretAccessKey)]) {
      expect(JSON.stringify(emulator.requests)).not.toContain(spelling);
    }
  });
});

describe('several sources', () => {
  it('URLs first, then files in input order (globs sorted), each staged under its own key', async () => {
    await workspaceFiles({ 'r/b.mp4': 'clip-3.2s-faststart.mp4', 'r/a.mp4': 'clip-3.2s-faststart.mp4', 'c.mkv': 'clip-5s.mkv' });
    const url = emulator.addFixture('remote.mp4', 'clip-3.2s-faststart.mp4');
    const out = join(fixture.dir, 'out');
    const result = await run({ 'video-url': url, 'video-file': 'c.mkv\nr/*.mp4', concurrency: '2', download: 'true', 'download-path': out });
    expect(result.errors).toEqual([]);
    // Results are named after each file, as after a URL's last segment.
    expect(results(result).map((clip) => [clip.source, clip.status, clip.video_path])).toEqual([
      [url, 'completed', join(out, 'remote-2x.mp4')],
      ['c.mkv', 'completed', join(out, 'c-2x.mp4')],
      ['r/a.mp4', 'completed', join(out, 'a-2x.mp4')],
      ['r/b.mp4', 'completed', join(out, 'b-2x.mp4')],
    ]);
    const puts = s3.requests.filter((request) => request.method === 'PUT');
    expect(puts.map((request) => request.headers['content-type']).sort()).toEqual(['video/mp4', 'video/mp4', 'video/x-matroska']);
    // a.mp4 and b.mp4 hold the same bytes: still two keys, so deleting one never pulls the other from under its task.
    expect(new Set(puts.map((request) => request.path)).size).toBe(3);
    expect(submittedUrls()).toHaveLength(4);
    expect(await s3.keys('staging')).toEqual([]);
    expectNoPresignedUrl(result);
  });
});

describe('when the task is not done, the object stays', () => {
  it('wait: false keeps it and names it', async () => {
    await workspaceFiles({ 'clip.mp4': 'clip-3.2s-faststart.mp4' });
    const result = await run({ 'video-file': 'clip.mp4', wait: 'false' });
    expect(result.errors).toEqual([]);
    expect(result.outputs.status).toBe('processing');
    const keys = await s3.keys('staging');
    expect(keys).toHaveLength(1);
    expect(s3.requests.some((request) => request.method === 'DELETE')).toBe(false);
    expect(result.stdout).toContain(`Kept the staged s3://staging/${keys[0]}: task ${result.outputs['task-id']} may still fetch it`);
  });

  it('a timeout keeps it too', async () => {
    emulator.plan('clip.mp4', { never: true });
    await workspaceFiles({ 'clip.mp4': 'clip-3.2s-faststart.mp4' });
    const result = await run({ 'video-file': 'clip.mp4', timeout: '3s' });
    expect(result.outputs.status).toBe('processing');
    expect(await s3.keys('staging')).toHaveLength(1);
    expect(result.stdout).toContain('Kept the staged s3://staging/');
  });
});

describe('when the task fails or is refused, the object goes', () => {
  it('a failed task: deleted', async () => {
    emulator.plan('clip.mp4', { fail: { code: 'E_RENDER', message: 'render failed' } });
    await workspaceFiles({ 'clip.mp4': 'clip-3.2s-faststart.mp4' });
    const result = await run({ 'video-file': 'clip.mp4' });
    expect(result.code).toBe(1);
    expect(results(result)[0]).toMatchObject({ status: 'failed', source: 'clip.mp4' });
    expect(await s3.keys('staging')).toEqual([]);
    expect(result.stdout).toMatch(/Deleted the staged s3:\/\/staging\//);
  });

  it('a submission reApi refused (it could not fetch the URL): deleted, and the URL not echoed', async () => {
    // The store refuses reApi's GET: the emulator answers 30002 with the URL in its message, as reApi does.
    s3.fault({ kind: 'status', status: 403, code: 'AccessDenied', times: 1, method: 'GET' });
    await workspaceFiles({ 'clip.mp4': 'clip-3.2s-faststart.mp4' });
    const result = await run({ 'video-file': 'clip.mp4' });
    expect(result.code).toBe(1);
    expect(result.errors.join('\n')).toMatch(/30002/);
    expect(emulator.tasks.size).toBe(0);
    expect(await s3.keys('staging')).toEqual([]);
    expectNoPresignedUrl(result, true);
  });
});

describe('the store', () => {
  it('a 503 on staging is retried, then the run goes on', async () => {
    s3.fault({ kind: 'status', status: 503, code: 'SlowDown', times: 1, method: 'PUT' });
    await workspaceFiles({ 'clip.mp4': 'clip-3.2s-faststart.mp4' });
    const result = await run({ 'video-file': 'clip.mp4' });
    expect(result.errors).toEqual([]);
    expect(s3.requests.filter((request) => request.method === 'PUT').map((request) => request.status)).toEqual([503, 200]);
    expect(result.outputs.status).toBe('completed');
  });

  it('a wrong secret: the clip fails naming the bucket and S3 code, nothing is submitted', async () => {
    await workspaceFiles({ 'clip.mp4': 'clip-3.2s-faststart.mp4' });
    const wrong = { ...S3_CREDENTIALS, secretAccessKey: 'not-the-secret/at+all' };
    const result = await run({ 'video-file': 'clip.mp4' }, s3.env(wrong));
    expect(result.code).toBe(1);
    expect(result.errors.join('\n')).toMatch(
      /Staging clip\.mp4 in bucket staging failed: S3 answered HTTP 403 SignatureDoesNotMatch \(.*\); nothing was submitted/,
    );
    expect(emulator.apiRequests('submit')).toEqual([]);
    expect(results(result)[0]).toMatchObject({ status: 'failed', task_id: null });
    expect(everything(result)).not.toContain(wrong.secretAccessKey);
  });

  it('a store that echoes the secret in its refusal: the clip fails, the secret scrubbed everywhere', async () => {
    s3.fault({ kind: 'echo-secret', status: 403, times: 1 });
    await workspaceFiles({ 'clip.mp4': 'clip-3.2s-faststart.mp4' });
    const result = await run({ 'video-file': 'clip.mp4' });
    expect(result.code).toBe(1);
    expect(result.errors.join('\n')).toMatch(/Staging clip\.mp4 in bucket staging failed: S3 answered HTTP 403 .*nothing was submitted/);
    expect(emulator.apiRequests('submit')).toEqual([]);
    for (const spelling of [
      S3_CREDENTIALS.secretAccessKey,
      encodeURIComponent(S3_CREDENTIALS.secretAccessKey),
      JSON.stringify(S3_CREDENTIALS.secretAccessKey).slice(1, -1),
    ]) {
      expect(everything(result)).not.toContain(spelling);
    }
  });

  it('session credentials: the URL carries the token, and a timeout over an hour is warned about', async () => {
    s3.credentials = { ...S3_CREDENTIALS, sessionToken: 'FwoGZXIvYXdzEBYaDSessionToken+/=' };
    await workspaceFiles({ 'clip.mp4': 'clip-3.2s-faststart.mp4' });
    const result = await run({ 'video-file': 'clip.mp4', timeout: '2h' });
    expect(result.errors).toEqual([]);
    expect(result.stdout).toMatch(/::warning::Input 'timeout' is longer than an hour, but the AWS credentials are session credentials/);
    expect(new URL(submittedUrls()[0] as string).searchParams.get('X-Amz-Security-Token')).toBe(s3.credentials.sessionToken);
    const expires = Number(new URL(submittedUrls()[0] as string).searchParams.get('X-Amz-Expires'));
    expect(expires).toBeGreaterThan(2 * 3600 + 3000);
    expect(expires).toBeLessThanOrEqual(2 * 3600 + 3600);
    expect(emulator.sourceFetches.every((fetch) => fetch.status === 200)).toBe(true);
    expect(everything(result)).not.toContain(s3.credentials.sessionToken);
  });

  it('a dry run uploads nothing', async () => {
    await workspaceFiles({ 'clip.mp4': 'clip-3.2s-faststart.mp4' });
    const result = await run({ 'video-file': 'clip.mp4', 'dry-run': 'true' });
    expect(result.outputs.status).toBe('dry-run');
    expect(s3.requests).toEqual([]);
    expect(emulator.requests).toEqual([]);
  });
});
