import { describe, expect, it } from 'vitest';
import { withRetries, type RetryLoop, type RetryPolicy } from '../../src/http/retry';
import { CancelledError } from '../../src/shared/errors';

const POLICY: RetryPolicy = { maxAttempts: 4, baseMs: 100, capMs: 400, retryAfterCapMs: 1000, maxFormatErrors: 0 };

class Flaky extends Error {
  constructor(
    readonly transient: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(transient ? 'hiccup.' : 'refused.');
  }
}

/** A loop whose waits are recorded, not taken. */
function fakeLoop(extra: Partial<RetryLoop> = {}): { loop: RetryLoop; waits: number[]; notices: string[] } {
  const waits: number[] = [];
  const notices: string[] = [];
  const loop: RetryLoop = {
    policy: POLICY,
    retryable: (error) => error instanceof Flaky && error.transient,
    retryAfterMs: (error) => (error as Flaky).retryAfterMs,
    onRetry: (error, delay, next) => notices.push(`${(error as Error).message} ${delay} ms, attempt ${next}`),
    random: () => 1,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    ...extra,
  };
  return { loop, waits, notices };
}

/** An attempt that fails with each of `failures` in turn, then answers `done`. */
function failing(...failures: Error[]): { attempt: (n: number) => Promise<string>; calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    attempt: (n) => {
      calls.push(n);
      const failure = failures[n - 1];
      return failure ? Promise.reject(failure) : Promise.resolve('done');
    },
  };
}

describe('withRetries', () => {
  it('returns the first success without waiting', async () => {
    const { loop, waits, notices } = fakeLoop();
    const { attempt, calls } = failing();
    await expect(withRetries(attempt, loop)).resolves.toBe('done');
    expect(calls).toEqual([1]);
    expect(waits).toEqual([]);
    expect(notices).toEqual([]);
  });

  it('retries transient failures with exponential backoff, announcing each retry', async () => {
    const { loop, waits, notices } = fakeLoop();
    const { attempt, calls } = failing(new Flaky(true), new Flaky(true));
    await expect(withRetries(attempt, loop)).resolves.toBe('done');
    expect(calls).toEqual([1, 2, 3]);
    expect(waits).toEqual([100, 200]);
    expect(notices).toEqual(['hiccup. 100 ms, attempt 2', 'hiccup. 200 ms, attempt 3']);
  });

  it('throws a failure that is not retryable at once, as it is', async () => {
    const { loop, waits } = fakeLoop({ gaveUp: () => new Error('not this') });
    const refused = new Flaky(false);
    const { attempt, calls } = failing(new Flaky(true), refused);
    await expect(withRetries(attempt, loop)).rejects.toBe(refused);
    expect(calls).toEqual([1, 2]);
    expect(waits).toEqual([100]);
  });

  it('stops after the policy’s tries, with the failure itself or what gaveUp makes of it', async () => {
    const last = new Flaky(true);
    const fails = () => failing(new Flaky(true), new Flaky(true), new Flaky(true), last, new Flaky(true));
    const plain = fails();
    await expect(withRetries(plain.attempt, fakeLoop().loop)).rejects.toBe(last);
    expect(plain.calls).toEqual([1, 2, 3, 4]);

    const wrapped = fails();
    const { loop, waits } = fakeLoop({ gaveUp: (error, attempts) => new Error(`${(error as Error).message} Gave up after ${attempts} attempts.`) });
    await expect(withRetries(wrapped.attempt, loop)).rejects.toThrow('hiccup. Gave up after 4 attempts.');
    expect(waits).toEqual([100, 200, 400]);
  });

  it('waits what Retry-After asks, capped by the policy', async () => {
    const { loop, waits } = fakeLoop();
    const { attempt } = failing(new Flaky(true, 700), new Flaky(true, 60_000));
    await withRetries(attempt, loop);
    expect(waits).toEqual([700, POLICY.retryAfterCapMs]);
  });

  it('lets retryable end the loop with a better error', async () => {
    let seen = 0;
    const { loop } = fakeLoop({
      retryable: () => {
        if (++seen > 1) throw new Error('Two unreadable answers in a row; giving up.');
        return true;
      },
    });
    const { attempt, calls } = failing(new Flaky(true), new Flaky(true));
    await expect(withRetries(attempt, loop)).rejects.toThrow('Two unreadable answers in a row; giving up.');
    expect(calls).toEqual([1, 2]);
  });

  it('makes no retry that would not start before the deadline', async () => {
    const { loop, waits, notices } = fakeLoop({ remainingMs: () => 150, gaveUp: (error, attempts) => new Error(`gave up after ${attempts}`) });
    const { attempt, calls } = failing(new Flaky(true), new Flaky(true));
    await expect(withRetries(attempt, loop)).rejects.toThrow('gave up after 2');
    expect(calls).toEqual([1, 2]);
    expect(waits).toEqual([100]);
    expect(notices).toHaveLength(1);
  });

  it('waits out the rest of the deadline first when asked to', async () => {
    const { loop, waits, notices } = fakeLoop({ remainingMs: () => 60, waitOutDeadline: true });
    const first = new Flaky(true);
    const { attempt, calls } = failing(first);
    await expect(withRetries(attempt, loop)).rejects.toBe(first);
    expect(calls).toEqual([1]);
    expect(waits).toEqual([60]);
    expect(notices).toEqual([]);

    const passed = fakeLoop({ remainingMs: () => -5, waitOutDeadline: true });
    await expect(withRetries(failing(new Flaky(true)).attempt, passed.loop)).rejects.toBeInstanceOf(Flaky);
    expect(passed.waits).toEqual([]);
  });

  it('stops when the step is cancelled during a wait, and tries no more', async () => {
    const controller = new AbortController();
    controller.abort();
    // The real wait, which rejects at once for an aborted signal: nothing here waits.
    const { loop } = fakeLoop({ signal: controller.signal, sleep: undefined });
    const { attempt, calls } = failing(new Flaky(true));
    await expect(withRetries(attempt, loop)).rejects.toBeInstanceOf(CancelledError);
    expect(calls).toEqual([1]);
  });
});
