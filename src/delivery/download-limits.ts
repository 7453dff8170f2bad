/**
 * The time bounds of one result download ("never hangs"): an overall deadline
 * sized from the Content-Length, and a minimum-progress rule while the body
 * streams. Both fail the download in one line, unretried.
 */
import { DownloadError } from '../shared/errors';
import { formatBytes, formatLimit } from '../shared/format';

/**
 * The time bound of one result download, all attempts, redirects and retry
 * waits included: DOWNLOAD_DEADLINE_FLOOR_MS plus 1 s per MB of the declared
 * Content-Length (1 MB/s, far below any CDN), or DOWNLOAD_DEADLINE_UNSIZED_MS
 * when the host declares no length. Until the length is known, the floor applies.
 */
export const DOWNLOAD_DEADLINE_FLOOR_MS = 60_000;
export const DOWNLOAD_MIN_BYTES_PER_SECOND = 1_000_000;
export const DOWNLOAD_DEADLINE_UNSIZED_MS = 30 * 60_000;

/**
 * Minimum progress while a body streams: every PROGRESS_WINDOW_MS must bring at
 * least MIN_BYTES_PER_WINDOW (6.5 KB/s), so a host that drips a byte now and
 * then fails in seconds, not at the deadline. Such a host is not retried.
 */
export const PROGRESS_WINDOW_MS = 10_000;
export const MIN_BYTES_PER_WINDOW = 64 * 1024;

/** How long a download may take in all, given its Content-Length (undefined: not declared). */
export function downloadDeadlineMs(contentLength: number | undefined): number {
  if (contentLength === undefined) return DOWNLOAD_DEADLINE_UNSIZED_MS;
  return DOWNLOAD_DEADLINE_FLOOR_MS + Math.ceil((contentLength / DOWNLOAD_MIN_BYTES_PER_SECOND) * 1000);
}

/**
 * The deadline of one download: a timer that aborts `signal` when it passes,
 * moved once the Content-Length is known.
 */
export class DownloadDeadline {
  private readonly controller = new AbortController();
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  limitMs = 0;
  reason = '';

  constructor() {
    this.set(DOWNLOAD_DEADLINE_FLOOR_MS, `${formatLimit(DOWNLOAD_DEADLINE_FLOOR_MS)} until the result host declares a size`);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get passed(): boolean {
    return this.controller.signal.aborted;
  }

  /** Sets the limit (from the start of the download) and says how it was chosen. */
  set(limitMs: number, reason: string): void {
    clearTimeout(this.timer);
    this.limitMs = limitMs;
    this.reason = reason;
    const left = this.started + limitMs - Date.now();
    if (left <= 0) return this.controller.abort();
    this.timer = setTimeout(() => this.controller.abort(), left);
  }

  clear(): void {
    clearTimeout(this.timer);
  }

  error(url: string): DownloadError {
    return new DownloadError(`The download of ${url} did not finish within its time limit of ${formatLimit(this.limitMs)} (${this.reason}).`, false);
  }
}

/** Fails an attempt whose body brings less than MIN_BYTES_PER_WINDOW in a PROGRESS_WINDOW_MS. */
export class ProgressWatch {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private windowStart = 0;
  slowBytes = 0;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get tripped(): boolean {
    return this.controller.signal.aborted;
  }

  /** Starts watching; `count` reads the bytes received so far. */
  start(count: () => number): void {
    this.windowStart = count();
    this.timer = setInterval(() => {
      const bytes = count() - this.windowStart;
      if (bytes < MIN_BYTES_PER_WINDOW) {
        this.slowBytes = bytes;
        this.stop();
        this.controller.abort();
      }
      this.windowStart = count();
    }, PROGRESS_WINDOW_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  error(url: string): DownloadError {
    return new DownloadError(
      `The download of ${url} is too slow: the result host sent ${this.slowBytes} bytes in the last ${formatLimit(PROGRESS_WINDOW_MS)} (at least ${formatBytes(MIN_BYTES_PER_WINDOW)} are expected).`,
      false,
    );
  }
}

export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((signal): signal is AbortSignal => signal !== undefined));
}
