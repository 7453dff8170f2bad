/**
 * src/skip-unchanged/record-stores.ts for real: `@actions/cache` and `@actions/tool-cache`
 * run unmodified in a child process (one per "job"), against the fake cache
 * service on loopback with its blobs on Azurite, and a temporary
 * RUNNER_TOOL_CACHE. Warnings are counted on the child's stdout, where the
 * runner would read them.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintKey, type Fingerprint } from '../../src/skip-unchanged/fingerprint';
import { actionsCachePath, toolCacheVersion, TOOL_NAME, type CacheHit, type ResultRecord, type SaveOutcome } from '../../src/skip-unchanged/record';
import { AzuriteContainer } from '../helpers/azurite';
import { CacheService } from '../helpers/cache-service';
import type { DriverJob, DriverResult } from '../helpers/result-cache-driver';

const REPO = resolve(import.meta.dirname, '../..');
const DRIVER = join(REPO, 'test/helpers/result-cache-driver.ts');
/** The driver bundled once (esbuild, as tsx would compile it), so each "job" is a plain node process. */
let driverBundle = '';
let bundleDir = '';
beforeAll(async () => {
  bundleDir = await mkdtemp(join(tmpdir(), 'reapi-result-cache-driver-'));
  driverBundle = join(bundleDir, 'driver.mjs');
  await build({
    entryPoints: [DRIVER],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: driverBundle,
    logLevel: 'silent',
    // The library compares error classes by name (`error.name === ReserveCacheError.name`): renaming would break it.
    keepNames: true,
    // CommonJS dependencies bundled into ESM need a require.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
});
afterAll(async () => {
  await rm(bundleDir, { recursive: true, force: true });
});
/** The cap on each Actions cache call in these runs. */
const CAP_MS = 2_000;

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function fingerprint(source = 'clip-a', upscaleFactor: '1' | '2' | '4' = '2'): Fingerprint {
  return { model: 'topaz-video-upscaler', upscaleFactor, sourceSha256: sha(source) };
}

function recordFor(fp: Fingerprint, taskId = 'task_0001'): ResultRecord {
  return {
    v: 1,
    model: fp.model,
    upscaleFactor: fp.upscaleFactor as ResultRecord['upscaleFactor'],
    sourceSha256: fp.sourceSha256,
    taskId,
    videoUrls: [`https://cdn.reapi.ai/media/tasks/${taskId}/0.mp4`],
    billableSeconds: 4,
    completedAt: '2026-11-20T08:30:00.000Z',
  };
}

/** Each test has its own cache service (all on one Azurite), scratch directory and tool cache, so the tests run side by side. */
const azurite = new AzuriteContainer('actions-cache');
beforeAll(async () => {
  await azurite.start();
});
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  await azurite.stop();
});

interface Run {
  results: DriverResult[];
  abandoned: boolean;
  stdout: string;
  /** `::warning` and `::error` lines: what the runner shows as annotations. */
  annotations: string[];
  workspace: string;
  /** Whether process.stdout.write was another function than at the start when a request to the cache service began. */
  stdoutPatched: boolean;
  serviceRequests: number;
}

interface Context {
  service: CacheService;
  scratch: string;
  toolCacheDir: string;
  /** Runs one "job" in a child process with a fresh workspace and the test's tool cache. */
  run: (job: DriverJob, env?: Record<string, string | undefined>) => Promise<Run>;
}

