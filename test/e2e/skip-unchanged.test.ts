/**
 * skip-unchanged through dist/index.js in a child process: one reuse (smoke), and a cache service that never answers,
 * which the process must still exit after. The emulator serves reApi and the sources, the fake Actions cache service
 * (Twirp over Azurite) stands in for GitHub's, with a temporary RUNNER_TOOL_CACHE. The rest:
 * test/integration/skip-unchanged.test.ts.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { fixtureBytes } from '../emulator/emulator';
import { CacheService } from '../helpers/cache-service';
import { runAction, type ActionRun } from '../helpers/run-action';

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
async function job(
  inputs: Record<string, string>,
  env: Record<string, string> = cache.env(),
  killAfterMs?: number,
): Promise<ActionRun & { results: Result[]; dir: string }> {
  const workspace = join(scratch, `job-${++jobs}`);
  await mkdir(workspace, { recursive: true });
  emulator.requests.length = 0;
  cache.reset();
  const run = await runAction(
    { 'api-key': 'test-key', 'api-base-url': emulator.apiUrl, 'poll-interval': '0.05', timeout: '60s', 'skip-unchanged': 'true', ...inputs },
    { env: { ...env, RUNNER_TOOL_CACHE: toolCache, GITHUB_WORKSPACE: workspace }, cwd: workspace, killAfterMs },
  );
  const results = JSON.parse(run.outputs.results ?? '[]') as Result[];
  return { ...run, results, dir: workspace };
}

const warnings = (run: ActionRun) => run.stdout.split('\n').filter((line) => line.startsWith('::warning'));
const posts = () => emulator.apiRequests('submit').length;

describe('skip-unchanged', () => {
  it('the same source twice: the second run submits nothing and reuses the task (smoke)', async () => {
    const url = source('weekly.mp4');
    const first = await job({ 'video-url': url });
    expect(first.errors).toEqual([]);
    expect(first.code).toBe(0);
    expect(posts()).toBe(1);
    expect(cache.entries).toHaveLength(1);
    const second = await job({ 'video-url': url });
    expect(second.errors).toEqual([]);
    expect(second.code).toBe(0);
    expect(posts()).toBe(0);
    expect(second.outputs['task-id']).toBe(first.outputs['task-id']);
    expect(second.outputs['billable-seconds']).toBe('0');
    expect(second.results[0]?.cached).toBe(true);
  });

  it('strong ETags: the refresh sends one conditional GET per clip, reads no source byte, and reuses (smoke)', async () => {
    const urls = ['e1.mp4', 'e2.mp4'].map((name, i) => emulator.addSource(name, { data: clipBytes(81 + i), etag: 'strong' }));
    const first = await job({ 'video-url': urls.join('\n') });
    expect(first.errors).toEqual([]);
    expect(posts()).toBe(2);
    const second = await job({ 'video-url': urls.join('\n') });
    expect(second.errors).toEqual([]);
    expect(second.code).toBe(0);
    expect(posts()).toBe(0);
    expect(emulator.apiRequests('poll')).toHaveLength(2);
    for (const name of ['e1.mp4', 'e2.mp4'])
      expect(emulator.sourceRequests(name)).toEqual([expect.objectContaining({ method: 'GET', status: 304, bodyBytes: 0 })]);
    expect(second.results.map((result) => result.cached)).toEqual([true, true]);
    expect(second.outputs['billable-seconds']).toBe('0');
  });

  it('a cache service that never answers: abandoned at its time limit, one warning, and the process still exits after reporting', async () => {
    await cache.setMode('hang');
    const run = await job({ 'video-url': source('hang.mp4') }, cache.env(), 45_000);
    // Without the exit after reporting, the abandoned call's socket would keep the process alive until the safety kill.
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    expect(posts()).toBe(1);
    expect(warnings(run)).toEqual([expect.stringContaining('did not answer within 5 s')]);
    expect(run.outputs.status).toBe('completed');
  });
});
