/**
 * Time bounds through dist/index.js in a child process: cancelling in preflight (SIGTERM) bills nothing, and the
 * longest poll interval raises no TimeoutOverflowWarning on the runner's Node. The rest of issue 12's bounds:
 * test/integration/bounds.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { runAction, type ActionRun } from '../helpers/run-action';

const fixture = useActionFixture({ reset: { processingPolls: 1 }, inputs: () => ({ timeout: '20s' }) });
const { emulator, inputs } = fixture;

/** The one failure line, with no stack trace anywhere. */
function failure(run: ActionRun): string {
  expect(run.errors).toHaveLength(1);
  expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
  return run.errors[0] as string;
}

function results(run: ActionRun): Array<{ status: string; error: string | null }> {
  return JSON.parse(run.outputs.results ?? '[]') as Array<{ status: string; error: string | null }>;
}

describe('durations are checked against what a timer can do', () => {
  it('waits with the longest poll interval allowed without a TimeoutOverflowWarning, polling at the deadline', async () => {
    emulator.plan('slow', { never: true });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('slow.mp4'), 'poll-interval': '596h', timeout: '2s' }));
    expect(run.code).toBe(1);
    expect(failure(run)).toMatch(/^Timed out after 2\.0s waiting for task task_\w+, which is still processing on reApi\./);
    expect(run.stderr).not.toContain('TimeoutOverflowWarning');
    // One poll, at the deadline: not a flood of polls from a timer that fired at once.
    expect(emulator.apiRequests('poll')).toHaveLength(1);
  });
});

describe('cancelling during preflight', () => {
  it('says nothing was billed and leaves status empty', async () => {
    const url = emulator.addSource('hang.mp4', { size: 4096, hang: true });
    let killed = false;
    const run = await runAction(inputs({ 'video-url': url, timeout: '60s' }), {
      onStdout: (text, child) => {
        if (!killed && text.includes('::group::Preflight')) {
          killed = true;
          // Once the HEAD has reached the host, so the cancellation cuts a request in flight.
          const wait = setInterval(() => {
            if (emulator.sourceRequests('hang.mp4').length === 0) return;
            clearInterval(wait);
            child.kill('SIGTERM');
          }, 20);
        }
      },
    });
    expect(killed).toBe(true);
    expect(run.code).toBe(1);
    expect(run.signal).toBeNull();
    expect(run.durationMs).toBeLessThan(14_000); // not the 15 s request limit
    expect(failure(run)).toBe('Cancelled before any task was created; nothing was billed.');
    expect(run.outputs.status).toBeUndefined();
    expect(run.outputs['task-id']).toBeUndefined();
    expect(results(run).map((r) => r.status)).toEqual(['skipped']);
    expect(emulator.apiRequests()).toHaveLength(0);
  });
});
