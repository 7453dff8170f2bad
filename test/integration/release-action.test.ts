/**
 * release-tag, the action run in process: the emulator stands in for reApi and the source/result host,
 * test/helpers/fake-github.ts for GitHub's REST API and its upload host (GITHUB_API_URL points at it, as on GitHub
 * Enterprise Server).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { FakeGitHub, sha256Digest, type FakeRelease } from '../helpers/fake-github';
import type { ActionRun } from '../helpers/run-action';
import { runInProcess as runAction } from '../helpers/run-in-process';

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

function uploads() {
  return github.requestsTo('uploads', 'POST');
}

function assetUrl(name: string, tag = 'v1.0.0'): string {
  return `${github.apiUrl}/${github.owner}/${github.repo}/releases/download/${tag}/${name}`;
}

function uploaded(release: FakeRelease) {
  return release.assets.map((asset) => [asset.name, asset.state, asset.digest]);
}

interface Result {
  task_id: string | null;
  status: string;
  release_asset_url: string | null;
  error: string | null;
}

function results(result: ActionRun): Result[] {
  return JSON.parse(result.outputs.results ?? 'null') as Result[];
}

describe('release-tag', () => {
  it('uploads the result as a new asset, streamed with its size and type, and links it', async () => {
    const release = github.addRelease('v1.0.0');
    const result = await run();
    expect(result.errors).toEqual([]);
    expect(result.code).toBe(0);
    expect(uploaded(release)).toEqual([['clip-2x.mp4', 'uploaded', sha256Digest(emulator.resultBytes())]]);
    expect(release.assets[0]?.data?.equals(emulator.resultBytes())).toBe(true);
    const post = uploads()[0];
    expect(post?.headers['content-type']).toBe('video/mp4');
    expect(post?.headers['content-length']).toBe(String(emulator.resultBytes().length));
    expect(post?.headers.authorization).toBe(`Bearer ${github.token}`);

    expect(result.outputs['release-url']).toBe(`${github.apiUrl}/${github.owner}/${github.repo}/releases/tag/v1.0.0`);
    expect(JSON.parse(result.outputs['release-asset-urls']!)).toEqual([assetUrl('clip-2x.mp4')]);
    expect(results(result)[0]?.release_asset_url).toBe(assetUrl('clip-2x.mp4'));
    expect(result.outputs['video-path']).toBe(join(fixture.dir, 'clip-2x.mp4'));
    expect(result.summary).toContain(`| **Release asset** | [clip-2x.mp4](${assetUrl('clip-2x.mp4')}) |`);
    expect(result.summary).toContain('| **Release** | [');
    expect(result.stdout).toContain('Release v1.0.0 found (published)');
    expect(result.stdout).toContain('Uploaded clip-2x.mp4 to release v1.0.0.');
  });

  it('skips the upload when the release already has the same bytes under the name', async () => {
    const release = github.addRelease('v1.0.0');
    const old = github.addAsset(release, 'clip-2x.mp4', emulator.resultBytes());
    const result = await run();
    expect(result.errors).toEqual([]);
    expect(uploads()).toEqual([]);
    expect(github.requests.filter((r) => r.method === 'DELETE' || r.method === 'PATCH')).toEqual([]);
    expect(release.assets).toEqual([old]);
    expect(result.stdout).toContain('clip-2x.mp4 is already in release v1.0.0 with the same SHA-256; not uploaded again.');
    expect(JSON.parse(result.outputs['release-asset-urls']!)).toEqual([assetUrl('clip-2x.mp4')]);
    expect(result.summary).toContain(`[clip-2x.mp4](${assetUrl('clip-2x.mp4')}) (unchanged, not uploaded again)`);
  });

  it('replaces different bytes: the name is missing only between the delete and the rename, with no upload in between', async () => {
    const release = github.addRelease('v1.0.0');
    github.addAsset(release, 'clip-2x.mp4', Buffer.from('an older render'));
    const result = await run();
    expect(result.errors).toEqual([]);
    expect(uploaded(release)).toEqual([['clip-2x.mp4', 'uploaded', sha256Digest(emulator.resultBytes())]]);
    const gaps = github.gaps(release, 'clip-2x.mp4');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]?.opened.kind).toBe('delete');
    expect(gaps[0]?.closed?.kind).toBe('rename');
    expect(gaps[0]?.closed?.from).toMatch(/^clip-2x\.mp4\.partial-[0-9a-f]{8}$/);
    expect(gaps[0]?.between).toEqual([]);
    // The new file was uploaded completely (under its temporary name) before the old one was deleted.
    const kinds = github.events.map((event) => event.kind);
    expect(kinds.indexOf('uploaded')).toBeLessThan(kinds.indexOf('delete'));
    expect(uploads()).toHaveLength(1);
    expect(result.stdout).toMatch(/Replaced clip-2x\.mp4 in release v1\.0\.0 \(the old asset had SHA-256 [0-9a-f]{12}…\)\./);
  });

  it('uploads to a draft release (found through the release list)', async () => {
    const release = github.addRelease('v2.0.0-rc1', { draft: true });
    const result = await run({ 'release-tag': 'v2.0.0-rc1' });
    expect(result.errors).toEqual([]);
    expect(uploaded(release)).toEqual([['clip-2x.mp4', 'uploaded', sha256Digest(emulator.resultBytes())]]);
    expect(result.stdout).toContain('Release v2.0.0-rc1 found (draft)');
    expect(JSON.parse(result.outputs['release-asset-urls']!)).toEqual([assetUrl('clip-2x.mp4', 'v2.0.0-rc1')]);
  });

  it('refuses a published immutable release before preflight: nothing submitted, the source not even checked', async () => {
    github.addRelease('v1.0.0', { immutable: true });
    const result = await run();
    expect(result.code).not.toBe(0);
    expect(result.errors).toEqual([
      'Release v1.0.0 of octo-org/video-pipeline is published and immutable, so its assets can no longer change: upload to a draft release first, then publish it. Nothing was submitted.',
    ]);
    expect(emulator.apiRequests('submit')).toEqual([]);
    expect(emulator.requests).toEqual([]);
    expect(uploads()).toEqual([]);
  });

  it('refuses a missing tag: nothing submitted', async () => {
    github.addRelease('v1.0.0');
    const result = await run({ 'release-tag': 'v9.9.9' });
    expect(result.code).not.toBe(0);
    expect(result.errors).toEqual([
      'No release of octo-org/video-pipeline has the tag "v9.9.9": create it first (e.g. `gh release create v9.9.9 --draft`) or fix `release-tag` (drafts are visible only to a token with `contents: write`). Nothing was submitted.',
    ]);
    expect(emulator.requests).toEqual([]);
  });

  it('refuses a token GitHub does not take (401): nothing submitted', async () => {
    github.addRelease('v1.0.0');
    const result = await run({ 'github-token': 'ghs_not_the_right_one' });
    expect(result.errors).toEqual([
      'GitHub refused the token (HTTP 401) looking up release v1.0.0 of octo-org/video-pipeline: set `github-token` to a valid token (the default is `${{ github.token }}`). Nothing was submitted.',
    ]);
    expect(emulator.requests).toEqual([]);
  });

  it('retries a 502 that left a starter asset, leaving no stray asset', async () => {
    const release = github.addRelease('v1.0.0');
    github.fail('upload', { leaveStarter: true, status: 502 });
    const result = await run({}, {});
    expect(result.errors).toEqual([]);
    expect(result.code).toBe(0);
    expect(uploads()).toHaveLength(2);
    expect(uploaded(release)).toEqual([['clip-2x.mp4', 'uploaded', sha256Digest(emulator.resultBytes())]]);
    expect(github.events.map((event) => event.kind)).toEqual(['upload-request', 'create', 'upload-failed', 'delete', 'upload-request', 'create', 'uploaded']);
    expect(result.stdout).toMatch(/Uploading clip-2x\.mp4: HTTP 502 \(Bad Gateway\)\. Retrying in [\d.]+s \(attempt 2 of 4\)\./);
  }, 60_000);

  it('uploads a batch of three into one release, asset URLs in source order', async () => {
    const release = github.addRelease('v1.0.0');
    const sources = ['intro', 'demo', 'outro'].map((name) => emulator.sourceUrl(`${name}.mp4`));
    const result = await run({ 'video-url': sources.join('\n'), concurrency: '3' });
    expect(result.errors).toEqual([]);
    expect(result.code).toBe(0);
    expect(release.assets.map((asset) => asset.name).sort()).toEqual(['demo-2x.mp4', 'intro-2x.mp4', 'outro-2x.mp4']);
    expect(release.assets.every((asset) => asset.state === 'uploaded')).toBe(true);
    const urls = ['intro-2x.mp4', 'demo-2x.mp4', 'outro-2x.mp4'].map((name) => assetUrl(name));
    expect(JSON.parse(result.outputs['release-asset-urls']!)).toEqual(urls);
    expect(results(result).map((clip) => clip.release_asset_url)).toEqual(urls);
    expect(result.summary).toContain('| Downloaded | Release asset |');
    expect(result.summary).toContain(`[intro-2x.mp4](${urls[0]})`);
    expect(result.stdout).toContain('[#2 demo.mp4] Uploaded demo-2x.mp4 to release v1.0.0.');
  });

  it('a failed clip of a batch is not uploaded; the others are', async () => {
    const release = github.addRelease('v1.0.0');
    emulator.plan('bad', { fail: { code: '80007', message: 'rejected' } });
    const sources = ['good', 'bad'].map((name) => emulator.sourceUrl(`${name}.mp4`));
    const result = await run({ 'video-url': sources.join('\n') });
    expect(result.code).not.toBe(0);
    expect(release.assets.map((asset) => asset.name)).toEqual(['good-2x.mp4']);
    expect(results(result).map((clip) => clip.release_asset_url)).toEqual([assetUrl('good-2x.mp4'), null]);
    expect(JSON.parse(result.outputs['release-asset-urls']!)).toEqual([assetUrl('good-2x.mp4')]);
  });

  it('an upload that fails in a batch fails the step at the end, naming the asset and the task id; the other clip is uploaded', async () => {
    const release = github.addRelease('v1.0.0');
    // Another job's asset appears under the name as the first upload is sent: a race, explained and not retried.
    github.fail('upload', { status: 422, code: 'already_exists', message: 'Validation Failed' });
    const sources = ['first', 'second'].map((name) => emulator.sourceUrl(`${name}.mp4`));
    const result = await run({ 'video-url': sources.join('\n'), concurrency: '1' });
    expect(result.code).not.toBe(0);
    const [first, second] = results(result);
    const taskId = first?.task_id as string;
    expect(first?.status).toBe('completed');
    expect(first?.release_asset_url).toBeNull();
    expect(first?.error).toBe(
      `first-2x.mp4 appeared in release v1.0.0 while this job was uploading it (HTTP 422 already_exists): another job is delivering to the same release and name; give each job its own names or run them one after another. Task ${taskId} is complete: re-run with \`task-id: ${taskId}\` to upload its result without paying again.`,
    );
    expect(second?.release_asset_url).toBe(assetUrl('second-2x.mp4'));
    expect(release.assets.map((asset) => asset.name)).toEqual(['second-2x.mp4']);
    expect(uploads()).toHaveLength(2);
    const failure = result.errors.at(-1) ?? '';
    expect(failure).toContain('1 of 2 clips did not complete (1 not delivered');
    expect(failure).toContain(`#1 first.mp4 (task ${taskId}): first-2x.mp4 appeared in release v1.0.0`);
    expect(failure).toContain(`task-id: ${taskId}`);
    expect(JSON.parse(result.outputs['release-asset-urls']!)).toEqual([assetUrl('second-2x.mp4')]);
  });

  it('a read-only token fails at the upload, once, naming contents: write and the task id', async () => {
    const release = github.addRelease('v1.0.0');
    github.readOnly = true;
    const result = await run();
    expect(result.code).not.toBe(0);
    const taskId = result.outputs['task-id']!;
    expect(result.errors).toEqual([
      `GitHub refused to change clip-2x.mp4 in release v1.0.0 (HTTP 403): the token can read but not write: give the job \`permissions: contents: write\`, or pass a token that has it in \`github-token\`. Task ${taskId} is complete: re-run with \`task-id: ${taskId}\` to upload its result without paying again.`,
    ]);
    expect(uploads()).toHaveLength(1);
    expect(release.assets).toEqual([]);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
    expect(result.outputs.status).toBe('completed');
    expect(results(result)[0]?.release_asset_url).toBeNull();
    expect(result.summary).toContain(`task-id: ${taskId}`);
  });

  it('resumes by task-id with release-tag: no submission, the finished result uploaded (two-phase)', async () => {
    const release = github.addRelease('v1.0.0');
    // Phase one: submit without waiting (the release is already checked, nothing uploaded yet).
    const first = await run({ wait: 'false', 'release-tag': '' });
    expect(first.errors).toEqual([]);
    const taskId = first.outputs['task-id']!;
    expect(emulator.apiRequests('submit')).toHaveLength(1);
    emulator.requests.length = 0;
    // Phase two: collect into the release.
    const second = await run({ 'video-url': '', 'task-id': taskId });
    expect(second.errors).toEqual([]);
    expect(second.code).toBe(0);
    expect(emulator.apiRequests('submit')).toEqual([]);
    expect(release.assets).toHaveLength(1);
    expect(release.assets[0]?.state).toBe('uploaded');
    expect(JSON.parse(second.outputs['release-asset-urls']!)).toEqual([assetUrl(release.assets[0]!.name)]);
    expect((await readdir(fixture.dir)).includes(release.assets[0]!.name)).toBe(true);
  });

  it('collects with task-id and the same video-url: the asset is named after the source (the README two-phase example)', async () => {
    const release = github.addRelease('v1.0.0', { draft: true });
    const first = await run({ wait: 'false', 'release-tag': '' });
    const second = await run({ 'task-id': first.outputs['task-id']! });
    expect(second.errors).toEqual([]);
    expect(release.assets.map((asset) => asset.name)).toEqual(['clip-2x.mp4']);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
  });

  it('a GitHub answer that echoes the token is scrubbed from the failure line', async () => {
    github.addRelease('v1.0.0');
    github.fail('upload', { status: 400, message: `Bad request from ${github.token}` });
    const result = await run();
    expect(result.code).not.toBe(0);
    const taskId = result.outputs['task-id']!;
    expect(result.errors).toEqual([
      `Uploading clip-2x.mp4 to release v1.0.0 failed: HTTP 400 (Bad request from ***). Task ${taskId} is complete: re-run with \`task-id: ${taskId}\` to upload its result without paying again.`,
    ]);
  });

  it('works with the GitHub Enterprise Server layout (uploads under /api/uploads on the API origin)', async () => {
    const ghes = await new FakeGitHub({ layout: 'ghes' }).start();
    try {
      const release = ghes.addRelease('v1.0.0');
      const result = await runAction(inputs({ 'github-token': ghes.token }), { env: ghes.env() });
      expect(result.errors).toEqual([]);
      expect(uploaded(release)).toEqual([['clip-2x.mp4', 'uploaded', sha256Digest(emulator.resultBytes())]]);
      expect(ghes.requestsTo('uploads', 'POST').map((r) => r.path)).toEqual([
        `/api/uploads/repos/octo-org/video-pipeline/releases/${release.id}/assets?name=clip-2x.mp4`,
      ]);
      for (const request of emulator.requests) expect(JSON.stringify(request.headers)).not.toContain(ghes.token);
    } finally {
      await ghes.stop();
    }
  });
});
