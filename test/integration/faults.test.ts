/**
 * Fault injection, the action run in process against the emulator: the action never submits twice, never hangs, and
 * always says how to recover.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import type { ActionRun } from '../helpers/run-action';
import { runInProcess as runAction } from '../helpers/run-in-process';

const fixture = useActionFixture({ reset: { processingPolls: 1 }, inputs: () => ({ timeout: '20s' }) });
const { emulator, inputs } = fixture;

/** A port on 127.0.0.1 with nothing listening. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function expectNoStackTrace(run: ActionRun): void {
  expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
}

/** The one failure line, which must name the task when there is one. */
function failure(run: ActionRun): string {
  expect(run.errors).toHaveLength(1);
  expectNoStackTrace(run);
  return run.errors[0] as string;
}

describe('polls are retried until the timeout', () => {
  it('rides out three 503s and completes with exactly one submission', async () => {
    emulator.fault({ route: 'poll', status: 503, times: 3 });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl() }));
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.status).toBe('completed');
    expect(emulator.apiRequests('submit')).toHaveLength(1);
    expect(emulator.tasks.size).toBe(1);
    expect(emulator.apiRequests('poll').length).toBe(3 + 2); // three refused, then processing, then completed
    expect(run.stdout.match(/HTTP 503.*Retrying in/g)).toHaveLength(3);
  });

  it('times out with the last problem and the task id when every poll answers 503', async () => {
    emulator.fault({ route: 'poll', status: 503, times: 10_000 });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl(), timeout: '2' }));
    expect(run.code).toBe(1);
    const taskId = run.outputs['task-id'] as string;
    expect(taskId).toMatch(/^task_/);
    expect(run.outputs.status).toBe('processing');
    const message = failure(run);
    expect(message).toMatch(/^Timed out after 2\.0s waiting for task task_\w+; the last poll failed: reApi error 50003.*HTTP 503/);
    expect(message).toContain(`task-id: ${taskId}`);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
    expect(emulator.apiRequests('poll').length).toBeGreaterThan(3);
  });

  it('tolerates one malformed poll answer', async () => {
    emulator.fault({ route: 'poll', malformed: true });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl() }));
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.status).toBe('completed');
    expect(run.stdout).toMatch(/not JSON.*Retrying in/);
  });

  it('reports answers that stay malformed clearly, with the task id', async () => {
    emulator.fault({ route: 'poll', malformed: true, times: 100 });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl() }));
    expect(run.code).toBe(1);
    const taskId = run.outputs['task-id'] as string;
    const message = failure(run);
    expect(message).toMatch(/not JSON.*4 unreadable answers in a row to polls; giving up/);
    expect(message).toContain(`task-id: ${taskId}`);
    expect(emulator.apiRequests('poll')).toHaveLength(4);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
  });

  it('honours Retry-After as an HTTP date on a poll', async () => {
    // HTTP dates have whole seconds: at least 2 s ahead, far beyond the 50 ms backoff it replaces.
    const retryAt = new Date(Math.ceil((Date.now() + 3000) / 1000) * 1000);
    emulator.fault({ route: 'poll', status: 503, retryAfter: retryAt.toUTCString() });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl() }));
    expect(run.code).toBe(0);
    const polls = emulator.apiRequests('poll');
    expect(polls.length).toBe(3);
    expect(polls[0]!.at).toBeLessThan(retryAt.getTime() - 1000);
    expect(polls[1]!.at).toBeGreaterThanOrEqual(retryAt.getTime() - 10);
  });

  it('abandons a poll that hangs past its time limit and asks again', async () => {
    // With timeout 8 s one poll may take 2 s (a quarter); this one would take 4 s.
    emulator.fault({ route: 'poll', delayMs: 4000 });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl(), timeout: '8' }));
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/GET \/api\/v1\/tasks\/task_\w+ timed out \(no complete answer within 2s\)\. Retrying in/);
    const polls = emulator.apiRequests('poll');
    expect(polls[1]!.at - polls[0]!.at).toBeGreaterThanOrEqual(2000);
    expect(polls[1]!.at - polls[0]!.at).toBeLessThan(4000);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
  });

  it('fails a never-ending task at the timeout with status=processing and a resume hint', async () => {
    emulator.plan('endless', { never: true });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('endless.mp4'), timeout: '2' }));
    expect(run.code).toBe(1);
    expect(run.durationMs).toBeLessThan(15_000);
    const taskId = run.outputs['task-id'] as string;
    expect(taskId).toMatch(/^task_/);
    expect(run.outputs.status).toBe('processing');
    expect(failure(run)).toMatch(new RegExp(`^Timed out after 2\\.0s waiting for task ${taskId}, which is still processing.*task-id: ${taskId}`));
    expect(emulator.apiRequests('submit')).toHaveLength(1);
  });
});

