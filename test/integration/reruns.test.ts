/**
 * Re-runs resume, they don't resubmit: the action run in process, attempt after attempt of one workflow run, against
 * the emulator and the fake Actions cache service (Twirp over Azurite). Each attempt is a new "job" with its own
 * workspace; the cache carries over. The kill and signal cases, which need a process: test/e2e/reruns.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { fixtureBytes } from '../emulator/emulator';
import { CacheService } from '../helpers/cache-service';
import type { ActionRun } from '../helpers/run-action';
import { runInProcess } from '../helpers/run-in-process';
import { S3_REGION, S3TestServer } from '../helpers/s3-server';

const cache = new CacheService();
const s3 = new S3TestServer();
const fixture = useActionFixture({ reset: { processingPolls: 1 }, services: [cache, s3], tempDir: true });
const { emulator } = fixture;
let jobs = 0;
let runId = 1000;

beforeEach(async () => {
  cache.clear();
  await cache.setMode('ok');
  runId++;
});

/** A real 3.2 s clip under its own name (preflight reads its duration: 4 billable seconds). */
const source = (name: string) => emulator.addSource(name, { data: fixtureBytes('clip-3.2s-faststart.mp4') });

interface Result {
  source: string | null;
  task_id: string | null;
  status: string;
  error: string | null;
}

/** One attempt of the workflow run: a fresh workspace; the cache service carries over. */
async function attempt(
  n: number,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  files: Record<string, Buffer> = {},
): Promise<ActionRun & { results: Result[]; posts: number; warnings: string[] }> {
  const workspace = join(fixture.dir, `job-${++jobs}`);
  await mkdir(workspace, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(workspace, name), bytes);
  const postsBefore = emulator.apiRequests('submit').length;
  cache.reset();
  const run = await runInProcess(
    { 'api-key': 'test-key', 'api-base-url': emulator.apiUrl, 'poll-interval': '0.05', timeout: '60s', ...inputs },
    {
      env: {
        ...cache.env(),
        GITHUB_RUN_ID: String(runId),
        GITHUB_RUN_ATTEMPT: String(n),
        GITHUB_JOB: 'upscale',
        GITHUB_ACTION: 'topaz',
        GITHUB_WORKSPACE: workspace,
        ...env,
      },
      cwd: workspace,
    },
  );
  const results = JSON.parse(run.outputs.results ?? '[]') as Result[];
  const warnings = run.stdout.split('\n').filter((line) => line.startsWith('::warning'));
  return { ...run, results, posts: emulator.apiRequests('submit').length - postsBefore, warnings };
}

const rerunEntries = () => cache.entries.filter((entry) => entry.key.startsWith('reapi-topaz-rerun-') && entry.finalized);

