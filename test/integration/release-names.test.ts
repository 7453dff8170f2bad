/**
 * Release delivery against a GitHub that renames assets, echoes secrets in its
 * error codes and sends Link headers that loop, run() in process: the
 * emulator stands in for reApi and the source/result host,
 * test/helpers/fake-github.ts for GitHub (it stores each asset under the name
 * GitHub would, see githubAssetName there).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReapiEmulator } from '../emulator/emulator';
import { FakeGitHub, githubAssetName, sha256Digest } from '../helpers/fake-github';
import type { ActionRun } from '../helpers/run-action';
import { runInProcess } from '../helpers/run-in-process';
import { markdownText } from '../../src/shared/text';

/** A key of the usual shape: its `_` are escaped in Markdown (`rk\_live\_…`). */
const KEY = 'rk_live_4f9a2c7e1b8d3f6a0c5e9b2d7f1a4c8e';
const emulator = new ReapiEmulator();
const github = new FakeGitHub();
beforeAll(async () => {
  await Promise.all([emulator.start(), github.start()]);
});
afterAll(async () => {
  await Promise.all([emulator.stop(), github.stop()]);
});

let dir: string;
beforeEach(async () => {
  emulator.reset({ apiKey: KEY, processingPolls: 0 });
  github.reset();
  dir = await mkdtemp(join(tmpdir(), 'reapi-release-names-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'api-key': KEY,
    'api-base-url': emulator.apiUrl,
    'video-url': emulator.sourceUrl('clip.mp4'),
    'poll-interval': '0.05',
    timeout: '30s',
    'download-path': dir,
    'release-tag': 'v1.0.0',
    'github-token': github.token,
    ...extra,
  };
}

async function run(extra: Record<string, string> = {}): Promise<ActionRun> {
  return runInProcess(inputs(extra), { env: github.env() });
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

function assetUrl(name: string): string {
  return `${github.apiUrl}/${github.owner}/${github.repo}/releases/download/v1.0.0/${name}`;
}

/** Every spelling of a secret that must not be in the text: as is, and as the Markdown summary escapes it. */
function expectNoSecret(text: string, secret: string): void {
  expect(text).not.toContain(secret);
  expect(text).not.toContain(markdownText(secret));
  // Nor any long piece of it (a cut secret is a prefix no mask catches).
  expect(text).not.toContain(secret.slice(0, 16));
  expect(text).not.toContain(markdownText(secret.slice(0, 16)));
}

describe('asset names GitHub would rename', () => {
  it('a source named café.mp4: re-delivering the same bytes is a skip, not a 422 with a recovery that cannot work', async () => {
    const release = github.addRelease('v1.0.0');
    const source = emulator.sourceUrl('café.mp4');
    const first = await run({ 'video-url': source });
    expect(first.errors).toEqual([]);
    expect(first.code).toBe(0);
    expect(release.assets).toHaveLength(1);
    const stored = release.assets[0]!;
    expect(stored.digest).toBe(sha256Digest(emulator.resultBytes()));

    // Resumed by task-id (the advice a failed delivery gives): found by name, same bytes, nothing sent.
    const taskId = first.outputs['task-id']!;
    const again = await run({ 'video-url': source, 'task-id': taskId });
    expect(again.errors).toEqual([]);
    expect(again.code).toBe(0);
    // Sent under a name GitHub keeps, so the release holds what the action asked for.
    expect(stored.name).toMatch(/^cafe-2x-[0-9a-f]{6}\.mp4$/);
    expect(githubAssetName(stored.name)).toBe(stored.name);
    expect(first.stdout).toContain(`café-2x.mp4 goes to the release as ${stored.name}`);
    expect(JSON.parse(first.outputs['release-asset-urls']!)).toEqual([assetUrl(stored.name)]);
    expect(again.stdout).toContain(`${stored.name} is already in release v1.0.0 with the same SHA-256; not uploaded again.`);
    expect(github.requestsTo('uploads', 'POST')).toHaveLength(1);
    expect(release.assets.map((asset) => asset.name)).toEqual([stored.name]);
    expect(JSON.parse(again.outputs['release-asset-urls']!)).toEqual([assetUrl(stored.name)]);
  });

  it('a batch with café.mp4 and cafe.mp4 (one name to GitHub) keeps two assets and delivers both clips', async () => {
    const release = github.addRelease('v1.0.0');
    const sources = ['café.mp4', 'cafe.mp4'].map((name) => emulator.sourceUrl(name));
    for (const concurrency of ['1', '2']) {
      github.reset();
      github.releases.push(release);
      release.assets.length = 0;
      const result = await run({ 'video-url': sources.join('\n'), concurrency });
      expect(result.errors).toEqual([]);
      expect(result.code).toBe(0);
      const names = release.assets.map((asset) => asset.name).sort();
      expect(names).toHaveLength(2);
      expect(names).toContain('cafe-2x.mp4');
      expect(names.find((name) => name !== 'cafe-2x.mp4')).toMatch(/^cafe-2x-[0-9a-f]{6}\.mp4$/);
      expect(release.assets.every((asset) => asset.state === 'uploaded')).toBe(true);
      const urls = results(result).map((clip) => clip.release_asset_url);
      expect(urls).toHaveLength(2);
      expect(new Set(urls).size).toBe(2);
      expect(urls.every((url) => url !== null)).toBe(true);
      expect(urls[1]).toBe(assetUrl('cafe-2x.mp4'));
    }
  });
});

describe('secrets GitHub echoes never reach the summary, escaped or not', () => {
  it('errors[0].code carrying the GitHub token or the API key is scrubbed before the summary escapes it', async () => {
    github.addRelease('v1.0.0');
    github.fail('upload', { status: 422, code: github.token, message: 'Validation Failed' });
    github.fail('upload', { status: 422, code: KEY, message: 'Validation Failed' });
    const sources = ['first', 'second'].map((name) => emulator.sourceUrl(`${name}.mp4`));
    const result = await run({ 'video-url': sources.join('\n'), concurrency: '1' });
    expect(result.code).not.toBe(0);
    const stdout = result.stdout.replace(`::add-mask::${github.token}`, '').replace(`::add-mask::${KEY}`, '');
    for (const text of [result.summary, stdout, result.stderr, JSON.stringify(result.outputs)]) {
      expectNoSecret(text, github.token);
      expectNoSecret(text, KEY);
    }
    const [first, second] = results(result);
    expect(first?.error).toContain('HTTP 422 (Validation Failed: ***)');
    expect(second?.error).toContain('HTTP 422 (Validation Failed: ***)');
    expect(result.summary).toContain('Validation Failed: \\*\\*\\*');
  });
});

describe('release lists are bounded', () => {
  it('a Link header that names the same page again ends the draft lookup at once: nothing submitted', async () => {
    github.addRelease('v0.9.0');
    github.selfLinkedPages = true;
    const started = Date.now();
    const result = await run({ 'release-tag': 'v2.0.0-draft' });
    expect(result.code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    const pages = github.requests.filter((request) => request.method === 'GET' && /\/releases(\?|$)/.test(request.path));
    expect(pages.length).toBeLessThanOrEqual(2);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain("Listing the releases of octo-org/video-pipeline stopped: GitHub's Link header leads back to a page already read");
    expect(result.errors[0]).toContain('Nothing was submitted.');
    expect(emulator.apiRequests('submit')).toEqual([]);
  });

  it('a release list longer than 50 pages stops there: nothing submitted', async () => {
    // One release a page, none with the tag asked for: the lookup would read 60 pages.
    for (let n = 0; n < 60; n++) github.addRelease(`v0.${n}.0`);
    github.maxPerPage = 1;
    const result = await run({ 'release-tag': 'v2.0.0-draft' });
    expect(result.code).not.toBe(0);
    const pages = github.requests.filter((request) => request.method === 'GET' && /\/releases(\?|$)/.test(request.path));
    expect(pages).toHaveLength(50);
    expect(result.errors).toEqual([
      'Listing the releases of octo-org/video-pipeline stopped after 50 pages of 100: GitHub still named a next page. Nothing was submitted.',
    ]);
    expect(emulator.apiRequests('submit')).toEqual([]);
  });

  it('a looping asset list after the task is paid for fails the delivery in a few requests, naming the task id', async () => {
    const release = github.addRelease('v1.0.0');
    github.selfLinkedPages = true;
    const result = await run();
    expect(result.code).not.toBe(0);
    const pages = github.requests.filter((request) => request.method === 'GET' && request.path.includes(`/releases/${release.id}/assets`));
    expect(pages.length).toBeLessThanOrEqual(4);
    const taskId = result.outputs['task-id']!;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain(`Listing the assets of release v1.0.0 stopped: GitHub's Link header leads back to a page already read`);
    expect(result.errors[0]).toContain(`re-run with \`task-id: ${taskId}\``);
    expect(github.requestsTo('uploads', 'POST')).toEqual([]);
  });
});
