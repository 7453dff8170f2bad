import { describe, expect, it } from 'vitest';
import { ApiError, NetworkError, ResponseFormatError } from '../../src/shared/errors';
import { parseRetryAfter } from '../../src/http/transport';
import { formatElapsed } from '../../src/shared/format';
import { POLL_CAP_MS, isTerminal, nextPollDelayMs } from '../../src/reapi/poller';
import { POLL_RETRY, SUBMIT_RETRY, isRetryable, pollRequestTimeoutMs, retryDelayMs } from '../../src/http/retry';

const api = (status: number) => new ApiError('x', { status });

describe('isRetryable', () => {
  it('retries a submission only when the server certainly did not take it', () => {
    expect(isRetryable(api(429), 'submit')).toBe(true);
    expect(isRetryable(api(503), 'submit')).toBe(true);
    expect(isRetryable(new NetworkError('refused', true), 'submit')).toBe(true);
    for (const status of [400, 401, 404, 500, 502, 504]) expect(isRetryable(api(status), 'submit')).toBe(false);
    expect(isRetryable(new NetworkError('reset', false), 'submit')).toBe(false);
    expect(isRetryable(new ResponseFormatError('garbled'), 'submit')).toBe(false);
  });

  it('retries polls on 429, 408, 5xx, network and format errors, never on other 4xx', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) expect(isRetryable(api(status), 'poll')).toBe(true);
    for (const status of [400, 401, 403, 404]) expect(isRetryable(api(status), 'poll')).toBe(false);
    expect(isRetryable(new NetworkError('reset', false), 'poll')).toBe(true);
    expect(isRetryable(new ResponseFormatError('garbled'), 'poll')).toBe(true);
    expect(isRetryable(new Error('bug'), 'poll')).toBe(false);
  });
});

describe('retryDelayMs', () => {
  it('grows exponentially with jitter inside [half, full] and stops at the cap', () => {
    expect(retryDelayMs(1, POLL_RETRY, undefined, () => 0)).toBe(500);
    expect(retryDelayMs(1, POLL_RETRY, undefined, () => 1)).toBe(1000);
    expect(retryDelayMs(3, POLL_RETRY, undefined, () => 1)).toBe(4000);
    expect(retryDelayMs(50, POLL_RETRY, undefined, () => 1)).toBe(POLL_RETRY.capMs);
  });
  it('honours Retry-After, capped', () => {
    expect(retryDelayMs(1, SUBMIT_RETRY, 1000)).toBe(1000);
    expect(retryDelayMs(1, SUBMIT_RETRY, 10 * 60_000)).toBe(SUBMIT_RETRY.retryAfterCapMs);
  });
  it('never turns Retry-After: 0 into a busy loop', () => {
    expect(retryDelayMs(1, SUBMIT_RETRY, 0)).toBe(SUBMIT_RETRY.baseMs / 2);
  });
});

describe('pollRequestTimeoutMs', () => {
  it('gives one poll a quarter of the timeout, between 1 s and 60 s', () => {
    expect(pollRequestTimeoutMs(30 * 60_000)).toBe(60_000);
    expect(pollRequestTimeoutMs(8000)).toBe(2000);
    expect(pollRequestTimeoutMs(500)).toBe(1000);
  });
  it('does not outlive the deadline by more than a second', () => {
    expect(pollRequestTimeoutMs(30 * 60_000, 5000)).toBe(5000);
    expect(pollRequestTimeoutMs(30 * 60_000, -200)).toBe(1000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter('2.5', now)).toBe(2500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });
  it('ignores garbage and absence', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(['3'], now)).toBe(3000);
  });
});

describe('poll schedule', () => {
  it('starts at the interval, grows with 10 % of elapsed time and stops at the cap', () => {
    expect(nextPollDelayMs(0, 5000)).toBe(5000);
    expect(nextPollDelayMs(30_000, 5000)).toBe(5000);
    expect(nextPollDelayMs(100_000, 5000)).toBe(10_000);
    expect(nextPollDelayMs(3_600_000, 5000)).toBe(POLL_CAP_MS);
    expect(nextPollDelayMs(0, 60_000)).toBe(60_000); // a longer interval is respected
  });

  it('notices a job within max(interval, 10 %) and polls no more than a fixed 5 s loop', () => {
    for (const jobMs of [10_000, 60_000, 600_000, 3_600_000]) {
      let t = 0;
      let polls = 0;
      while (t < jobMs) {
        t += nextPollDelayMs(t, 5000);
        polls++;
      }
      expect(t - jobMs).toBeLessThanOrEqual(Math.max(5000, jobMs * 0.1));
      expect(polls).toBeLessThanOrEqual(Math.ceil(jobMs / 5000));
    }
  });

  it('treats only completed and failed as terminal, in any case', () => {
    for (const status of ['completed', 'failed', 'COMPLETED', 'Failed']) expect(isTerminal(status)).toBe(true);
    for (const status of ['processing', 'queued', 'pending', 'COMPLETED?', '']) expect(isTerminal(status)).toBe(false);
  });

  it('formats elapsed time', () => {
    expect(formatElapsed(1234)).toBe('1.2s');
    expect(formatElapsed(42_000)).toBe('42s');
    expect(formatElapsed(65_000)).toBe('1m 05s');
    expect(formatElapsed(3_725_000)).toBe('1h 02m 05s');
  });
});