describe('re-runs resume, they do not resubmit', () => {
  it('wait: false on attempt 1, then attempt 2 finishes what it started: no new submission, 0 billable seconds, said so', async () => {
    const url = source('clip-a.mp4');
    const first = await attempt(1, { 'video-url': url, wait: 'false' });
    expect(first.errors).toEqual([]);
    expect(first.posts).toBe(1);
    expect(first.warnings).toEqual([]);
    const taskId = first.outputs['task-id'] as string;
    expect(rerunEntries().map((entry) => entry.key)).toEqual([expect.stringMatching(new RegExp(`^reapi-topaz-rerun-v1-${runId}-[0-9a-f]{40}-a1$`))]);

    const second = await attempt(2, { 'video-url': url });
    expect(second.errors).toEqual([]);
    expect(second.posts).toBe(0);
    expect(second.outputs['task-id']).toBe(taskId);
    expect(second.outputs.status).toBe('completed');
    expect(second.outputs['billable-seconds']).toBe('0');
    expect(second.stdout).toContain(`Task ${taskId} resumed from an earlier attempt (attempt 1 of this workflow run submitted it)`);
    expect(second.summary).toContain('| **Resumed** | resumed from an earlier attempt (attempt 1;');
    expect(second.warnings).toEqual([]);
    // Nothing new to record: the task is attempt 1's.
    expect(rerunEntries()).toHaveLength(1);
  });

  it('a timeout on attempt 1 (the task still processing): attempt 2 waits for that task', async () => {
    const url = source('clip-slow.mp4');
    emulator.plan('clip-slow', { processingPolls: 40 });
    const first = await attempt(1, { 'video-url': url, timeout: '1s' });
    expect(first.outputs.status).toBe('processing');
    expect(first.posts).toBe(1);
    const second = await attempt(2, { 'video-url': url });
    expect(second.posts).toBe(0);
    expect(second.outputs.status).toBe('completed');
    expect(second.outputs['task-id']).toBe(first.outputs['task-id']);
  });

  it('a failed task is submitted again, under a key of its own, which attempt 3 then resumes', async () => {
    const url = source('clip-fail.mp4');
    emulator.plan('clip-fail', { fail: { code: 'UPSTREAM_ERROR', message: 'the model crashed' } });
    const first = await attempt(1, { 'video-url': url });
    expect(first.outputs.status).toBe('failed');
    emulator.configure({ processingPolls: 1 });
    const second = await attempt(2, { 'video-url': url, wait: 'false' });
    expect(second.posts).toBe(1);
    expect(second.stdout).toContain(`task ${first.outputs['task-id']}, submitted by attempt 1 of this workflow run, failed (refunded)`);
    expect(second.outputs['billable-seconds']).toBe('4');
    expect(rerunEntries().map((entry) => entry.key.slice(-3))).toEqual(['-a1', '-a2']);
    const third = await attempt(3, { 'video-url': url });
    expect(third.posts).toBe(0);
    expect(third.outputs['task-id']).toBe(second.outputs['task-id']);
    expect(third.stdout).toContain('attempt 2 of this workflow run submitted it');
  });

  it('a new workflow run is new work, and another factor is another clip: both submit', async () => {
    const url = source('clip-b.mp4');
    await attempt(1, { 'video-url': url, wait: 'false' });
    const otherFactor = await attempt(2, { 'video-url': url, 'upscale-factor': '4', wait: 'false' });
    expect(otherFactor.posts).toBe(1);
    runId++;
    const newRun = await attempt(2, { 'video-url': url, wait: 'false' });
    expect(newRun.posts).toBe(1);
    expect(newRun.stdout).not.toContain('resumed from an earlier attempt');
  });

  it('a partial batch: attempt 2 resumes a and b, submits only c, results in source order', async () => {
    const [a, b, c] = ['batch-a.mp4', 'batch-b.mp4', 'batch-c.mp4'].map((name) => source(name)) as [string, string, string];
    const first = await attempt(1, { 'video-url': `${a}\n${b}`, wait: 'false' });
    expect(first.posts).toBe(2);
    const second = await attempt(2, { 'video-url': `${a}\n${b}\n${c}` });
    expect(second.posts).toBe(1);
    expect(emulator.apiRequests('submit').at(-1)?.body).toContain('batch-c.mp4');
    expect(second.results.map((result) => result.source)).toEqual([a, b, c]);
    expect(second.results.slice(0, 2).map((result) => result.task_id)).toEqual(first.results.map((result) => result.task_id));
    expect(second.results.every((result) => result.status === 'completed')).toBe(true);
    expect(second.outputs['billable-seconds']).toBe('4');
  });

  it('a task gone on attempt 2: one warning naming it, then the source is submitted again', async () => {
    const url = source('clip-gone.mp4');
    const first = await attempt(1, { 'video-url': url, wait: 'false' });
    const taskId = first.outputs['task-id'] as string;
    emulator.tasks.delete(taskId);
    const second = await attempt(2, { 'video-url': url });
    expect(second.posts).toBe(1);
    expect(second.outputs.status).toBe('completed');
    expect(second.warnings).toEqual([
      `::warning::re-runs: task ${taskId}, submitted by attempt 1 of this workflow run, can no longer be fetched (HTTP 404), so the source is submitted again (billed).`,
    ]);
  });

  it('resume-reruns: false submits again and records nothing', async () => {
    const url = source('clip-off.mp4');
    await attempt(1, { 'video-url': url, wait: 'false', 'resume-reruns': 'false' });
    expect(rerunEntries()).toEqual([]);
    await attempt(1, { 'video-url': url, wait: 'false' });
    const second = await attempt(2, { 'video-url': url, wait: 'false', 'resume-reruns': 'false' });
    expect(second.posts).toBe(1);
    expect(cache.callsTo('GetCacheEntryDownloadURL')).toEqual([]);
  });

  it('the cache hanging: one warning, the run goes on and submits, and no call is made after the first', async () => {
    const url = source('clip-hang.mp4');
    await attempt(1, { 'video-url': url, wait: 'false' });
    await cache.setMode('hang');
    const second = await attempt(2, { 'video-url': url, wait: 'false' });
    expect(second.errors).toEqual([]);
    expect(second.posts).toBe(1);
    expect(second.warnings).toHaveLength(1);
    expect(second.warnings[0]).toContain('re-runs: the Actions cache did not answer within 5 s while looking up');
    expect(cache.calls).toHaveLength(1);
  });

  it('the cache down: one warning (the library says why), the run goes on', async () => {
    const url = source('clip-down.mp4');
    await cache.setMode('down');
    const first = await attempt(1, { 'video-url': url, wait: 'false' });
    expect(first.errors).toEqual([]);
    expect(first.posts).toBe(1);
    expect(first.warnings.length + first.stdout.split('\n').filter((line) => line.startsWith('::error')).length).toBeLessThanOrEqual(1);
  });

  it('a workspace file (video-file) is its bytes: attempt 2 resumes without staging it again', async () => {
    const files = { 'intro.mp4': fixtureBytes('clip-3.2s-faststart.mp4') };
    const staged = { 'source-bucket': 's3://staging/reapi/', 's3-endpoint': s3.endpoint, 's3-region': S3_REGION, 'video-file': 'intro.mp4', verify: 'off' };
    const first = await attempt(1, { ...staged, wait: 'false' }, s3.env(), files);
    expect(first.errors).toEqual([]);
    expect(first.posts).toBe(1);
    const puts = () => s3.requests.filter((request) => request.method === 'PUT').length;
    const putsBefore = puts();
    const second = await attempt(2, staged, s3.env(), files);
    expect(second.errors).toEqual([]);
    expect(second.posts).toBe(0);
    expect(puts()).toBe(putsBefore);
    expect(second.outputs['task-id']).toBe(first.outputs['task-id']);
    expect(second.stdout).toContain('resumed from an earlier attempt');
  });

  it('the saved entry holds the task, source, factor and model, and no secret: not the API key, not the signature', async () => {
    emulator.configure({ processingPolls: 1, apiKey: 'rk_live_secret_key_123' });
    const signed = `${source('clip-signed.mp4')}?X-Amz-Signature=deadbeefcafe0123&X-Amz-Credential=AKIDEXAMPLE%2F20261203&X-Amz-Expires=900`;
    const first = await attempt(1, { 'video-url': signed, wait: 'false', 'api-key': 'rk_live_secret_key_123' });
    const [entry] = rerunEntries();
    expect(entry).toBeDefined();
    const blob = await cache.blobBytes(entry!.blobName);
    const dir = join(fixture.dir, 'entry');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'archive'), blob);
    await promisify(execFile)('tar', ['-xf', 'archive'], { cwd: dir });
    const [file] = (await readdir(join(dir, '.reapi-topaz-video-upscaler-cache'))) as [string];
    const text = await readFile(join(dir, '.reapi-topaz-video-upscaler-cache', file), 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThan(1024);
    const record = JSON.parse(text) as Record<string, unknown>;
    expect(record).toMatchObject({
      v: 1,
      runId: String(runId),
      attempt: 1,
      taskId: first.outputs['task-id'],
      upscaleFactor: '2',
      model: 'topaz-video-upscaler',
    });
    for (const secret of ['rk_live_secret_key_123', 'deadbeefcafe0123', 'AKIDEXAMPLE', 'X-Amz']) {
      expect(text).not.toContain(secret);
      expect(entry!.key).not.toContain(secret);
    }
    // Signed again (another signature) on the re-run, it is the same source.
    const resigned = signed.replace('deadbeefcafe0123', '0123456789abcdef');
    const second = await attempt(2, { 'video-url': resigned, wait: 'false', 'api-key': 'rk_live_secret_key_123' });
    expect(second.posts).toBe(0);
  });
});