describe('the submission is sent again only when reApi certainly did not take it', () => {
  it('waits out a 429 Retry-After: 1 and creates exactly one task', async () => {
    emulator.fault({ route: 'submit', status: 429, retryAfter: '1' });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl() }));
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    const submits = emulator.apiRequests('submit');
    expect(submits).toHaveLength(2);
    expect(submits[1]!.at - submits[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(emulator.tasks.size).toBe(1);
    expect(run.outputs['task-id']).toBe([...emulator.tasks.keys()][0]);
  });

  it('retries a 503 on submit', async () => {
    emulator.fault({ route: 'submit', status: 503 });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl() }));
    expect(run.code).toBe(0);
    expect(emulator.apiRequests('submit')).toHaveLength(2);
    expect(emulator.tasks.size).toBe(1);
  });

  it('does not resubmit when the connection drops after the task was created', async () => {
    emulator.fault({ route: 'submit', resetAfterCreate: true });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl() }));
    expect(run.code).toBe(1);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
    expect(emulator.tasks.size).toBe(1);
    const message = failure(run);
    expect(message).toMatch(/^The submission's outcome is unknown: POST \/api\/v1\/videos\/generations failed \(.+\)\./);
    expect(message).toMatch(/may have been created.*not sent again.*reApi dashboard.*task-id/);
    expect(run.outputs['task-id']).toBeUndefined();
  });

  it.each([500, 502])('does not resubmit after HTTP %i (the job may exist)', async (status) => {
    emulator.fault({ route: 'submit', status });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl() }));
    expect(run.code).toBe(1);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
    expect(failure(run)).toMatch(new RegExp(`outcome is unknown: reApi error ${50000 + (status % 100)}.*HTTP ${status}.*not sent again.*task-id`));
  });

  it('never retries a validation error (400, code 20003)', async () => {
    emulator.fault({
      route: 'submit',
      status: 400,
      body: JSON.stringify({ error: { code: 20003, message: 'topaz-video-upscaler: video_url must be a public http(s) URL', request_id: 'req_x1' } }),
    });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl() }));
    expect(run.code).toBe(1);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
    expect(emulator.apiRequests('poll')).toHaveLength(0);
    expect(failure(run)).toMatch(/^reApi error 20003: video_url must be a public http\(s\) URL.*request_id: req_x1/);
    expect(run.stdout).not.toContain('Retrying');
  });

  it('retries a refused connection, then says nothing was submitted', async () => {
    const port = await closedPort();
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl(), 'api-base-url': `http://127.0.0.1:${port}`, timeout: '3' }));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/ECONNREFUSED.*Retrying in [\d.]+s \(attempt 2\)/);
    expect(failure(run)).toMatch(
      new RegExp(`^Could not reach reApi at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*Gave up after [2-5] attempts .*nothing was submitted or billed`),
    );
    expect(run.outputs['task-id']).toBeUndefined();
  });

  it('sends each submission on a new connection, so a stale keep-alive socket cannot swallow it', async () => {
    const sources = [emulator.sourceUrl('one.mp4'), emulator.sourceUrl('two.mp4')];
    const run = await runAction(inputs({ 'video-url': sources.join('\n'), concurrency: '1' }));
    expect(run.errors).toEqual([]);
    const api = emulator.apiRequests();
    // submit, poll, poll (completed), submit, poll, poll: the second submission comes after polls on a pooled connection.
    expect(api.map((r) => r.method)).toEqual(['POST', 'GET', 'GET', 'POST', 'GET', 'GET']);
    const port = (index: number) => api[index]!.remotePort;
    expect(port(1)).toBe(port(2)); // polls do reuse a connection
    const submitPorts = [port(0), port(3)];
    const pollPorts = new Set([port(1), port(2), port(4), port(5)]);
    expect(new Set(submitPorts).size).toBe(2);
    for (const submitPort of submitPorts) expect(pollPorts.has(submitPort)).toBe(false);
  });

  it('refuses a malformed API key before sending anything, without echoing it', async () => {
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl(), 'api-key': 'sk-half pasted' }));
    expect(run.code).toBe(1);
    expect(emulator.requests).toHaveLength(0);
    expect(failure(run)).toMatch(/^Input 'api-key' contains a space, line break or non-ASCII character/);
    const logged = run.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
    expect(logged.join('\n')).not.toContain('half pasted');
  });
});

