/**
 * Re-runs through dist/index.js in a child process, for what needs a process of its own: attempt 1 killed (SIGKILL,
 * as a lost runner) once its record is durable, and cancelled (SIGTERM) straight after the submission; attempt 2
 * resumes the task in both, submitting nothing (the emulator's request log proves it). The behaviour variants:
 * test/integration/reruns.test.ts.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { fixtureBytes } from '../emulator/emulator';
import { CacheService } from '../helpers/cache-service';
import { runAction, type RunOptions } from '../helpers/run-action';

const cache = new CacheService();
const fixture = useActionFixture({ reset: { processingPolls: 1 }, services: [cache], tempDir: true });
const { emulator } = fixture;
let jobs = 0;
let runId = 5000;

beforeEach(() => {
  cache.clear();
  runId++;
});

const source = (name: string) => emulator.addSource(name, { data: fixtureBytes('clip-3.2s-faststart.mp4') });
const durableRecords = () => cache.entries.filter((entry) => entry.key.startsWith('reapi-topaz-rerun-') && entry.finalized);

/** One attempt of the workflow run, as the runner starts the step. */
async function attempt(n: number, inputs: Record<string, string>, onStdout?: RunOptions['onStdout']) {
  const workspace = join(fixture.dir, `job-${++jobs}`);
  await mkdir(workspace, { recursive: true });
  const posts = emulator.apiRequests('submit').length;
  const run = await runAction(
    { 'api-key': 'test-key', 'api-base-url': emulator.apiUrl, 'poll-interval': '0.05', timeout: '60s', ...inputs },
    {
      env: {
        ...cache.env(),
        GITHUB_RUN_ID: String(runId),
        GITHUB_RUN_ATTEMPT: String(n),
        GITHUB_JOB: 'upscale',
        GITHUB_ACTION: 'topaz',
        GITHUB_WORKSPACE: workspace,
      },
      cwd: workspace,
      onStdout,
    },
  );
  return { ...run, posts: emulator.apiRequests('submit').length - posts };
}

describe('re-runs', () => {
  it('attempt 1 killed (SIGKILL) once its record is durable: attempt 2 waits for that task and submits nothing (smoke)', async () => {
    const url = source('killed.mp4');
    emulator.plan('killed.mp4', { processingPolls: 30 });
    let killed = false;
    const first = await attempt(1, { 'video-url': url }, (text, child) => {
      if (killed || !text.includes('created')) return;
      killed = true;
      // A lost runner: no chance to clean up. Only what the cache already holds counts.
      const kill = setInterval(() => {
        if (durableRecords().length === 0) return;
        clearInterval(kill);
        child.kill('SIGKILL');
      }, 10);
    });
    expect(killed).toBe(true);
    expect(first.signal).toBe('SIGKILL');
    expect(first.posts).toBe(1);
    const taskId = [...emulator.tasks.keys()][0] as string;

    const second = await attempt(2, { 'video-url': url });
    expect(second.errors).toEqual([]);
    expect(second.code).toBe(0);
    expect(second.posts).toBe(0);
    expect(second.outputs['task-id']).toBe(taskId);
    expect(second.outputs.status).toBe('completed');
    expect(second.outputs['billable-seconds']).toBe('0');
    expect(second.stdout).toContain(`Task ${taskId} resumed from an earlier attempt (attempt 1 of this workflow run submitted it)`);
  });

  it('attempt 1 cancelled (SIGTERM) straight after the submission: the record is finished before the step ends, attempt 2 resumes', async () => {
    const url = source('cancelled.mp4');
    emulator.plan('cancelled.mp4', { processingPolls: 30 });
    let signalled = false;
    const first = await attempt(1, { 'video-url': url }, (text, child) => {
      if (signalled || !text.includes('created')) return;
      signalled = true;
      child.kill('SIGTERM');
    });
    expect(signalled).toBe(true);
    expect(first.code).not.toBe(0);
    expect(first.stdout).toContain('Cancelled');
    expect(durableRecords()).toHaveLength(1);

    const second = await attempt(2, { 'video-url': url });
    expect(second.code).toBe(0);
    expect(second.posts).toBe(0);
    expect(second.outputs['task-id']).toBe(first.outputs['task-id']);
    expect(second.outputs.status).toBe('completed');
  });
});