async function context(): Promise<Context> {
  const service = await new CacheService(azurite).start();
  const scratch = await mkdtemp(join(tmpdir(), 'reapi-result-cache-'));
  const toolCacheDir = join(scratch, 'toolcache');
  // Cleaned up after all tests: onTestFinished cannot tell concurrent tests apart without their context.
  cleanups.push(async () => {
    await service.stop();
    await rm(scratch, { recursive: true, force: true });
  });
  let runs = 0;
  const run = async (job: DriverJob, env: Record<string, string | undefined> = service.env()): Promise<Run> => {
    const dir = join(scratch, `run-${++runs}`);
    const workspace = join(dir, 'workspace');
    const temp = join(dir, 'temp');
    await Promise.all([mkdir(workspace, { recursive: true }), mkdir(temp, { recursive: true })]);
    const jobPath = join(dir, 'job.json');
    const resultsPath = join(dir, 'results.json');
    await writeFile(jobPath, JSON.stringify({ timeoutMs: CAP_MS, ...job }));
    const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(ACTIONS_|GITHUB_|RUNNER_)/.test(name)));
    const child = spawn(process.execPath, [driverBundle, jobPath, resultsPath], {
      cwd: workspace,
      env: { ...base, GITHUB_WORKSPACE: workspace, RUNNER_TEMP: temp, RUNNER_TOOL_CACHE: toolCacheDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    if (code !== 0) throw new Error(`driver exited with ${code}:\n${stdout}\n${stderr}`);
    const { results, abandoned, stdoutPatched, serviceRequests } = JSON.parse(await readFile(resultsPath, 'utf8')) as Pick<
      Run,
      'results' | 'abandoned' | 'stdoutPatched' | 'serviceRequests'
    >;
    const annotations = stdout.split(/\r?\n/).filter((line) => /^::(warning|error)/.test(line));
    return { results, abandoned, stdout, annotations, workspace, stdoutPatched, serviceRequests };
  };
  return { service, scratch, toolCacheDir, run };
}

const hitOf = (result: DriverResult | undefined) => (result?.value ?? null) as CacheHit | null;
const saveOf = (result: DriverResult | undefined) => result?.value as SaveOutcome;

describe.concurrent('the Actions cache, through @actions/cache against the fake service', () => {
  it('saves a record and a later job finds it by exact key, with no restore keys', async () => {
    const { service, run } = await context();
    const fp = fingerprint();
    // keepResultFiles and a fresh tool cache per job would not matter: each job below gets no tool cache.
    const saved = await run({ ops: [{ op: 'save', record: recordFor(fp) }] }, { ...service.env(), RUNNER_TOOL_CACHE: '' });
    expect(saveOf(saved.results[0])).toEqual({ toolCache: 'skipped', actionsCache: 'saved' });
    expect(saved.annotations).toEqual([]);
    expect(service.callsTo('CreateCacheEntry')).toHaveLength(1);
    expect(service.callsTo('FinalizeCacheEntryUpload')).toHaveLength(1);
    expect(service.entries.map((e) => e.key)).toEqual([fingerprintKey(fp)]);
    // The record file was written for the library and removed: the workspace is left as it was.
    expect(await readdir(saved.workspace)).toEqual([]);

    service.reset();
    const found = await run({ ops: [{ op: 'lookup', fingerprint: fp }] }, { ...service.env(), RUNNER_TOOL_CACHE: '' });
    const hit = hitOf(found.results[0]);
    expect(hit).toEqual({ record: recordFor(fp), files: [] });
    expect(found.annotations).toEqual([]);
    expect(found.stdoutPatched).toBe(false);
    const lookups = service.callsTo('GetCacheEntryDownloadURL');
    expect(lookups).toHaveLength(1);
    expect(lookups[0]?.body.key).toBe(fingerprintKey(fp));
    expect(lookups[0]?.body.restore_keys ?? []).toEqual([]);
    expect(await readdir(found.workspace)).toEqual([]);
  });

  it('misses for other bytes and for another factor', async () => {
    const { service, scratch, run } = await context();
    const fp = fingerprint();
    await run({ ops: [{ op: 'save', record: recordFor(fp) }] });
    const other = await run(
      {
        ops: [
          { op: 'lookup', fingerprint: fingerprint('clip-a, one byte changed') },
          { op: 'lookup', fingerprint: fingerprint('clip-a', '4') },
        ],
      },
      { ...service.env(), RUNNER_TOOL_CACHE: join(scratch, 'empty-toolcache') },
    );
    expect(other.results.map(hitOf)).toEqual([null, null]);
    expect(service.callsTo('GetCacheEntryDownloadURL')).toHaveLength(2);
    expect(other.annotations).toEqual([]);
  });

  it('never takes a prefix match: an entry whose key extends ours is another source', async () => {
    const { service, run } = await context();
    const fp = fingerprint();
    const key = fingerprintKey(fp);
    // Plant, under a longer key, a record at the very path our key uses (so the version matches and the service prefix-matches it).
    const planted = await run({
      ops: [{ op: 'rawSave', path: actionsCachePath(key), key: `${key}-other`, content: JSON.stringify(recordFor(fp, 'task_someone_else')) }],
    });
    expect(planted.results[0]?.value).toBeGreaterThan(0);
    const found = await run({ ops: [{ op: 'lookup', fingerprint: fp }] }, { ...service.env(), RUNNER_TOOL_CACHE: '' });
    expect(hitOf(found.results[0])).toBeNull();
    // The service did answer with the longer key; the restored file was not used and is gone.
    expect(service.callsTo('GetCacheEntryDownloadURL')).toHaveLength(1);
    expect(found.stdout).toContain(`matched another key (${key}-other)`);
    expect(await readdir(found.workspace)).toEqual([]);
  });

  it('takes saving an existing key as done, without a warning', async () => {
    const { service, run } = await context();
    const fp = fingerprint();
    await run({ ops: [{ op: 'save', record: recordFor(fp) }] });
    const again = await run({ ops: [{ op: 'save', record: recordFor(fp, 'task_0002') }] });
    expect(saveOf(again.results[0]).actionsCache).toBe('exists');
    expect(again.annotations).toEqual([]);
    expect(service.entries).toHaveLength(1);
  });

  it('turns a restored record that does not match the fingerprint away', async () => {
    const { service, run } = await context();
    const fp = fingerprint();
    const key = fingerprintKey(fp);
    // The right key, but the record inside names another source: untrusted input, refused.
    await run({ ops: [{ op: 'rawSave', path: actionsCachePath(key), key, content: JSON.stringify(recordFor(fingerprint('clip-b'))) }] });
    const found = await run({ ops: [{ op: 'lookup', fingerprint: fp }] }, { ...service.env(), RUNNER_TOOL_CACHE: '' });
    expect(hitOf(found.results[0])).toBeNull();
    expect(found.stdout).toContain('its source SHA-256 does not match');
    expect(await readdir(found.workspace)).toEqual([]);
  });
});

describe.concurrent('an Actions cache that cannot be used', () => {
  const fp = fingerprint();
  const twice: DriverJob = {
    ops: [
      { op: 'lookup', fingerprint: fp },
      { op: 'save', record: recordFor(fp) },
      { op: 'lookup', fingerprint: fingerprint('clip-b') },
      { op: 'save', record: recordFor(fingerprint('clip-b'), 'task_0002') },
    ],
  };

  async function expectGoesOn(runResult: Run, lookupsHit = false): Promise<void> {
    // At most one annotation for the whole run (the library's own counts), and nothing thrown.
    expect(runResult.annotations.length).toBeLessThanOrEqual(1);
    expect(runResult.results.map((r) => r.op)).toEqual(['lookup', 'save', 'lookup', 'save']);
    if (!lookupsHit) expect(hitOf(runResult.results[0])).toBeNull();
    // No result file to keep: the tool cache is not written.
    expect(runResult.results.filter((r) => r.op === 'save').map((r) => saveOf(r).toolCache)).toEqual(['skipped', 'skipped']);
    expect(await readdir(runResult.workspace)).toEqual([]);
    // A guard against hanging, not a speed check: every call ends near the cap (2 s) at worst.
    for (const result of runResult.results) expect(result.ms).toBeLessThan(CAP_MS + 8_000);
  }

  it('not configured (no ACTIONS_RESULTS_URL, no token): one warning, no request', async () => {
    const { service, run } = await context();
    const result = await run(twice, {});
    await expectGoesOn(result);
    expect(result.annotations).toHaveLength(1);
    expect(result.annotations[0]).toContain('the Actions cache service is not available on this runner');
    expect(service.calls).toEqual([]);
  });

  it('GitHub Enterprise Server without the cache service: one warning, no request', async () => {
    const { service, run } = await context();
    const result = await run(twice, { ...service.env(), GITHUB_SERVER_URL: 'https://ghe.example.com' });
    await expectGoesOn(result);
    expect(result.annotations).toHaveLength(1);
    expect(service.calls).toEqual([]);
  });

  it('down (connection refused): the library warns once, the run goes on', async () => {
    const { service, run } = await context();
    await service.setMode('down');
    const result = await run(twice);
    await expectGoesOn(result);
    expect(result.annotations).toHaveLength(1);
    expect(result.annotations[0]).toMatch(/ECONNREFUSED/);
    expect(result.stdoutPatched).toBe(false);
    expect(result.abandoned).toBe(false);
  });

  it('hanging: each call is abandoned at the cap, one warning, the store is off after the first', async () => {
    const { service, run } = await context();
    await service.setMode('hang');
    const result = await run(twice);
    await expectGoesOn(result);
    expect(result.annotations).toHaveLength(1);
    expect(result.annotations[0]).toContain('did not answer within 2 s');
    expect(result.abandoned).toBe(true);
    // One request reached the service; nothing after it.
    expect(service.calls).toHaveLength(1);
  });

  it('429 on CreateCacheEntry without Retry-After (the library only logs info): we warn once', async () => {
    const { service, run } = await context();
    await service.setMode('rate-limit');
    const result = await run(twice);
    await expectGoesOn(result);
    expect(result.annotations).toHaveLength(1);
    expect(result.annotations[0]).toContain('did not take the record of task task_0001');
    expect(saveOf(result.results[1]).actionsCache).toBe('failed');
    // Saving is off after the refusal: the second record is not offered.
    expect(service.callsTo('CreateCacheEntry')).toHaveLength(1);
  });

  it('429 with Retry-After: the library warns itself, and that is the only warning', async () => {
    const { service, run } = await context();
    await service.setMode('rate-limit');
    service.retryAfterSeconds = 30;
    const result = await run(twice);
    await expectGoesOn(result);
    expect(result.annotations).toHaveLength(1);
    expect(result.annotations[0]).toContain('rate limit');
    expect(result.stdoutPatched).toBe(false);
  });

  it('read-only (create refused, as for untrusted triggers): the library warns once; lookups still work', async () => {
    const { service, scratch, run } = await context();
    const other = fingerprint('clip-b');
    await run({ ops: [{ op: 'save', record: recordFor(other, 'task_0002') }] });
    await service.setMode('read-only');
    service.reset();
    const result = await run(
      {
        ops: [
          { op: 'lookup', fingerprint: fp },
          { op: 'save', record: recordFor(fp) },
          { op: 'lookup', fingerprint: other },
          { op: 'save', record: recordFor(fingerprint('clip-c'), 'task_0003') },
        ],
      },
      { ...service.env(), RUNNER_TOOL_CACHE: join(scratch, 'empty-toolcache') },
    );
    expect(result.annotations).toHaveLength(1);
    expect(result.annotations[0]).toContain('cache write denied');
    // The library's own warning was told from the service's answers, not by patching stdout around the calls.
    expect(result.serviceRequests).toBeGreaterThan(0);
    expect(result.stdoutPatched).toBe(false);
    expect(hitOf(result.results[2])?.record.taskId).toBe('task_0002');
    expect(service.callsTo('CreateCacheEntry')).toHaveLength(1);
  });

  it('ACTIONS_CACHE_MODE=read: one warning at the first save, lookups still asked', async () => {
    const { service, run } = await context();
    const result = await run(twice, { ...service.env(), ACTIONS_CACHE_MODE: 'read' });
    await expectGoesOn(result);
    expect(result.annotations).toHaveLength(1);
    expect(result.annotations[0]).toContain('read-only');
    expect(service.callsTo('GetCacheEntryDownloadURL')).toHaveLength(2);
    expect(service.callsTo('CreateCacheEntry')).toHaveLength(0);
  });
});

describe.concurrent('the tool cache', () => {
  async function saveWithFile({ run, scratch, toolCacheDir }: Context, fp: Fingerprint, bytes: Buffer): Promise<string> {
    const file = join(scratch, 'result.mp4');
    await writeFile(file, bytes);
    const saved = await run({ keepResultFiles: true, ops: [{ op: 'save', record: recordFor(fp), files: [file] }] });
    expect(saveOf(saved.results[0])).toEqual({ toolCache: 'saved', actionsCache: 'saved' });
    return join(toolCacheDir, TOOL_NAME, toolCacheVersion(fingerprintKey(fp)), process.arch);
  }

  it('holds the result file, whose digest the Actions cache record carries; the copy needs no download', async () => {
    const { service, scratch, toolCacheDir, run } = await context();
    const fp = fingerprint();
    const bytes = Buffer.from('upscaled bytes '.repeat(1000));
    const dir = await saveWithFile({ service, scratch, toolCacheDir, run }, fp, bytes);
    // Only the file: the tool cache holds no record, since it is never asked which task to reuse.
    expect(await readdir(dir)).toEqual(['result-0.mp4']);
    service.reset();
    const dest = join(scratch, 'delivered.mp4');
    const result = await run({
      ops: [
        { op: 'lookup', fingerprint: fp },
        { op: 'copy', fingerprint: fp, dest },
      ],
    });
    const hit = hitOf(result.results[0]);
    const facts = { index: 0, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
    expect(hit?.record).toEqual({ ...recordFor(fp), resultFiles: [facts] });
    expect(hit?.files).toEqual([{ ...facts, path: join(dir, 'result-0.mp4'), root: toolCacheDir }]);
    expect(result.results[1]?.value).toBe(true);
    expect(await readFile(dest)).toEqual(bytes);
    expect(result.annotations).toEqual([]);

    // Without the Actions cache the file is never used: the tool cache alone does not say which task a source maps to.
    await service.setMode('down');
    const alone = await run({ ops: [{ op: 'lookup', fingerprint: fp }] });
    expect(hitOf(alone.results[0])).toBeNull();
  });

  it('does not hand over a result file whose bytes changed: same size, other SHA-256', async () => {
    const { service, scratch, toolCacheDir, run } = await context();
    const fp = fingerprint();
    const bytes = Buffer.from('upscaled bytes '.repeat(1000));
    const dir = await saveWithFile({ service, scratch, toolCacheDir, run }, fp, bytes);
    const tampered = Buffer.from(bytes);
    tampered[100] = tampered[100]! ^ 0xff;
    await writeFile(join(dir, 'result-0.mp4'), tampered);
    const dest = join(scratch, 'delivered.mp4');
    const result = await run({ ops: [{ op: 'copy', fingerprint: fp, dest }] });
    expect(result.results[0]?.value).toBe(false);
    // Nothing is left at the destination, not even a partial file.
    expect((await readdir(scratch)).filter((name) => name.startsWith('delivered'))).toEqual([]);
  });

  it('keeps no result files on GitHub-hosted runners (their machines do not outlive the job)', async () => {
    const { service, scratch, toolCacheDir, run } = await context();
    const fp = fingerprint();
    const file = join(scratch, 'result.mp4');
    await writeFile(file, 'bytes');
    const saved = await run({ ops: [{ op: 'save', record: recordFor(fp), files: [file] }] }, { ...service.env(), RUNNER_ENVIRONMENT: 'github-hosted' });
    expect(saveOf(saved.results[0]).toolCache).toBe('skipped');
    expect(await readdir(toolCacheDir).catch(() => [])).toEqual([]);
  });
});
