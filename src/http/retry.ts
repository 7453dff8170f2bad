import { ApiError, NetworkError, ResponseFormatError } from '../shared/errors';
import { sleep } from './transport';

/** What a request does, which decides whether repeating it is safe. */
export type Operation = 'submit' | 'poll';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  maxAttempts: number;
  /** First backoff; doubles each attempt up to `capMs`. */
  baseMs: number;
  capMs: number;
  /** Longest Retry-After the client will honour; longer ones are shortened to this. */
  retryAfterCapMs: number;
  /** Malformed answers tolerated in a row before giving up (polls only). */
  maxFormatErrors: number;
}

/** Polls are free and safe to repeat: retry until the overall timeout. */
export const POLL_RETRY: RetryPolicy = { maxAttempts: Infinity, baseMs: 1000, capMs: 30_000, retryAfterCapMs: 120_000, maxFormatErrors: 3 };

/** Submissions cost money: few tries, and only when the server certainly did not take the job. */
export const SUBMIT_RETRY: RetryPolicy = { maxAttempts: 5, baseMs: 1000, capMs: 20_000, retryAfterCapMs: 120_000, maxFormatErrors: 0 };

/**
 * Whether a failed request may be sent again. A submission is repeated only
 * when the server certainly did not accept it (429 or 503, or a connection
 * that failed before the request left): anything else could bill twice.
 */
export function isRetryable(error: unknown, operation: Operation): boolean {
  if (error instanceof ApiError) {
    if (operation === 'submit') return error.status === 429 || error.status === 503;
    return error.status === 429 || error.status === 408 || error.status >= 500;
  }
  if (error instanceof NetworkError) return operation === 'poll' || error.notSent;
  if (error instanceof ResponseFormatError) return operation === 'poll';
  return false;
}

/**
 * Delay before retry number `attempt` (1 for the first retry): exponential
 * backoff with jitter (half fixed, half random) so many runners do not retry
 * in step; a Retry-After from the server wins, capped, and never below half
 * the base so `Retry-After: 0` cannot turn into a busy loop.
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return Math.max(policy.baseMs / 2, Math.min(retryAfterMs, policy.retryAfterCapMs));
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/** How one caller repeats a failed attempt: what is retried, how long to wait, what to say, when to stop. */
export interface RetryLoop {
  policy: RetryPolicy;
  /**
   * Whether a failure may be tried again; one it refuses is thrown as it is.
   * It may throw instead, to end the loop with a better error (too many unreadable answers).
   */
  retryable: (error: unknown) => boolean;
  /** The wait the server asked for (Retry-After), when this failure carries one. */
  retryAfterMs?: (error: unknown) => number | undefined;
  /** What to throw when the tries run out or no retry fits before the deadline, given the tries made; by default the failure itself. */
  gaveUp?: (error: unknown, attempts: number) => unknown;
  /** Time left before the deadline: a retry whose wait would not end before it is not made. */
  remainingMs?: () => number;
  /** When no retry fits, wait out what is left of the deadline before giving up, so a timeout means what it says. */
  waitOutDeadline?: boolean;
  /** Told before each wait: the failure, the wait, and the number of the attempt that follows it (the retry notice). */
  onRetry?: (error: unknown, delayMs: number, nextAttempt: number) => void;
  /** Cancels the waits between tries (they reject with CancelledError). */
  signal?: AbortSignal;
  random?: () => number;
  /** The wait between tries; tests pass a fake one. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Runs `attempt` (given its number, 1 for the first) until it succeeds, a
 * failure is not retryable, the policy's tries run out, or no retry fits
 * before the deadline, waiting `retryDelayMs` between tries.
 */
export async function withRetries<T>(attempt: (attemptNumber: number) => Promise<T>, loop: RetryLoop): Promise<T> {
  const wait = loop.sleep ?? sleep;
  const gaveUp = loop.gaveUp ?? ((error: unknown) => error);
  for (let attempts = 1; ; attempts++) {
    try {
      return await attempt(attempts);
    } catch (error) {
      if (!loop.retryable(error)) throw error;
      if (attempts >= loop.policy.maxAttempts) throw gaveUp(error, attempts);
      const delay = retryDelayMs(attempts, loop.policy, loop.retryAfterMs?.(error), loop.random);
      const remaining = loop.remainingMs?.() ?? Infinity;
      if (delay > remaining) {
        if (loop.waitOutDeadline && remaining > 0) await wait(remaining, loop.signal);
        throw gaveUp(error, attempts);
      }
      loop.onRetry?.(error, delay, attempts + 1);
      await wait(delay, loop.signal);
    }
  }
}

/**
 * Longest a submission may take, start to end of the answer. Generous on
 * purpose: reApi probes the source before answering, and a submission cut
 * short has an unknown outcome that cannot be retried.
 */
export const SUBMIT_REQUEST_TIMEOUT_MS = 60_000;

/** Bounds of one poll's time limit. */
export const POLL_REQUEST_TIMEOUT_MIN_MS = 1000;
export const POLL_REQUEST_TIMEOUT_MAX_MS = 60_000;

/**
 * Longest one poll may take: a quarter of the overall timeout, within
 * [1 s, 60 s], so a poll that hangs is abandoned and retried while there is
 * still time left, and never outlives the deadline by more than a second.
 */
export function pollRequestTimeoutMs(timeoutMs: number, remainingMs = Infinity): number {
  const share = Math.min(POLL_REQUEST_TIMEOUT_MAX_MS, Math.max(POLL_REQUEST_TIMEOUT_MIN_MS, timeoutMs / 4));
  return Math.round(Math.min(share, Math.max(POLL_REQUEST_TIMEOUT_MIN_MS, remainingMs)));
}
