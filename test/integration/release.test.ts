/**
 * src/release/assets.ts against the local GitHub fake (test/helpers/fake-github.ts)
 * over loopback: lookup by tag, skip, replace with the smallest gap, retries
 * and cleanup, refusals, where the token goes, and flat memory on a large upload.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findRelease, uploadAsset, type AssetFile } from '../../src/release/assets';
import { createReleaseClient, type ReleaseInfo } from '../../src/release/github-api';
import { MAX_ASSET_BYTES } from '../../src/release/upload';
import { hashFile } from '../../src/delivery/file-hash';
import { CancelledError, ReleaseError } from '../../src/shared/errors';
import type { RetryPolicy } from '../../src/http/retry';
import { ACTION_NODE } from '../helpers/action-node';
import { Bystander, FakeGitHub, sha256Digest, type FakeRelease } from '../helpers/fake-github';
import { SILENT } from '../../src/shared/log';

const FAST: RetryPolicy = { maxAttempts: 4, baseMs: 10, capMs: 40, retryAfterCapMs: 40, maxFormatErrors: 0 };
const TASK = 'task-7f3a9c';
const NAME = 'clip-4x.mp4';

const fake = new FakeGitHub();
const bystander = new Bystander();
let dir = '';
let logs: string[] = [];
let warnings: string[] = [];

beforeAll(async () => {
  await Promise.all([fake.start(), bystander.start()]);
  dir = await mkdtemp(join(tmpdir(), 'release-test-'));
});
afterAll(async () => {
  await Promise.all([fake.stop(), bystander.stop()]);
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fake.reset();
  bystander.requests.length = 0;
  logs = [];
  warnings = [];
});
afterEach(() => {
  // The token reaches the fake's API and upload origins only, and nothing else is ever contacted.
  expect(bystander.requests).toEqual([]);
  for (const line of [...logs, ...warnings]) {
    expect(line).not.toMatch(/[\r\n]/);
    expect(line).not.toContain(fake.token);
  }
});

function client(overrides: { token?: string; apiUrl?: string } = {}) {
  return createReleaseClient({
    token: overrides.token ?? fake.token,
    owner: fake.owner,
    repo: fake.repo,
    apiUrl: overrides.apiUrl ?? fake.apiUrl,
    log: { ...SILENT, info: (m) => logs.push(m), warning: (m) => warnings.push(m) },
    retry: FAST,
  });
}

/** An MP4-ish file on disk, with its hash, ready to upload. */
async function clip(bytes: Buffer, name = NAME): Promise<AssetFile> {
  const path = join(dir, `${randomBytes(4).toString('hex')}-${name}`);
  await writeFile(path, bytes);
  return { path, name, ...(await hashFile(path)) };
}

function video(size = 64 * 1024): Buffer {
  const data = randomBytes(size);
  data.write('\u0000\u0000\u0000\u0018ftypisom', 0, 'latin1');
  return data;
}

async function failure(promise: Promise<unknown>): Promise<ReleaseError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ReleaseError);
  const message = (error as Error).message;
  expect(message).not.toMatch(/\p{Cc}/u);
  expect(message).not.toContain(fake.token);
  return error as ReleaseError;
}

async function published(tag = 'v1.0.0'): Promise<{ fakeRelease: FakeRelease; release: ReleaseInfo }> {
  const fakeRelease = fake.addRelease(tag);
  const release = await findRelease(client(), tag);
  fake.requests.length = 0;
  return { fakeRelease, release };
}

function uploads() {
  return fake.requestsTo('uploads', 'POST');
}