describe('resume and fire-and-forget', () => {
  it('wait: false submits once and does not poll', async () => {
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl(), wait: 'false' }));
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
    expect(emulator.apiRequests('poll')).toHaveLength(0);
    expect(run.outputs).toMatchObject({ 'task-id': [...emulator.tasks.keys()][0], status: 'processing' });
    expect(run.stdout).toContain(`task-id: ${run.outputs['task-id']}`);
  });

  it('resumes by task-id without submitting, to completion', async () => {
    const first = await runAction(inputs({ 'video-url': emulator.sourceUrl(), wait: 'false' }));
    const taskId = first.outputs['task-id'] as string;
    const before = emulator.requests.length;
    const run = await runAction(inputs({ 'task-id': taskId }));
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    const later = emulator.requests.slice(before);
    expect(later.filter((r) => r.method === 'POST')).toHaveLength(0);
    expect(later.filter((r) => r.method === 'GET').length).toBeGreaterThan(0);
    expect(run.outputs).toMatchObject({ 'task-id': taskId, status: 'completed' });
    expect(emulator.tasks.size).toBe(1);
  });

  it('resuming a never-ending task times out again with the same id', async () => {
    emulator.plan('endless', { never: true });
    const first = await runAction(inputs({ 'video-url': emulator.sourceUrl('endless.mp4'), wait: 'false' }));
    const taskId = first.outputs['task-id'] as string;
    const run = await runAction(inputs({ 'task-id': taskId, timeout: '2' }));
    expect(run.code).toBe(1);
    expect(run.outputs).toMatchObject({ 'task-id': taskId, status: 'processing' });
    expect(failure(run)).toMatch(new RegExp(`^Timed out after 2\\.0s waiting for task ${taskId}.*task-id: ${taskId}`));
    expect(emulator.apiRequests('submit')).toHaveLength(1); // the first run's only
  });

  it('task-id with wait: false reads the status once', async () => {
    const first = await runAction(inputs({ 'video-url': emulator.sourceUrl(), wait: 'false' }));
    const taskId = first.outputs['task-id'] as string;
    const run = await runAction(inputs({ 'task-id': taskId, wait: 'false' }));
    expect(run.code).toBe(0);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
    expect(emulator.apiRequests('poll')).toHaveLength(1);
    expect(run.outputs).toMatchObject({ 'task-id': taskId, status: 'processing' });
  });

  it('task-id with wait: false gives up at the timeout when reApi keeps failing', async () => {
    const first = await runAction(inputs({ 'video-url': emulator.sourceUrl(), wait: 'false' }));
    const taskId = first.outputs['task-id'] as string;
    emulator.fault({ route: 'poll', status: 503, times: 10_000 });
    const run = await runAction(inputs({ 'task-id': taskId, wait: 'false', timeout: '1' }));
    expect(run.code).toBe(1);
    expect(run.durationMs).toBeLessThan(15_000);
    expect(failure(run)).toMatch(new RegExp(`HTTP 503.*task-id: ${taskId}`));
  });
});
