/**
 * skip-unchanged, the action run in process: the emulator for reApi and the sources, the fake Actions cache service
 * (Twirp over Azurite) that @actions/cache talks to, and a temporary RUNNER_TOOL_CACHE. Each run is a new "job" with
 * its own workspace; the stores carry over.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { fixtureBytes } from '../emulator/emulator';
import { CacheService } from '../helpers/cache-service';
import type { ActionRun } from '../helpers/run-action';
import { runInProcess as runAction } from '../helpers/run-in-process';

const cache = new CacheService();
const fixture = useActionFixture({ reset: { processingPolls: 1 }, services: [cache], tempDir: true });
const { emulator } = fixture;
let scratch = '';
let toolCache = '';
let jobs = 0;

beforeEach(async () => {
  cache.clear();
  await cache.setMode('ok');
  scratch = fixture.dir;
  toolCache = join(scratch, 'toolcache');
});

const CLIP = 'clip-3.2s-faststart.mp4';

/** The fixture's bytes, with the last byte (media data) changed when `variant` is not 0. */
function clipBytes(variant = 0): Buffer {
  const bytes = Buffer.from(fixtureBytes(CLIP));
  if (variant) bytes[bytes.length - 1] = (bytes[bytes.length - 1]! + variant) & 0xff;
  return bytes;
}

function source(name: string, variant = 0): string {
  return emulator.addSource(name, { data: clipBytes(variant) });
}

interface Result {
  source: string | null;
  task_id: string | null;
  status: string;
  video_urls: string[];
  video_path: string | null;
  cached: boolean;
  error: string | null;
}

/** One job: a fresh workspace (the cwd) and download directory; the cache service and tool cache carry over. */
async function job(inputs: Record<string, string>, env: Record<string, string> = cache.env()): Promise<ActionRun & { results: Result[]; dir: string }> {
  const workspace = join(scratch, `job-${++jobs}`);
  await mkdir(workspace, { recursive: true });
  emulator.requests.length = 0;
  cache.reset();
  const run = await runAction(
    { 'api-key': 'test-key', 'api-base-url': emulator.apiUrl, 'poll-interval': '0.05', timeout: '60s', 'skip-unchanged': 'true', ...inputs },
    { env: { ...env, RUNNER_TOOL_CACHE: toolCache, GITHUB_WORKSPACE: workspace }, cwd: workspace },
  );
  const results = JSON.parse(run.outputs.results ?? '[]') as Result[];
  return { ...run, results, dir: workspace };
}

const warnings = (run: ActionRun) => run.stdout.split('\n').filter((line) => line.startsWith('::warning'));
const posts = () => emulator.apiRequests('submit').length;
const gets = () => emulator.apiRequests('poll').length;
const mediaRequests = () => emulator.cdnRequests().filter((request) => request.path.startsWith('/media/'));

