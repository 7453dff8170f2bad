/** TaskPoller on a fake clock: one shared timer, each task's own backoff, slow polls, the deadline. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TaskEnvelope } from '../../src/reapi/client';
import { WaitTimeoutError } from '../../src/shared/errors';
import { TaskPoller, nextPollDelayMs } from '../../src/reapi/poller';

/** A client whose tasks complete after a set number of polls, each poll taking `latencyMs` of fake time. */
class ScriptedClient {
  readonly polls = new Map<string, number[]>();
  constructor(
    private readonly pollsToComplete: Record<string, number>,
    private readonly latencyMs: Record<string, number> = {},
  ) {}

  async getTask(taskId: string): Promise<TaskEnvelope> {
    const times = this.polls.get(taskId) ?? [];
    times.push(Date.now());
    this.polls.set(taskId, times);
    const latency = this.latencyMs[taskId] ?? 0;
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    const done = times.length >= (this.pollsToComplete[taskId] ?? Infinity);
    return { id: taskId, status: done ? 'completed' : 'processing', output: done ? { video_urls: [`https://r/${taskId}.mp4`] } : null };
  }
}

const START = 1_000_000;
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(START);
});
afterEach(() => vi.useRealTimers());

/** No jitter: every pause is exactly nextPollDelayMs. */
const steady = () => 0.5;

describe('TaskPoller', () => {
  it('drives every task with one timer, each on its own schedule', async () => {
    const client = new ScriptedClient({ a: 3, b: 5, c: 2 });
    const poller = new TaskPoller(client, { deadline: { at: START + 600_000, timeoutMs: 600_000 }, pollIntervalMs: 1000, random: steady });
    const watched = ['a', 'b', 'c'].map((id) => poller.watch(id));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(vi.getTimerCount()).toBe(1);
    const results = await (async () => {
      await vi.advanceTimersByTimeAsync(60_000);
      return Promise.all(watched);
    })();
    expect(results.map((task) => task.status)).toEqual(['completed', 'completed', 'completed']);
    expect(client.polls.get('b')).toHaveLength(5);
    // Each task's pauses follow its own schedule from when it was first watched.
    const times = client.polls.get('b')!.map((at) => at - START);
    const pauses = times.slice(1).map((at, i) => at - times[i]!);
    expect(pauses).toEqual(times.slice(0, -1).map((at) => nextPollDelayMs(at, 1000)));
    expect(poller.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not let a slow poll of one task hold up the others', async () => {
    const client = new ScriptedClient({ fast: 4, slow: 2 }, { slow: 20_000 });
    const poller = new TaskPoller(client, { deadline: { at: START + 600_000, timeoutMs: 600_000 }, pollIntervalMs: 1000, random: steady });
    const fast = poller.watch('fast');
    void poller.watch('slow');
    await vi.advanceTimersByTimeAsync(5000);
    // The slow task's first poll is still waiting for its answer; the fast one polled on.
    expect(client.polls.get('slow')).toHaveLength(1);
    expect((await fast).status).toBe('completed');
    expect(client.polls.get('fast')).toHaveLength(4);
  });

  it('times out at the deadline with the task id, after a last poll at the deadline', async () => {
    const client = new ScriptedClient({});
    const poller = new TaskPoller(client, { deadline: { at: START + 10_000, timeoutMs: 10_000 }, pollIntervalMs: 3000, random: steady });
    const waiting = poller.watch('forever').catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(11_000);
    const error = await waiting;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).taskId).toBe('forever');
    expect((error as Error).message).toMatch(/^Timed out after 10s waiting for task forever, which is still processing on reApi\./);
    expect(client.polls.get('forever')!.at(-1)).toBe(START + 10_000);
  });

  it('stops every wait at once when the step is cancelled', async () => {
    const controller = new AbortController();
    const poller = new TaskPoller(new ScriptedClient({}), {
      deadline: { at: START + 600_000, timeoutMs: 600_000 },
      pollIntervalMs: 1000,
      signal: controller.signal,
    });
    const waits = ['a', 'b'].map((id) => poller.watch(id).catch((error: unknown) => (error as Error).name));
    await vi.advanceTimersByTimeAsync(1500);
    controller.abort();
    expect(await Promise.all(waits)).toEqual(['CancelledError', 'CancelledError']);
    expect(vi.getTimerCount()).toBe(0);
  });
});
