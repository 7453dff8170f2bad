/**
 * skip-unchanged against a hostile neighbour and a hostile or unlucky API,
 * through dist/index.js as the runner runs it (issue 20): a RUNNER_TOOL_CACHE
 * that another job on a shared self-hosted runner wrote, Actions cache entries
 * that are FIFOs or symlinks, reuse lookups answered with another task or an
 * error, fallbacks that would break the cost guard, results found wrong, and
 * sources that change while their task runs.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReapiEmulator, fixtureBytes } from '../emulator/emulator';
import { CacheService } from '../helpers/cache-service';
import { runAction, type ActionRun } from '../helpers/run-action';
import { fingerprintKey } from '../../src/skip-unchanged/fingerprint';
import { TOOL_NAME, actionsCachePath, toolCacheVersion } from '../../src/skip-unchanged/record';

const REPO = resolve(import.meta.dirname, '../..');
const emulator = new ReapiEmulator();
const cache = new CacheService();
let scratch = '';
let toolCache = '';
let jobs = 0;

beforeAll(async () => {
  await Promise.all([emulator.start(), cache.start()]);
});
afterAll(async () => {
  await Promise.all([emulator.stop(), cache.stop()]);
});
beforeEach(async () => {
  emulator.reset({ processingPolls: 1 });
  cache.reset();
  cache.clear();
  await cache.setMode('ok');
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = await mkdtemp(join(tmpdir(), 'reapi-reuse-adversarial-'));
  toolCache = join(scratch, 'toolcache');
});

const CLIP = 'clip-3.2s-faststart.mp4';

function clipBytes(variant = 0): Buffer {
  const bytes = Buffer.from(fixtureBytes(CLIP));
  if (variant) bytes[bytes.length - 1] = (bytes[bytes.length - 1]! + variant) & 0xff;
  return bytes;
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** The skip-unchanged key of a source's bytes at 2×. */
function keyOf(bytes: Buffer): string {
  return fingerprintKey({ model: 'topaz-video-upscaler', upscaleFactor: '2', sourceSha256: sha256(bytes) });
}

/** Where @actions/tool-cache keeps the files of a key (and its `.complete` marker next to it). */
function toolCacheDir(key: string): string {
  return join(toolCache, TOOL_NAME, toolCacheVersion(key), process.arch);
}

interface Result {
  task_id: string | null;
  status: string;
  video_path: string | null;
  cached: boolean;
  error: string | null;
}

async function job(inputs: Record<string, string>, options: { killAfterMs?: number; onStdout?: (text: string) => void } = {}) {
  const workspace = join(scratch, `job-${++jobs}`);
  await mkdir(workspace, { recursive: true });
  emulator.requests.length = 0;
  cache.reset();
  const run = await runAction(
    { 'api-key': 'test-key', 'api-base-url': emulator.apiUrl, 'poll-interval': '0.05', timeout: '30s', 'skip-unchanged': 'true', ...inputs },
    {
      env: { ...cache.env(), RUNNER_TOOL_CACHE: toolCache, GITHUB_WORKSPACE: workspace, RUNNER_ENVIRONMENT: 'self-hosted' },
      cwd: workspace,
      killAfterMs: options.killAfterMs,
      onStdout: options.onStdout,
    },
  );
  const results = JSON.parse(run.outputs.results ?? '[]') as Result[];
  return { ...run, results, dir: workspace };
}

/**
 * Plants an Actions cache entry under `key` whose record path holds what
 * `make` puts there (a FIFO, a symlink…), saved by @actions/cache itself in a
 * process of its own, as another workflow run of the same branch could.
 */
