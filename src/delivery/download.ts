import { randomBytes } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { access, mkdir, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { ActionError, CancelledError, DownloadError, InputError, NetworkError, errorText } from '../shared/errors';
import { formatBytes, formatElapsed, formatLimit } from '../shared/format';
import { MAX_REDIRECTS, REDIRECT_STATUSES, USER_AGENT, getDispatcher, header, parseRetryAfter, sleep, toNetworkError } from '../http/transport';
import { withRetries, type RetryPolicy } from '../http/retry';
import { replaceFile } from './replace-file';
import { DOWNLOAD_DEADLINE_FLOOR_MS, DownloadDeadline, ProgressWatch, anySignal, downloadDeadlineMs } from './download-limits';
import { collectYoungGarbage, DOWNLOAD_GC_EVERY_BYTES } from '../shared/young-gc';
import { sniffContainer, sniffDocument } from '../media/container';
import type { Log } from '../shared/log';

/** One result saved to disk. */
export interface DownloadedFile {
  url: string;
  /** Absolute path of the file. */
  path: string;
  /** File name (the last part of `path`). */
  name: string;
  bytes: number;
}

/** A CDN hiccup is retried a few times; a result that keeps failing is reported, not retried for minutes. */
export const DOWNLOAD_RETRY: RetryPolicy = { maxAttempts: 4, baseMs: 500, capMs: 8_000, retryAfterCapMs: 30_000, maxFormatErrors: 0 };

/** Longest wait for response headers, and longest silence while the body streams. */
const STALL_TIMEOUT_MS = 60_000;

/** Write buffer of the file stream. */
const WRITE_BUFFER_BYTES = 1024 * 1024;

/** Progress lines at most this often, so a large file shows it is moving without flooding the log. */
const PROGRESS_EVERY_MS = 10_000;

const FS_REASONS: Record<string, string> = {
  EEXIST: 'a file is in the way',
  ENOTDIR: 'a file is in the way',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
};

/** Creates the download directory and checks it is writable, before anything is submitted or billed. */
export async function prepareDownloadDir(dir: string): Promise<void> {
  let reason: string | undefined;
  try {
    await mkdir(dir, { recursive: true });
    if (!(await stat(dir)).isDirectory()) reason = 'it is a file';
    else await access(dir, constants.W_OK);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    reason = FS_REASONS[code] ?? errorText(error);
  }
  if (reason) throw new InputError(`Input 'download-path' must be a writable directory; ${JSON.stringify(dir)} is not (${reason}).`);
}

export interface DownloadOptions {
  /** Cancels the download; the partial file is removed. */
  signal?: AbortSignal;
  /** Progress and retry notices (info), redirect hops (debug), what the user should know but does not stop the download (warning). */
  log?: Log;
  random?: () => number;
}

/** Downloads one URL to `dir/name`, retrying transient failures; leaves no partial file behind. */
export async function downloadFile(url: string, dir: string, name: string, options: DownloadOptions = {}): Promise<DownloadedFile> {
  const target = resolve(dir, name);
  // The name is built by resultFileNames; this guards the invariant that it stays inside dir.
  if (basename(target) !== name) {
    throw new ActionError(`Refusing to write ${JSON.stringify(name)}: a result file name must not contain a path.`);
  }
  const temporary = join(dir, `.${name}.${randomBytes(4).toString('hex')}.part`);
  const deadline = new DownloadDeadline();
  try {
    const bytes = await withRetries(() => fetchToFile(url, temporary, options, deadline), {
      policy: DOWNLOAD_RETRY,
      retryable: (error) => (error instanceof DownloadError ? error.transient : error instanceof NetworkError),
      retryAfterMs: (error) => (error instanceof DownloadError ? error.retryAfterMs : undefined),
      gaveUp: (error, attempts) => new DownloadError(`Downloading the result failed after ${attempts} attempts: ${errorText(error)}`, false),
      onRetry: (error, delay, next) =>
        options.log?.info(`${errorText(error)} Retrying in ${formatElapsed(delay)} (attempt ${next} of ${DOWNLOAD_RETRY.maxAttempts}).`),
      random: options.random,
      // The download's own deadline also ends the wait, and then says so.
      sleep: async (ms) => {
        try {
          await sleep(ms, anySignal(options.signal, deadline.signal));
        } catch (sleepError) {
          if (options.signal?.aborted || !deadline.passed) throw sleepError;
          throw deadline.error(url);
        }
      },
    });
    await replaceFile(temporary, target, { signal: options.signal });
    return { url, path: target, name, bytes };
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  } finally {
    deadline.clear();
  }
}

/** Whether an https result was sent on to plain http (the bytes then travel unencrypted); the warning to give, or undefined. */
export function downgradeWarning(from: URL, to: URL): string | undefined {
  if (from.protocol !== 'https:' || to.protocol !== 'http:') return undefined;
  return `The result host redirected the https result URL to plain http (${to.origin}); the file is downloaded unencrypted.`;
}

/** One attempt: follow redirects (with no credentials on any hop), then stream the body to `file`. Returns its size. */
async function fetchToFile(url: string, file: string, options: DownloadOptions, deadline: DownloadDeadline): Promise<number> {
  const cancel = options.signal;
  const progress = new ProgressWatch();
  // One signal stops the attempt: the step cancelled, the deadline passed, or the body too slow; the catch blocks tell which.
  const signal = anySignal(cancel, deadline.signal, progress.signal);
  const stopped = (): Error | undefined =>
    cancel?.aborted
      ? new CancelledError('The download was cancelled.')
      : deadline.passed
        ? deadline.error(current)
        : progress.tripped
          ? progress.error(current)
          : undefined;
  let current = url;
  try {
    return await fetchHops();
  } finally {
    progress.stop();
  }

  async function fetchHops(): Promise<number> {
    for (let hop = 0; ; hop++) {
      const before = stopped();
      if (before) throw before;
      let response: Awaited<ReturnType<typeof request>>;
      try {
        response = await request(current, {
          method: 'GET',
          dispatcher: getDispatcher(),
          signal,
          headersTimeout: STALL_TIMEOUT_MS,
          bodyTimeout: STALL_TIMEOUT_MS,
          // Built here, from nothing: no Authorization or API key ever goes to the result host or a redirect target.
          headers: { 'user-agent': USER_AGENT, accept: 'video/mp4, */*', 'accept-encoding': 'identity' },
        });
      } catch (error) {
        throw stopped() ?? toNetworkError(error, `Downloading ${current}`);
      }
      const { statusCode, headers } = response;

      if (REDIRECT_STATUSES.has(statusCode)) {
        await response.body.dump();
        const location = header(headers, 'location');
        if (!location) throw new DownloadError(`The result host answered HTTP ${statusCode} without a Location for ${current}.`, false);
        if (hop >= MAX_REDIRECTS) throw new DownloadError(`The result URL redirected more than ${MAX_REDIRECTS} times (last to ${location}).`, false);
        const next = new URL(location, current);
        if (next.protocol !== 'https:' && next.protocol !== 'http:') {
          throw new DownloadError(`The result host redirected to a ${next.protocol} URL, which is not downloaded.`, false);
        }
        const downgrade = downgradeWarning(new URL(current), next);
        if (downgrade) options.log?.warning(downgrade);
        options.log?.debug(`HTTP ${statusCode}: redirected to ${next.href}`);
        current = next.href;
        continue;
      }

      if (statusCode !== 200) {
        await response.body.dump().catch(() => undefined);
        const transient = statusCode >= 500 || statusCode === 408 || statusCode === 429;
        const hint = statusCode === 403 || statusCode === 410 ? ' (the result link may have expired)' : '';
        throw new DownloadError(`The result host answered HTTP ${statusCode} for ${current}${hint}.`, transient, parseRetryAfter(headers['retry-after']));
      }

      const declared = header(headers, 'content-length');
      const expected = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
      deadline.set(
        downloadDeadlineMs(expected),
        expected === undefined
          ? 'the result host declared no size'
          : `${formatLimit(DOWNLOAD_DEADLINE_FLOOR_MS)} plus 1s per MB of its ${(expected / 1_000_000).toFixed(1)} MB`,
      );
      const inspector = new Mp4Inspector(header(headers, 'content-type'), expected, options.log);
      const body = response.body;
      // Bytes undici received: those the inspector counted plus any still queued in the body when it broke off.
      const arrived = () => inspector.received + body.readableLength;
      progress.start(arrived);
      try {
        // A 1 MiB write buffer lets fs batch the 64 KiB network chunks into fewer writes (about 25 % faster than the 16 KiB default).
        await pipeline(body, inspector, createWriteStream(file, { highWaterMark: WRITE_BUFFER_BYTES }), { signal });
      } catch (error) {
        const why = stopped();
        if (why) throw why;
        if (error instanceof DownloadError) throw error;
        // However undici reports it (UND_ERR_SOCKET, a Content-Length mismatch, 'terminated', a premature close), the user reads the same sentence.
        throw brokeOff(current, arrived(), expected, error);
      }
      if (expected !== undefined && inspector.received !== expected) throw brokeOff(current, inspector.received, expected);
      return inspector.received;
    }
  }
}

/** "The download of … broke off after 50000 of 200000 bytes (UND_ERR_SOCKET: other side closed)." */
export function brokeOff(url: string, received: number, expected: number | undefined, cause?: unknown): DownloadError {
  const cut = expected === undefined ? `after ${received} bytes` : `after ${received} of ${expected} bytes`;
  const why = cause === undefined ? '' : describeCause(cause);
  return new DownloadError(`The download of ${url} broke off ${cut}${why ? ` (${why})` : ''}.`, true);
}

/** "UND_ERR_SOCKET: other side closed": the first string code on the error or its causes, and its message; never "undefined". */
export function describeCause(error: unknown): string {
  let code: string | undefined;
  let current: unknown = error;
  for (let depth = 0; current !== null && typeof current === 'object' && depth < 5; depth++) {
    const value = (current as { code?: unknown }).code;
    if (typeof value === 'string' && value) {
      code = value;
      break;
    }
    current = (current as { cause?: unknown }).cause;
  }
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const message = text && text !== 'undefined' ? text.replace(/\s+/g, ' ').trim() : '';
  return [code, message && message !== code ? message : undefined].filter(Boolean).join(': ') || 'the connection closed';
}

/**
 * Why the first bytes are not an MP4, or undefined when they are one. "An MP4"
 * is what preflight and verify call one (sniffContainer: a leading ISO BMFF box
 * such as `ftyp`, or QuickTime's `wide`, `free` or `mdat`), so a result is not
 * refused here that the rest of the action reads as a video.
 */
export function notMp4Reason(head: Buffer, contentType: string | undefined): string | undefined {
  const container = sniffContainer(head);
  if (container === 'mp4') return undefined;
  if (head.length === 0) return 'the response body is empty';
  const text = head.toString('utf8', 0, Math.min(head.length, 120)).replace(/\s+/g, ' ').trim();
  const looksLikeText = /^[\x20-\x7e]*$/.test(text);
  const kind = container === 'matroska' ? 'an MKV file' : (sniffDocument(head) ?? (looksLikeText ? 'text' : 'data'));
  return `it is ${kind}${contentType ? ` (content-type ${contentType})` : ''}, not an MP4 (no MP4 box at the start)${looksLikeText && text ? `: ${JSON.stringify(text.slice(0, 80))}` : ''}`;
}

/** Passes the body through, counting it, checking the first bytes are an MP4, and logging progress now and then. */
export class Mp4Inspector extends Transform {
  received = 0;
  private sinceGc = 0;
  private head = Buffer.alloc(0);
  private checked = false;
  private lastProgress = Date.now();

  constructor(
    private readonly contentType: string | undefined,
    private readonly expected: number | undefined,
    private readonly log?: Log,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.received += chunk.length;
    this.sinceGc += chunk.length;
    if (this.sinceGc >= DOWNLOAD_GC_EVERY_BYTES) {
      this.sinceGc = 0;
      collectYoungGarbage();
    }
    if (!this.checked) {
      this.head = Buffer.concat([this.head, chunk]).subarray(0, 512);
      if (this.head.length >= 8) {
        const problem = this.check();
        if (problem) return done(problem);
      }
    }
    if (Date.now() - this.lastProgress >= PROGRESS_EVERY_MS) {
      this.lastProgress = Date.now();
      this.log?.info(`Downloaded ${formatBytes(this.received)}${this.expected === undefined ? '' : ` of ${formatBytes(this.expected)}`}…`);
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    done(this.checked ? null : this.check());
  }

  private check(): DownloadError | null {
    this.checked = true;
    const reason = notMp4Reason(this.head, this.contentType);
    return reason ? new DownloadError(`The result host did not send a video: ${reason}.`, false) : null;
  }
}
