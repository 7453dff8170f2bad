/**
 * Faults that need the action's own process, through dist/index.js: SIGTERM and SIGINT while polling or submitting,
 * and proxies from HTTP_PROXY / HTTPS_PROXY / NO_PROXY. The rest of fault injection: test/integration/faults.test.ts.
 */
import { createServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { ForwardProxy } from '../helpers/proxy';
import { runAction, type ActionRun } from '../helpers/run-action';

const proxy = new ForwardProxy();
const fixture = useActionFixture({ reset: { processingPolls: 1 }, services: [proxy], inputs: () => ({ timeout: '20s' }) });
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

describe('cancellation', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s while polling stops at once with the task id and a resume hint', async (signal) => {
    emulator.plan('endless', { never: true });
    let killedAt = 0;
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('endless.mp4'), timeout: '1m' }), {
      onStdout: (text, child) => {
        if (!killedAt && text.includes('processing after')) {
          killedAt = Date.now();
          child.kill(signal);
        }
      },
    });
    const exitedAt = Date.now();
    expect(killedAt).toBeGreaterThan(0);
    expect(run.signal).toBeNull(); // it handled the signal and exited by itself
    expect(run.code).toBe(1);
    expect(exitedAt - killedAt).toBeLessThan(5000);
    const taskId = run.outputs['task-id'] as string;
    expect(taskId).toMatch(/^task_/);
    expect(run.stdout).toContain(`Received ${signal}: stopping.`);
    expect(failure(run)).toBe(
      `Cancelled while waiting for task ${taskId}; the task keeps running on reApi. Resume it without paying again with task-id: ${taskId}.`,
    );
    expect(emulator.apiRequests('submit')).toHaveLength(1);
  });

  it('SIGTERM while the submission is in flight says the job may exist', async () => {
    emulator.fault({ route: 'submit', delayMs: 3000 });
    let killed = false;
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl() }), {
      onStdout: (text, child) => {
        if (!killed && text.includes('::group::Submitting')) {
          killed = true;
          setTimeout(() => child.kill('SIGTERM'), 300);
        }
      },
    });
    expect(run.code).toBe(1);
    expect(emulator.tasks.size).toBe(0); // it stopped without waiting for the answer
    expect(failure(run)).toMatch(/^Cancelled while the submission was in flight.*may have been created.*reApi dashboard.*task-id/);
    expect(run.outputs['task-id']).toBeUndefined();
    expect(emulator.apiRequests('submit')).toHaveLength(1);
    // And indeed the server goes on to create it: the reason the message warns about it.
    await vi.waitFor(() => expect(emulator.tasks.size).toBe(1), { timeout: 5000, interval: 50 });
  });
});

describe('proxies', () => {
  it('sends every API request, and the preflight checks of the source, through HTTP_PROXY / HTTPS_PROXY', async () => {
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl() }), {
      env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: '' },
    });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    const apiHost = new URL(emulator.apiUrl).host;
    const cdnHost = new URL(emulator.cdnUrl).host;
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    expect(new Set(proxy.tunnels)).toEqual(new Set([apiHost, cdnHost]));
    const seen = proxy.requests.filter((r) => r.target === apiHost).map((r) => `${r.method} ${r.path}`);
    const sent = emulator.apiRequests().map((r) => `${r.method} ${r.path}`);
    expect(seen).toEqual(sent);
    const sourceChecks = proxy.requests.filter((r) => r.target === cdnHost).map((r) => r.method);
    expect(sourceChecks).toEqual(emulator.cdnRequests().map((r) => r.method));
    expect(sourceChecks.length).toBeGreaterThan(0);
    expect(seen.filter((line) => line.startsWith('POST /api/v1/videos/generations'))).toHaveLength(1);
    expect(seen.filter((line) => line.startsWith('GET /api/v1/tasks/')).length).toBe(2);
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl() }), {
      env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: `example.com,127.0.0.1` },
    });
    expect(run.code).toBe(0);
    expect(proxy.tunnels).toEqual([]);
    expect(proxy.requests).toEqual([]);
    expect(emulator.apiRequests().length).toBe(3);
  });

  it('retries a submission the proxy could not deliver (tunnel refused)', async () => {
    const port = await closedPort();
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl(), 'api-base-url': `http://127.0.0.1:${port}`, timeout: '3', preflight: 'false' }), {
      env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url },
    });
    expect(run.code).toBe(1);
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(2);
    expect(new Set(proxy.tunnels)).toEqual(new Set([`127.0.0.1:${port}`]));
    expect(failure(run)).toMatch(/^Could not reach reApi at .*Proxy response \(502\).*nothing was submitted or billed/);
  });
});