describe('skip-unchanged', () => {
  it('the same source twice: the second run submits nothing, fetches the task once, delivers the same result, bills 0', async () => {
    const url = source('weekly.mp4');
    const first = await job({ 'video-url': url });
    expect(first.errors).toEqual([]);
    expect(posts()).toBe(1);
    expect(first.outputs['billable-seconds']).toBe('4');
    expect(first.results[0]?.cached).toBe(false);
    expect(warnings(first)).toEqual([]);
    // The record went to both stores.
    expect(cache.entries).toHaveLength(1);

    const second = await job({ 'video-url': url });
    expect(second.errors).toEqual([]);
    expect(posts()).toBe(0);
    expect(gets()).toBe(1);
    expect(second.outputs['task-id']).toBe(first.outputs['task-id']);
    expect(second.outputs['video-url']).toBe(first.outputs['video-url']);
    expect(second.outputs['billable-seconds']).toBe('0');
    expect(second.results[0]?.cached).toBe(true);
    expect(second.results[0]?.status).toBe('completed');
    expect(second.summary).toMatch(/\| \*\*Reused\*\* \| reused, task of \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    expect(warnings(second)).toEqual([]);
  });

  it('one byte changed, or another factor: a new submission', async () => {
    await job({ 'video-url': source('a.mp4') });
    const changed = await job({ 'video-url': source('a.mp4', 1) });
    expect(changed.errors).toEqual([]);
    expect(posts()).toBe(1);
    expect(changed.results[0]?.cached).toBe(false);

    const otherFactor = await job({ 'video-url': source('a.mp4'), 'upscale-factor': '4' });
    expect(otherFactor.errors).toEqual([]);
    expect(posts()).toBe(1);
    expect(otherFactor.results[0]?.cached).toBe(false);
    expect(otherFactor.outputs['billable-seconds']).toBe('4');
  });

  it('the same bytes at a new presigned-style URL: reused', async () => {
    const first = await job({ 'video-url': `${source('signed-1.mp4')}?X-Amz-Signature=aaaa&X-Amz-Expires=600` });
    expect(posts()).toBe(1);
    const second = await job({ 'video-url': `${source('signed-2.mp4')}?X-Amz-Signature=bbbb&X-Amz-Expires=600` });
    expect(second.errors).toEqual([]);
    expect(posts()).toBe(0);
    expect(second.outputs['task-id']).toBe(first.outputs['task-id']);
    expect(second.results[0]?.cached).toBe(true);
  });

  it('the cache service down: one warning, a normal run', async () => {
    await cache.setMode('down');
    const url = source('down.mp4');
    const run = await job({ 'video-url': url }, cache.env());
    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(posts()).toBe(1);
    expect(warnings(run)).toHaveLength(1);
    expect(run.outputs.status).toBe('completed');
  });

  it('the cache service answering 429: one warning, a normal run', async () => {
    await cache.setMode('rate-limit');
    const run = await job({ 'video-url': source('limited.mp4') });
    expect(run.code).toBe(0);
    expect(posts()).toBe(1);
    expect(warnings(run)).toHaveLength(1);
    expect(run.outputs.status).toBe('completed');
  });

  it('the reused task gone: one warning, one paid submission', async () => {
    const url = source('gone.mp4');
    const first = await job({ 'video-url': url });
    emulator.tasks.delete(first.outputs['task-id'] as string);
    const second = await job({ 'video-url': url });
    expect(second.errors).toEqual([]);
    expect(posts()).toBe(1);
    const lines = warnings(second);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`the earlier task ${first.outputs['task-id']} for this unchanged source can no longer be fetched`);
    expect(second.results[0]?.cached).toBe(false);
    expect(second.outputs['task-id']).not.toBe(first.outputs['task-id']);
    expect(second.outputs['billable-seconds']).toBe('4');
  });

  it('a batch of five with two unchanged: three submissions, the two reused', async () => {
    await job({ 'video-url': [source('b1.mp4', 11), source('b2.mp4', 12)].join('\n') });
    const urls = [source('b1.mp4', 11), source('b2.mp4', 12), source('b3.mp4', 13), source('b4.mp4', 14), source('b5.mp4', 15)];
    const run = await job({ 'video-url': urls.join('\n') });
    expect(run.errors).toEqual([]);
    expect(posts()).toBe(3);
    expect(run.results.map((result) => result.cached)).toEqual([true, true, false, false, false]);
    expect(run.outputs['billable-seconds']).toBe('12');
    expect(run.summary).toMatch(/completed \(reused, task of \d{4}-\d{2}-\d{2}/);
  });

  it('the tool cache holding the result file: copied after its SHA-256 check, no download request at all', async () => {
    const url = source('local.mp4');
    const first = await job({ 'video-url': url, download: 'true', 'download-path': 'out' });
    expect(first.errors).toEqual([]);
    expect(mediaRequests()).toHaveLength(1);
    const delivered = await readFile(join(first.dir, 'out', 'local-2x.mp4'));

    // The Actions cache record names the task and the file's SHA-256; the tool cache supplies the bytes.
    const second = await job({ 'video-url': url, download: 'true', 'download-path': 'out' });
    expect(second.errors).toEqual([]);
    expect(posts()).toBe(0);
    expect(mediaRequests()).toEqual([]);
    expect(second.results[0]?.cached).toBe(true);
    expect(await readFile(join(second.dir, 'out', 'local-2x.mp4'))).toEqual(delivered);
    expect(second.stdout).toContain("Copied the result from the runner's tool cache (SHA-256 checked)");
  });

  it('a dry run with max-billable-seconds that passes only because of reuse', async () => {
    const reused = source('dry-1.mp4', 21);
    await job({ 'video-url': reused });
    const urls = [reused, source('dry-2.mp4', 22)];
    const run = await job({ 'video-url': urls.join('\n'), 'dry-run': 'true', 'max-billable-seconds': '5' });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(posts()).toBe(0);
    expect(run.outputs['billable-seconds']).toBe('4');
    expect(run.stdout).toMatch(/Would reuse task \S+ \(completed \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\) for .*dry-1\.mp4: unchanged, nothing is billed\./);
    expect(run.stdout).toContain('1 submission, 4 billable seconds');

    // Without skip-unchanged the same dry run is over the limit.
    const over = await job({ 'video-url': urls.join('\n'), 'dry-run': 'true', 'max-billable-seconds': '5', 'skip-unchanged': 'false' });
    expect(over.code).not.toBe(0);
    expect(over.errors.join('\n')).toContain('max-billable-seconds');
  });
});

describe('skip-unchanged: an unchanged refresh reads no source bytes', () => {
  const sourceRequests = (name: string) => emulator.sourceRequests(name);
  /** A full read of the source: a GET without Range answered 200 (a hash). */
  const fullReads = (name: string) => sourceRequests(name).filter((request) => request.method === 'GET' && !request.headers.range && request.status === 200);

  it('strong ETags: one conditional GET per clip answered 304 (0 body bytes), no probe, one free GET to reApi per clip, nothing billed', async () => {
    const names = ['s1.mp4', 's2.mp4', 's3.mp4'];
    const urls = names.map((name, i) => emulator.addSource(name, { data: clipBytes(31 + i), etag: 'strong' }));
    const first = await job({ 'video-url': urls.join('\n') });
    expect(first.errors).toEqual([]);
    expect(posts()).toBe(3);
    // The fingerprint record and the record under each URL.
    expect(cache.entries).toHaveLength(6);

    const second = await job({ 'video-url': urls.join('\n'), 'max-billable-seconds': '1' });
    expect(second.errors).toEqual([]);
    expect(posts()).toBe(0);
    expect(gets()).toBe(3);
    for (const name of names) {
      const requests = sourceRequests(name);
      expect(requests).toHaveLength(1);
      expect(requests[0]).toMatchObject({ method: 'GET', status: 304, bodyBytes: 0 });
      expect(requests[0]?.headers['if-none-match']).toMatch(/^"[0-9a-f]{32}"$/);
    }
    expect(second.outputs['billable-seconds']).toBe('0');
    expect(second.results.map((result) => result.cached)).toEqual([true, true, true]);
    expect(second.stdout).toMatch(
      /s1\.mp4: .*3\.2 s → 4 billable seconds \(1 requests, 0 B read\); unchanged since task \S+ \(its host answered 304 to the recorded ETag\)/,
    );
    expect(warnings(second)).toEqual([]);
  });

  it('weak ETags prove nothing: no If-None-Match, the source is probed and hashed as before, and reused by its hash', async () => {
    const url = emulator.addSource('weak.mp4', { data: clipBytes(41), etag: 'weak' });
    await job({ 'video-url': url });
    expect(posts()).toBe(1);
    // Only the fingerprint record: a weak ETag is not kept.
    expect(cache.entries).toHaveLength(1);

    const second = await job({ 'video-url': url });
    expect(second.errors).toEqual([]);
    expect(posts()).toBe(0);
    expect(second.results[0]?.cached).toBe(true);
    expect(sourceRequests('weak.mp4').some((request) => request.headers['if-none-match'] !== undefined)).toBe(false);
    expect(sourceRequests('weak.mp4').some((request) => request.method === 'HEAD')).toBe(true);
    expect(fullReads('weak.mp4')).toHaveLength(1);
  });

  it('changed bytes behind a strong ETag: hashed from the one 200 answer, probed, resubmitted, and the record updated', async () => {
    const url = emulator.addSource('changing.mp4', { data: clipBytes(51), etag: 'strong' });
    const first = await job({ 'video-url': url });
    expect(posts()).toBe(1);

    emulator.addSource('changing.mp4', { data: clipBytes(52), etag: 'strong' });
    const second = await job({ 'video-url': url });
    expect(second.errors).toEqual([]);
    expect(posts()).toBe(1);
    expect(second.results[0]?.cached).toBe(false);
    expect(second.outputs['task-id']).not.toBe(first.outputs['task-id']);
    expect(second.outputs['billable-seconds']).toBe('4');
    const requests = sourceRequests('changing.mp4');
    // The revalidation's 200 is the only full read: no second GET to hash it. Preflight still probes it (HEAD).
    expect(requests[0]).toMatchObject({ method: 'GET', status: 200, bodyBytes: clipBytes().length });
    expect(requests[0]?.headers['if-none-match']).toBeDefined();
    expect(fullReads('changing.mp4')).toHaveLength(1);
    expect(requests.some((request) => request.method === 'HEAD')).toBe(true);
    // Before saving, the source is shown unchanged since it was hashed: a 304 to the new ETag.
    expect(requests.at(-1)).toMatchObject({ status: 304, bodyBytes: 0 });
    expect(second.stdout).toContain('changed since task');

    const third = await job({ 'video-url': url });
    expect(posts()).toBe(0);
    expect(third.outputs['task-id']).toBe(second.outputs['task-id']);
    expect(sourceRequests('changing.mp4')).toEqual([expect.objectContaining({ status: 304, bodyBytes: 0 })]);
  });

  it('changed bytes still meet the cost guard before anything is paid', async () => {
    const url = emulator.addSource('guarded.mp4', { data: clipBytes(61), etag: 'strong' });
    await job({ 'video-url': url });
    emulator.addSource('guarded.mp4', { data: clipBytes(62), etag: 'strong' });
    const run = await job({ 'video-url': url, 'max-billable-seconds': '3' });
    expect(run.code).not.toBe(0);
    expect(posts()).toBe(0);
    expect(run.errors.join('\n')).toContain('max-billable-seconds');
  });

  it('a host that starts sending strong ETags: reused by its hash once, then revalidated with one request', async () => {
    const url = emulator.addSource('learns.mp4', { data: clipBytes(71) });
    const first = await job({ 'video-url': url });
    expect(cache.entries).toHaveLength(1);
    emulator.addSource('learns.mp4', { data: clipBytes(71), etag: 'strong' });
    const second = await job({ 'video-url': url });
    expect(posts()).toBe(0);
    expect(second.outputs['task-id']).toBe(first.outputs['task-id']);
    // The reused record, saved under the URL with the ETag that came with the hashed bytes.
    expect(cache.entries).toHaveLength(2);
    const third = await job({ 'video-url': url });
    expect(third.errors).toEqual([]);
    expect(posts()).toBe(0);
    expect(third.outputs['task-id']).toBe(first.outputs['task-id']);
    expect(sourceRequests('learns.mp4')).toEqual([expect.objectContaining({ status: 304, bodyBytes: 0 })]);
  });
});