describe('findRelease', () => {
  it('finds a published release by tag with one request', async () => {
    const made = fake.addRelease('v1.0.0');
    const release = await findRelease(client(), 'v1.0.0');
    expect(release).toEqual({
      id: made.id,
      tag: 'v1.0.0',
      htmlUrl: `${fake.apiUrl}/octo-org/video-pipeline/releases/tag/v1.0.0`,
      uploadUrl: `${fake.uploadBase}/repos/octo-org/video-pipeline/releases/${made.id}/assets{?name,label}`,
      draft: false,
      immutable: false,
    });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /repos/octo-org/video-pipeline/releases/tags/v1.0.0']);
    expect(fake.requests[0]!.headers.authorization).toBe(`token ${fake.token}`);
  });

  it('finds a draft through the paginated list (getReleaseByTag 404s on drafts)', async () => {
    fake.maxPerPage = 2;
    const draft = fake.addRelease('v2.0.0-rc', { draft: true });
    for (let n = 0; n < 4; n++) fake.addRelease(`v1.${n}`);
    const release = await findRelease(client(), 'v2.0.0-rc');
    expect(release).toMatchObject({ id: draft.id, draft: true, immutable: false });
    // Newest first, two per page: the draft (oldest) is on page 3, reached through the Link headers.
    expect(fake.requests.map((r) => r.path)).toEqual([
      '/repos/octo-org/video-pipeline/releases/tags/v2.0.0-rc',
      '/repos/octo-org/video-pipeline/releases?per_page=100',
      '/repos/octo-org/video-pipeline/releases?per_page=2&page=2',
      '/repos/octo-org/video-pipeline/releases?per_page=2&page=3',
    ]);
  });

  it('refuses a published immutable release in one line: upload to a draft, then publish', async () => {
    fake.addRelease('v1.0.0', { immutable: true });
    const error = await failure(findRelease(client(), 'v1.0.0'));
    expect(error.message).toBe(
      'Release v1.0.0 of octo-org/video-pipeline is published and immutable, so its assets can no longer change: upload to a draft release first, then publish it.',
    );
  });

  it('accepts a draft of a repository with immutable releases (it is not published yet)', async () => {
    fake.addRelease('v3', { draft: true, immutable: true });
    await expect(findRelease(client(), 'v3')).resolves.toMatchObject({ draft: true, immutable: true });
  });

  it('refuses a missing tag, saying how to create it', async () => {
    fake.addRelease('v1.0.0');
    const error = await failure(findRelease(client(), 'v9.9.9'));
    expect(error.message).toBe(
      'No release of octo-org/video-pipeline has the tag "v9.9.9": create it first (e.g. `gh release create v9.9.9 --draft`) or fix `release-tag` (drafts are visible only to a token with `contents: write`).',
    );
  });

  it('refuses a bad token (401), naming github-token, without retrying', async () => {
    fake.addRelease('v1.0.0');
    const error = await failure(findRelease(client({ token: 'ghs_wrong' }), 'v1.0.0'));
    expect(error.message).toBe(
      'GitHub refused the token (HTTP 401) looking up release v1.0.0 of octo-org/video-pipeline: set `github-token` to a valid token (the default is `${{ github.token }}`).',
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('refuses a token without access (403), naming contents: write', async () => {
    fake.addRelease('v1.0.0');
    fake.fail('lookup', { status: 403, message: 'Resource not accessible by integration' });
    const error = await failure(findRelease(client(), 'v1.0.0'));
    expect(error.message).toBe(
      'The token may not read the releases of octo-org/video-pipeline (HTTP 403): give the job `permissions: contents: write`, or pass a token that has it in `github-token`.',
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('says when the repository is not there or not visible to the token', async () => {
    const other = createReleaseClient({ token: fake.token, owner: 'octo-org', repo: 'gone', apiUrl: fake.apiUrl, retry: FAST });
    const error = await failure(findRelease(other, 'v1.0.0'));
    expect(error.message).toBe('Repository octo-org/gone was not found or the token cannot see it (HTTP 404): check GITHUB_REPOSITORY and `github-token`.');
  });

  it('retries a 502 on the lookup', async () => {
    fake.addRelease('v1.0.0');
    fake.fail('lookup', { status: 502 });
    await expect(findRelease(client(), 'v1.0.0')).resolves.toMatchObject({ tag: 'v1.0.0' });
    expect(fake.requests).toHaveLength(2);
    expect(logs[0]).toMatch(/^Looking up release v1\.0\.0 in octo-org\/video-pipeline failed: HTTP 502 \(Server Error\)\. Retrying in /);
  });
});

describe('uploadAsset', () => {
  it('uploads a new asset, streamed to upload_url with the headers GitHub needs', async () => {
    const { fakeRelease, release } = await published();
    const file = await clip(video());
    const result = await uploadAsset(client(), release, file, { taskId: TASK });
    expect(result).toEqual({
      name: NAME,
      browserDownloadUrl: `${fake.apiUrl}/octo-org/video-pipeline/releases/download/v1.0.0/${NAME}`,
      skipped: false,
      replaced: false,
    });
    expect(fakeRelease.assets).toHaveLength(1);
    expect(fakeRelease.assets[0]).toMatchObject({ name: NAME, state: 'uploaded', size: file.bytes, digest: `sha256:${file.sha256}`, contentType: 'video/mp4' });
    expect(uploads()).toHaveLength(1);
    const post = uploads()[0]!;
    expect(post.path).toBe(`/repos/octo-org/video-pipeline/releases/${release.id}/assets?name=${NAME}`);
    expect(post.headers).toMatchObject({ authorization: `Bearer ${fake.token}`, 'content-type': 'video/mp4', 'content-length': String(file.bytes) });
    expect(logs).toContain(`Uploaded ${NAME} to release v1.0.0.`);
  });

  it('skips the same bytes: no upload request, and says so', async () => {
    const { fakeRelease, release } = await published();
    const file = await clip(video());
    fake.addAsset(fakeRelease, NAME, Buffer.alloc(0), { digest: `sha256:${file.sha256}` });
    const result = await uploadAsset(client(), release, file, { taskId: TASK });
    expect(result).toMatchObject({ name: NAME, skipped: true, replaced: false });
    expect(uploads()).toEqual([]);
    expect(fake.requests.map((r) => r.method)).toEqual(['GET']);
    expect(logs).toContain(`${NAME} is already in release v1.0.0 with the same SHA-256; not uploaded again.`);
  });

  it('skips the same bytes even with a read-only token (nothing to write)', async () => {
    const { fakeRelease, release } = await published();
    const file = await clip(video());
    fake.addAsset(fakeRelease, NAME, Buffer.alloc(0), { digest: `sha256:${file.sha256}` });
    fake.readOnly = true;
    await expect(uploadAsset(client(), release, file, { taskId: TASK })).resolves.toMatchObject({ skipped: true });
  });

  it.each([
    ['different bytes', 'digest'],
    ['an old asset without a digest', null],
  ])('replaces %s: uploaded under a temporary name first; the name is missing only between the delete and the rename', async (_label, digest) => {
    const { fakeRelease, release } = await published();
    const old = fake.addAsset(fakeRelease, NAME, video(), digest === null ? { digest: null } : {});
    const file = await clip(video(200 * 1024));
    const result = await uploadAsset(client(), release, file, { taskId: TASK });
    expect(result).toMatchObject({ name: NAME, skipped: false, replaced: true });
    expect(fakeRelease.assets).toHaveLength(1);
    expect(fakeRelease.assets[0]).toMatchObject({ name: NAME, state: 'uploaded', digest: `sha256:${file.sha256}` });
    expect(fakeRelease.assets[0]!.id).not.toBe(old.id);
    const gaps = fake.gaps(fakeRelease, NAME);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.opened).toMatchObject({ kind: 'delete', assetId: old.id });
    expect(gaps[0]!.closed).toMatchObject({ kind: 'rename', name: NAME, from: expect.stringMatching(/^clip-4x\.mp4\.partial-[0-9a-f]{8}$/) as unknown });
    expect(gaps[0]!.between).toEqual([]);
    // The whole upload came before the delete.
    const kinds = fake.events.filter((e) => e.kind !== 'seed').map((e) => e.kind);
    expect(kinds).toEqual(['upload-request', 'create', 'uploaded', 'delete', 'rename']);
    expect(fakeRelease.assets[0]!.data?.equals(await import('node:fs/promises').then((fs) => fs.readFile(file.path)))).toBe(true);
  });

  it('uploads to a draft release', async () => {
    const draft = fake.addRelease('v2-draft', { draft: true });
    const release = await findRelease(client(), 'v2-draft');
    const result = await uploadAsset(client(), release, await clip(video()), { taskId: TASK });
    expect(result.skipped).toBe(false);
    expect(draft.assets.map((a) => [a.name, a.state])).toEqual([[NAME, 'uploaded']]);
  });

  it('removes leftovers of an earlier run that stopped part-way before uploading', async () => {
    const { fakeRelease, release } = await published();
    fake.addAsset(fakeRelease, NAME, Buffer.alloc(10), { state: 'starter', digest: null });
    fake.addAsset(fakeRelease, `${NAME}.partial-0badf00d`, video());
    fake.addAsset(fakeRelease, 'other.mp4', video());
    const file = await clip(video());
    await uploadAsset(client(), release, file, { taskId: TASK });
    expect(fakeRelease.assets.map((a) => [a.name, a.state]).sort()).toEqual([
      [NAME, 'uploaded'],
      ['other.mp4', 'uploaded'],
    ]);
  });

  it('retries a 502 that left a starter asset, removing it first; no stray assets', async () => {
    const { fakeRelease, release } = await published();
    fake.fail('upload', { status: 502, leaveStarter: true });
    const file = await clip(video());
    const result = await uploadAsset(client(), release, file, { taskId: TASK });
    expect(result.skipped).toBe(false);
    expect(uploads()).toHaveLength(2);
    expect(fakeRelease.assets.map((a) => [a.name, a.state, a.digest])).toEqual([[NAME, 'uploaded', `sha256:${file.sha256}`]]);
    const kinds = fake.events.map((e) => e.kind);
    expect(kinds).toEqual(['upload-request', 'create', 'upload-failed', 'delete', 'upload-request', 'create', 'uploaded']);
    expect(logs.some((l) => /^Uploading clip-4x\.mp4: HTTP 502 \(Bad Gateway\)\. Retrying in /.test(l))).toBe(true);
  });

  it('retries a 502 during a replacement; the old asset stays until the new one is complete', async () => {
    const { fakeRelease, release } = await published();
    fake.addAsset(fakeRelease, NAME, video());
    fake.fail('upload', { status: 502, leaveStarter: true });
    const file = await clip(video());
    await uploadAsset(client(), release, file, { taskId: TASK });
    expect(fakeRelease.assets.map((a) => [a.name, a.state, a.digest])).toEqual([[NAME, 'uploaded', `sha256:${file.sha256}`]]);
    expect(fake.gaps(fakeRelease, NAME)).toEqual([expect.objectContaining({ between: [] })]);
  });

  it('gives up after the last attempt leaving the old asset in place and no temporary asset, naming the task id', async () => {
    const { fakeRelease, release } = await published();
    const old = fake.addAsset(fakeRelease, NAME, video());
    fake.fail('upload', { status: 502, leaveStarter: true }, FAST.maxAttempts);
    const error = await failure(uploadAsset(client(), release, await clip(video()), { taskId: TASK }));
    expect(error.message).toBe(
      `Uploading ${NAME} to release v1.0.0 failed: HTTP 502 (Bad Gateway). Gave up after 4 attempts. Task ${TASK} is complete: re-run with \`task-id: ${TASK}\` to upload its result without paying again.`,
    );
    expect(uploads()).toHaveLength(FAST.maxAttempts);
    expect(fakeRelease.assets).toEqual([old]);
    expect(fake.gaps(fakeRelease, NAME)).toEqual([]);
  });

  it('a refused delete leaves the old asset and removes the temporary one', async () => {
    const { fakeRelease, release } = await published();
    const old = fake.addAsset(fakeRelease, NAME, video());
    fake.fail('delete', { status: 403, message: 'Resource not accessible by integration' });
    const error = await failure(uploadAsset(client(), release, await clip(video()), { taskId: TASK }));
    expect(error.message).toContain('(HTTP 403): the token can read but not write');
    expect(fakeRelease.assets).toEqual([old]);
  });

  it('retries a 429 with Retry-After', async () => {
    const { fakeRelease, release } = await published();
    fake.fail('upload', { status: 429, retryAfter: '0', message: 'You have exceeded a secondary rate limit' });
    await uploadAsset(client(), release, await clip(video()), { taskId: TASK });
    expect(uploads()).toHaveLength(2);
    expect(fakeRelease.assets).toHaveLength(1);
  });

  it('retries a secondary rate limit (403 with Retry-After), which is not a permission problem', async () => {
    const { fakeRelease, release } = await published();
    fake.fail('upload', { status: 403, retryAfter: '0', message: 'You have exceeded a secondary rate limit' }, FAST.maxAttempts);
    const error = await failure(uploadAsset(client(), release, await clip(video()), { taskId: TASK }));
    expect(error.message).toMatch(
      /^Uploading clip-4x\.mp4 to release v1\.0\.0 failed: HTTP 403 \(You have exceeded a secondary rate limit\)\. Gave up after 4 attempts\. Task /,
    );
    expect(error.message).not.toContain('contents: write');
    expect(uploads()).toHaveLength(FAST.maxAttempts);
    expect(fakeRelease.assets).toEqual([]);
  });

  it('retries a connection reset mid-upload, removing the unfinished asset', async () => {
    const { fakeRelease, release } = await published();
    fake.fail('upload', { resetAfterBytes: 256 * 1024 });
    const file = await clip(video(2 * 1024 * 1024));
    await uploadAsset(client(), release, file, { taskId: TASK });
    expect(uploads()).toHaveLength(2);
    expect(fakeRelease.assets.map((a) => [a.name, a.state, a.size])).toEqual([[NAME, 'uploaded', file.bytes]]);
    expect(fake.events.map((e) => e.kind)).toEqual(['upload-request', 'create', 'upload-failed', 'delete', 'upload-request', 'create', 'uploaded']);
    expect(logs.some((l) => /^Uploading clip-4x\.mp4: The upload \(\d+ of 2097152 bytes sent\) failed \(/.test(l))).toBe(true);
  });

  it('explains a 422 already_exists as a race with another job, without retrying', async () => {
    const { fakeRelease, release } = await published();
    fake.fail('upload', { status: 422, code: 'already_exists', message: 'Validation Failed' });
    const error = await failure(uploadAsset(client(), release, await clip(video()), { taskId: TASK }));
    expect(error.message).toBe(
      `${NAME} appeared in release v1.0.0 while this job was uploading it (HTTP 422 already_exists): another job is delivering to the same release and name; give each job its own names or run them one after another. Task ${TASK} is complete: re-run with \`task-id: ${TASK}\` to upload its result without paying again.`,
    );
    expect(error.code).toBe('already_exists');
    expect(uploads()).toHaveLength(1);
    expect(fakeRelease.assets).toEqual([]);
  });

  it('takes an asset with the same bytes that another job uploaded meanwhile', async () => {
    const { fakeRelease, release } = await published();
    const file = await clip(video());
    // Another job wins the race with identical bytes: our upload meets 422, and the name already holds what it should.
    fake.fail('upload', {
      status: 422,
      code: 'already_exists',
      then: () => fake.addAsset(fakeRelease, NAME, Buffer.alloc(0), { digest: `sha256:${file.sha256}` }),
    });
    const promise = uploadAsset(client(), release, file, { taskId: TASK });
    const result = await promise;
    expect(result).toMatchObject({ name: NAME, skipped: false });
    expect(fakeRelease.assets.filter((a) => a.name === NAME)).toHaveLength(1);
  });

  it('fails at once on a token that can read but not write, naming contents: write and the task id', async () => {
    const { fakeRelease, release } = await published();
    fake.readOnly = true;
    const error = await failure(uploadAsset(client(), release, await clip(video()), { taskId: TASK }));
    expect(error.message).toBe(
      `GitHub refused to change ${NAME} in release v1.0.0 (HTTP 403): the token can read but not write: give the job \`permissions: contents: write\`, or pass a token that has it in \`github-token\`. Task ${TASK} is complete: re-run with \`task-id: ${TASK}\` to upload its result without paying again.`,
    );
    expect(uploads()).toHaveLength(1);
    expect(fakeRelease.assets).toEqual([]);
  });

  it('explains a release that became immutable (published) after the lookup', async () => {
    const { fakeRelease, release } = await published();
    Object.assign(fakeRelease, { immutable: true });
    const error = await failure(uploadAsset(client(), release, await clip(video()), { taskId: TASK }));
    expect(error.message).toMatch(
      /^Release v1\.0\.0 was published as immutable meanwhile, so its assets can no longer change: upload to a draft release first, then publish it\. Task task-7f3a9c /,
    );
    expect(uploads()).toHaveLength(1);
  });

  it('a rename refused after the delete says where the new file is', async () => {
    const { fakeRelease, release } = await published();
    fake.addAsset(fakeRelease, NAME, video());
    fake.fail('rename', { status: 422, code: 'already_exists', message: 'Validation Failed' });
    const file = await clip(video());
    const error = await failure(uploadAsset(client(), release, file, { taskId: TASK }));
    expect(error.message).toMatch(
      /^clip-4x\.mp4 appeared in release v1\.0\.0 while this job was uploading it \(HTTP 422 already_exists\): .* The old clip-4x\.mp4 is deleted and the new file is in the release as clip-4x\.mp4\.partial-[0-9a-f]{8}; rename it, or re-run\. Task task-7f3a9c is complete: /,
    );
    expect(fakeRelease.assets.map((a) => [a.name.replace(/[0-9a-f]{8}$/, 'X'), a.digest])).toEqual([[`${NAME}.partial-X`, `sha256:${file.sha256}`]]);
  });

  it('a cancelled upload stops at once; the next run removes what it left and uploads', async () => {
    const { fakeRelease, release } = await published();
    const controller = new AbortController();
    fake.fail('upload', { stallAfterBytes: 64 * 1024, then: () => setTimeout(() => controller.abort(), 100) });
    const file = await clip(video(4 * 1024 * 1024));
    const cancelled = createReleaseClient({
      token: fake.token,
      owner: fake.owner,
      repo: fake.repo,
      apiUrl: fake.apiUrl,
      retry: FAST,
      signal: controller.signal,
    });
    await expect(uploadAsset(cancelled, release, file, { taskId: TASK })).rejects.toBeInstanceOf(CancelledError);
    expect(fakeRelease.assets.map((a) => [a.name, a.state])).toEqual([[NAME, 'starter']]);
    await uploadAsset(client(), release, file, { taskId: TASK });
    expect(fakeRelease.assets.map((a) => [a.name, a.state, a.digest])).toEqual([[NAME, 'uploaded', `sha256:${file.sha256}`]]);
  });

  it('refuses a file of 2 GiB before any request, naming the limit (sparse file)', async () => {
    const { release } = await published();
    const path = join(dir, 'huge.mp4');
    await writeFile(path, '');
    await truncate(path, MAX_ASSET_BYTES);
    const error = await failure(uploadAsset(client(), release, { path, name: 'huge.mp4', sha256: '0'.repeat(64), bytes: MAX_ASSET_BYTES }, { taskId: TASK }));
    expect(error.message).toBe(
      `huge.mp4 is 2147483648 bytes; GitHub release assets must be under 2 GiB (2147483648 bytes), so it is not uploaded. Task ${TASK} is complete: its result can still be downloaded with \`task-id: ${TASK}\`.`,
    );
    expect(fake.requests).toEqual([]);
    await rm(path);
  });
});

describe('the token goes only to GITHUB_API_URL and the release upload host', () => {
  it('refuses a release whose upload_url is on another host, before anything is paid for', async () => {
    const elsewhere = bystander.url.replace('127.0.0.1', 'localhost');
    fake.addRelease('v1.0.0', { uploadUrl: `${elsewhere}/repos/octo-org/video-pipeline/releases/1/assets{?name,label}` });
    const error = await failure(findRelease(client(), 'v1.0.0'));
    expect(error.message).toBe(
      `Release v1.0.0's upload_url is on ${elsewhere}, neither GITHUB_API_URL's host nor its uploads host; the token is not sent there.`,
    );
  });

  it('does not follow a redirect from the upload host', async () => {
    const { fakeRelease, release } = await published();
    fake.fail('upload', { redirectTo: `${bystander.url}/steal` });
    const error = await failure(uploadAsset(client(), release, await clip(video()), { taskId: TASK }));
    expect(error.message).toContain(`The upload host redirected to ${bystander.url}/steal; not followed`);
    expect(fakeRelease.assets).toEqual([]);
  });

  it('does not follow an API redirect to another origin', async () => {
    fake.addRelease('v1.0.0');
    fake.fail('lookup', { redirectTo: `${bystander.url}/repos/octo-org/video-pipeline/releases/tags/v1.0.0` });
    const error = await failure(findRelease(client(), 'v1.0.0'));
    expect(error.message).toBe(
      `GitHub's API pointed the request at ${bystander.url}, not at GITHUB_API_URL's origin (${fake.apiUrl}); the token is only sent there.`,
    );
  });

  it('follows an API redirect within its origin (a renamed repository)', async () => {
    fake.addRelease('v1.0.0');
    fake.fail('lookup', { redirectTo: `${fake.apiUrl}/repos/octo-org/video-pipeline/releases/tags/v1.0.0` });
    await expect(findRelease(client(), 'v1.0.0')).resolves.toMatchObject({ tag: 'v1.0.0' });
    expect(fake.requests.every((r) => r.headers.authorization === `token ${fake.token}`)).toBe(true);
  });
});

describe('GitHub Enterprise Server layout (API under /api/v3, uploads under /api/uploads on the same origin)', () => {
  const ghes = new FakeGitHub({ layout: 'ghes' });
  beforeAll(() => ghes.start().then(() => undefined));
  afterAll(() => ghes.stop());

  it('finds the release and uploads to its own upload_url', async () => {
    const made = ghes.addRelease('v1.0.0');
    const ghesClient = createReleaseClient({ token: ghes.token, owner: ghes.owner, repo: ghes.repo, apiUrl: ghes.apiUrl, retry: FAST });
    const release = await findRelease(ghesClient, 'v1.0.0');
    expect(release.uploadUrl).toBe(`${ghes.uploadBase}/repos/octo-org/video-pipeline/releases/${made.id}/assets{?name,label}`);
    const result = await uploadAsset(ghesClient, release, await clip(video()), { taskId: TASK });
    expect(result.browserDownloadUrl).toBe(`${new URL(ghes.apiUrl).origin}/octo-org/video-pipeline/releases/download/v1.0.0/${NAME}`);
    expect(ghes.requestsTo('uploads', 'POST').map((r) => r.path)).toEqual([
      `/api/uploads/repos/octo-org/video-pipeline/releases/${made.id}/assets?name=${NAME}`,
    ]);
  });
});

describe('memory', () => {
  it('streams a 200 MB file: peak RSS grows by far less than the file (measured in a child process)', async () => {
    const { fakeRelease, release } = await published();
    fake.keepData = false;
    const path = join(dir, 'big-4x.mp4');
    await writeFile(path, video(1024));
    await truncate(path, 200 * 1024 * 1024);
    const { sha256, bytes } = await hashFile(path);
    const warmupPath = join(dir, 'warmup.mp4');
    await writeFile(warmupPath, video(1024));
    await truncate(warmupPath, 16 * 1024 * 1024);
    const warmup = { path: warmupPath, name: 'warmup.mp4', ...(await hashFile(warmupPath)) };
    const job = {
      apiUrl: fake.apiUrl,
      token: fake.token,
      owner: fake.owner,
      repo: fake.repo,
      tag: release.tag,
      path,
      name: 'big-4x.mp4',
      sha256,
      bytes,
      warmup,
    };
    const child = spawn(ACTION_NODE, ['--import', 'tsx', resolve(import.meta.dirname, '../helpers/release-upload-child.ts'), JSON.stringify(job)], {
      cwd: resolve(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout.trim()) as { baselineRss: number; peakRss: number; maxRssKiB: number; heapBefore: unknown; heapAfter: unknown };
    console.log(JSON.stringify({ heapBefore: report.heapBefore, heapAfter: report.heapAfter }));
    const growth = report.peakRss - report.baselineRss;
    console.log(
      `200 MiB upload: RSS ${(report.baselineRss / 2 ** 20).toFixed(0)} MiB before, peak ${(report.peakRss / 2 ** 20).toFixed(0)} MiB (growth ${(growth / 2 ** 20).toFixed(1)} MiB; maxRSS ${(report.maxRssKiB / 1024).toFixed(0)} MiB)`,
    );
    expect(growth).toBeLessThan(100 * 1024 * 1024);
    expect(fakeRelease.assets.map((a) => [a.name, a.state, a.size, a.digest])).toContainEqual(['big-4x.mp4', 'uploaded', bytes, `sha256:${sha256}`]);
    await rm(path);
    await rm(warmupPath);
  }, 120_000);

  it('hashes files as streams (sha256 of the bytes)', async () => {
    const data = video(300 * 1024);
    const file = await clip(data);
    expect(`sha256:${file.sha256}`).toBe(sha256Digest(data));
    expect(file.bytes).toBe(data.length);
  });
});