async function plantActionsCacheEntry(key: string, make: (path: string) => Promise<void>): Promise<void> {
  const workspace = join(scratch, `planter-${++jobs}`);
  const relative = actionsCachePath(key);
  await mkdir(join(workspace, dirname(relative)), { recursive: true });
  await make(join(workspace, relative));
  const library = pathToFileURL(join(REPO, 'node_modules/@actions/cache/lib/cache.js')).href;
  const script = `const { saveCache } = await import(${JSON.stringify(library)}); const id = await saveCache([${JSON.stringify(relative)}], ${JSON.stringify(key)}); console.log('planted ' + id); process.exit(0);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: workspace,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...cache.env(), GITHUB_WORKSPACE: workspace, RUNNER_TEMP: workspace },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((done) => child.once('exit', done));
  expect(output).toMatch(/planted [1-9]\d*/);
}

const warnings = (run: ActionRun) => run.stdout.split('\n').filter((line) => line.startsWith('::warning'));
const posts = () => emulator.apiRequests('submit').length;
const mediaRequests = () => emulator.cdnRequests().filter((request) => request.path.startsWith('/media/'));

describe('the tool cache is untrusted (a shared self-hosted runner)', () => {
  it('a planted record naming another source’s completed task is never reused: the source is submitted', async () => {
    const victim = await job({ 'video-url': emulator.addSource('victim.mp4', { data: clipBytes(1) }) });
    expect(victim.errors).toEqual([]);
    const victimTask = victim.outputs['task-id'] as string;

    // Another job writes, for the next source's key, a record that names the victim's task, and its own bytes.
    const target = clipBytes(2);
    const key = keyOf(target);
    const dir = toolCacheDir(key);
    const evil = Buffer.from('attacker bytes '.repeat(100));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'result-0.mp4'), evil);
    const record = {
      v: 1,
      model: 'topaz-video-upscaler',
      upscaleFactor: '2',
      sourceSha256: sha256(target),
      taskId: victimTask,
      videoUrls: [`${emulator.cdnUrl}/media/tasks/${victimTask}/0.mp4`],
      billableSeconds: 4,
      completedAt: '2026-11-20T08:30:00.000Z',
      resultFiles: [{ index: 0, sha256: sha256(evil), bytes: evil.length }],
    };
    await writeFile(join(dir, 'record.json'), JSON.stringify(record));
    await writeFile(`${dir}.complete`, '');

    const run = await job({ 'video-url': emulator.addSource('target.mp4', { data: target }), download: 'true', 'download-path': 'out' });
    expect(run.errors).toEqual([]);
    expect(posts()).toBe(1);
    expect(run.results[0]?.cached).toBe(false);
    expect(run.outputs['task-id']).not.toBe(victimTask);
    expect(await readFile(join(run.dir, 'out', 'target-2x.mp4'))).not.toEqual(evil);
  });

  it('a result file swapped in the tool cache is not delivered: its SHA-256 is checked against the Actions cache record, and it is downloaded', async () => {
    const url = emulator.addSource('swapped.mp4', { data: clipBytes(3) });
    const first = await job({ 'video-url': url, download: 'true', 'download-path': 'out' });
    expect(first.errors).toEqual([]);
    const real = await readFile(join(first.dir, 'out', 'swapped-2x.mp4'));

    // Another job replaces the file, and the digest next to it that the tool cache used to be trusted for.
    const dir = toolCacheDir(keyOf(clipBytes(3)));
    const evil = Buffer.from('attacker bytes '.repeat(100));
    await writeFile(join(dir, 'result-0.mp4'), evil);
    const record = JSON.parse(await readFile(join(dir, 'record.json'), 'utf8').catch(() => '{}')) as Record<string, unknown>;
    if (record.taskId)
      await writeFile(join(dir, 'record.json'), JSON.stringify({ ...record, resultFiles: [{ index: 0, sha256: sha256(evil), bytes: evil.length }] }));

    const second = await job({ 'video-url': url, download: 'true', 'download-path': 'out' });
    expect(second.errors).toEqual([]);
    expect(posts()).toBe(0);
    expect(second.results[0]?.cached).toBe(true);
    expect(mediaRequests()).toHaveLength(1);
    expect(await readFile(join(second.dir, 'out', 'swapped-2x.mp4'))).toEqual(real);
    expect(second.stdout).not.toContain("Copied the result from the runner's tool cache");
  });

  it('a FIFO in the tool cache neither hangs the run nor is read', async () => {
    const bytes = clipBytes(4);
    const dir = toolCacheDir(keyOf(bytes));
    await mkdir(dir, { recursive: true });
    execFileSync('mkfifo', [join(dir, 'record.json')]);
    execFileSync('mkfifo', [join(dir, 'result-0.mp4')]);
    await writeFile(`${dir}.complete`, '');
    const run = await job({ 'video-url': emulator.addSource('fifo.mp4', { data: bytes }), timeout: '20s' }, { killAfterMs: 40_000 });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    expect(posts()).toBe(1);
  });
});

describe('Actions cache entries that are not regular files', () => {
  it('a record restored as a FIFO is refused at once, and the source submitted', async () => {
    const bytes = clipBytes(5);
    await plantActionsCacheEntry(keyOf(bytes), async (path) => {
      execFileSync('mkfifo', [path]);
      return Promise.resolve();
    });
    const run = await job({ 'video-url': emulator.addSource('fifo-record.mp4', { data: bytes }), timeout: '20s' }, { killAfterMs: 40_000 });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    expect(posts()).toBe(1);
    expect(run.stdout).toContain('is ignored: it is not a regular file');
  });

  it('a record restored as a symlink to /dev/zero is refused without reading it', async () => {
    const bytes = clipBytes(6);
    await plantActionsCacheEntry(keyOf(bytes), (path) => symlink('/dev/zero', path));
    const run = await job({ 'video-url': emulator.addSource('zero-record.mp4', { data: bytes }), timeout: '20s' }, { killAfterMs: 40_000 });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    expect(posts()).toBe(1);
    expect(run.stdout).toContain('is ignored: it leads out of its store');
  });
});

describe('the reuse lookup', () => {
  it('answered with another task id: not reused, one warning, a normal submission; that id is not published', async () => {
    const url = emulator.addSource('other-id.mp4', { data: clipBytes(7) });
    const first = await job({ 'video-url': url });
    expect(first.errors).toEqual([]);
    const hostile = '$(touch pwned) `id` ; rm -rf ~ #';
    emulator.fault({
      route: 'poll',
      status: 200,
      body: JSON.stringify({
        id: hostile,
        model: 'topaz-video-upscaler',
        status: 'completed',
        output: { video_urls: [`${emulator.cdnUrl}/media/tasks/x/0.mp4`] },
      }),
    });
    const second = await job({ 'video-url': url });
    expect(second.errors).toEqual([]);
    expect(posts()).toBe(1);
    expect(second.outputs['task-id']).toMatch(/^task_[0-9a-f]+$/);
    expect(second.outputs['task-id']).not.toBe(first.outputs['task-id']);
    expect(JSON.stringify(second.outputs)).not.toContain('pwned');
    const lines = warnings(second);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`the earlier task ${first.outputs['task-id']} for this unchanged source was answered with another task`);
  });

  it('answered 403: not reusable, one warning, then a normal submission', async () => {
    const url = emulator.addSource('forbidden.mp4', { data: clipBytes(8) });
    await job({ 'video-url': url });
    emulator.fault({ route: 'poll', status: 403 });
    const second = await job({ 'video-url': url });
    expect(second.code).toBe(0);
    expect(second.errors).toEqual([]);
    expect(posts()).toBe(1);
    expect(second.outputs.status).toBe('completed');
    const lines = warnings(second);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('could not be fetched (HTTP 403)');
  });
});

describe('max-billable-seconds when a reused task is gone', () => {
  it('a fallback submission that would pass the limit is refused, naming the clip and the numbers', async () => {
    const reused = emulator.addSource('was-reused.mp4', { data: clipBytes(9) });
    const first = await job({ 'video-url': reused });
    expect(first.errors).toEqual([]);
    emulator.tasks.delete(first.outputs['task-id'] as string);

    const fresh = emulator.addSource('fresh.mp4', { data: clipBytes(10) });
    const run = await job({ 'video-url': `${reused}\n${fresh}`, 'max-billable-seconds': '4' });
    expect(run.stdout).toContain('Within max-billable-seconds (4 of 4)');
    expect(posts()).toBe(1);
    expect(run.code).not.toBe(0);
    expect(run.outputs['billable-seconds']).toBe('4');
    expect(run.results.map((result) => result.status)).toEqual(['skipped', 'completed']);
    const error = run.results[0]?.error ?? '';
    expect(error).toContain('would bring the run to 8, over max-billable-seconds (4)');
    expect(error).toContain('was-reused.mp4 was not submitted');
  });

  it('within the limit, the fallback is submitted and billed', async () => {
    const reused = emulator.addSource('gone-ok.mp4', { data: clipBytes(11) });
    const first = await job({ 'video-url': reused });
    emulator.tasks.delete(first.outputs['task-id'] as string);
    const run = await job({ 'video-url': reused, 'max-billable-seconds': '4' });
    expect(run.errors).toEqual([]);
    expect(posts()).toBe(1);
    expect(run.outputs['billable-seconds']).toBe('4');
  });
});

describe('what is remembered', () => {
  it('a result verification found wrong under verify: warn is not remembered, so verify: fail later submits again', async () => {
    emulator.plan('short-result.mp4', { result: 'too-short' });
    const url = emulator.addSource('short-result.mp4', { data: clipBytes(12) });
    const first = await job({ 'video-url': url, verify: 'warn' });
    expect(first.code).toBe(0);
    expect(warnings(first).join('\n')).toMatch(/duration/i);
    expect(cache.entries).toHaveLength(0);

    const second = await job({ 'video-url': url, verify: 'fail' });
    expect(posts()).toBe(1);
    expect(second.results[0]?.cached).toBe(false);
  });

  it('a source that changes while its task runs is not remembered', async () => {
    emulator.reset({ processingPolls: 4 });
    const name = 'changing.mp4';
    const url = emulator.addSource(name, { data: clipBytes(13) });
    let changed = false;
    const run = await job(
      { 'video-url': url },
      {
        onStdout: (text) => {
          // Once the task exists, the host serves other bytes: reApi may have fetched either.
          if (!changed && /Task \S+ created/.test(text)) {
            changed = true;
            emulator.addSource(name, { data: clipBytes(14) });
          }
        },
      },
    );
    expect(changed).toBe(true);
    expect(run.errors).toEqual([]);
    expect(run.stdout).toContain('is not remembered: its source changed while the task ran');
    expect(cache.entries).toHaveLength(0);
  });

  it('task ids with . : ~ and more than 16 results are remembered and reused, as the API path accepts them', async () => {
    emulator.plan('dotted.mp4', { id: 'task.v2:abc~1', resultCount: 17 });
    const url = emulator.addSource('dotted.mp4', { data: clipBytes(15) });
    const first = await job({ 'video-url': url, verify: 'off' });
    expect(first.errors).toEqual([]);
    expect(first.outputs['task-id']).toBe('task.v2:abc~1');
    expect(cache.entries).toHaveLength(1);
    const second = await job({ 'video-url': url, verify: 'off' });
    expect(posts()).toBe(0);
    expect(second.results[0]?.cached).toBe(true);
  });
});
