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
