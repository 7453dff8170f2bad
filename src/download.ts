import { randomBytes } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { access, mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { ActionError, CancelledError, InputError, NetworkError, errorText } from './errors';
import { getDispatcher, parseRetryAfter, sleep, toNetworkError } from './http';
import { retryDelayMs, type RetryPolicy } from './retry';

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

/** Redirects followed per download (CDNs use one or two). */
export const MAX_REDIRECTS = 5;

/** Longest wait for response headers, and longest silence while the body streams. */
const STALL_TIMEOUT_MS = 60_000;

/** Write buffer of the file stream. */
const WRITE_BUFFER_BYTES = 1024 * 1024;

/** Progress lines at most this often, so a large file shows it is moving without flooding the log. */
const PROGRESS_EVERY_MS = 10_000;

const USER_AGENT = 'reapi-topaz-video-upscaler-action';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** A download attempt that failed; `transient` ones are tried again. */
export class DownloadError extends ActionError {
  override name = 'DownloadError';
  constructor(
    message: string,
    readonly transient: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** "4.0 KiB", "63.9 MiB": sizes for logs and the summary. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

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
  /** Progress and retry notices (core.info in the action). */
  log?: (message: string) => void;
  /** Redirect hops and other detail (core.debug in the action). */
  debug?: (message: string) => void;
  random?: () => number;
}

/**
 * Downloads each URL to `dir` under the matching name. Each file is streamed
 * to a hidden temporary name and renamed into place only once complete.
 */
export async function downloadResults(urls: string[], dir: string, names: string[], options: DownloadOptions = {}): Promise<DownloadedFile[]> {
  const files: DownloadedFile[] = [];
  for (const [index, url] of urls.entries()) {
    files.push(await downloadFile(url, dir, names[index] as string, options));
  }
  return files;
}

/** Downloads one URL to `dir/name`, retrying transient failures; leaves no partial file behind. */
export async function downloadFile(url: string, dir: string, name: string, options: DownloadOptions = {}): Promise<DownloadedFile> {
  const target = resolve(dir, name);
  // The name is built by resultFileNames; this guards the invariant that it stays inside dir.
  if (basename(target) !== name) {
    throw new ActionError(`Refusing to write ${JSON.stringify(name)}: a result file name must not contain a path.`);
  }
  const temporary = join(dir, `.${name}.${randomBytes(4).toString('hex')}.part`);
  try {
    let bytes: number;
    for (let attempt = 1; ; attempt++) {
      try {
        bytes = await fetchToFile(url, temporary, options);
        break;
      } catch (error) {
        const transient = error instanceof DownloadError ? error.transient : error instanceof NetworkError;
        if (!transient) throw error;
        if (attempt >= DOWNLOAD_RETRY.maxAttempts) {
          throw new DownloadError(`Downloading the result failed after ${attempt} attempts: ${errorText(error)}`, false);
        }
        const delay = retryDelayMs(attempt, DOWNLOAD_RETRY, error instanceof DownloadError ? error.retryAfterMs : undefined, options.random);
        options.log?.(`${errorText(error)} Retrying in ${(delay / 1000).toFixed(1)}s (attempt ${attempt + 1} of ${DOWNLOAD_RETRY.maxAttempts}).`);
        await sleep(delay, options.signal);
      }
    }
    await rename(temporary, target);
    return { url, path: target, name, bytes };
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** One attempt: follow redirects (with no credentials on any hop), then stream the body to `file`. Returns its size. */
async function fetchToFile(url: string, file: string, options: DownloadOptions): Promise<number> {
  const { signal } = options;
  let current = url;
  for (let hop = 0; ; hop++) {
    if (signal?.aborted) throw new CancelledError('The download was cancelled.');
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
      throw toNetworkError(error, `Downloading ${current}`, signal);
    }
    const { statusCode, headers } = response;

    if (REDIRECT_STATUSES.has(statusCode)) {
      await response.body.dump();
      const location = headerText(headers.location);
      if (!location) throw new DownloadError(`The result host answered HTTP ${statusCode} without a Location for ${current}.`, false);
      if (hop >= MAX_REDIRECTS) throw new DownloadError(`The result URL redirected more than ${MAX_REDIRECTS} times (last to ${location}).`, false);
      const next = new URL(location, current);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new DownloadError(`The result host redirected to a ${next.protocol} URL, which is not downloaded.`, false);
      }
      options.debug?.(`HTTP ${statusCode}: redirected to ${next.href}`);
      current = next.href;
      continue;
    }

    if (statusCode !== 200) {
      await response.body.dump().catch(() => undefined);
      const transient = statusCode >= 500 || statusCode === 408 || statusCode === 429;
      const hint = statusCode === 403 || statusCode === 410 ? ' (the result link may have expired)' : '';
      throw new DownloadError(`The result host answered HTTP ${statusCode} for ${current}${hint}.`, transient, parseRetryAfter(headers['retry-after']));
    }

    const declared = headerText(headers['content-length']);
    const expected = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
    const inspector = new Mp4Inspector(headerText(headers['content-type']), expected, options.log);
    try {
      // A 1 MiB write buffer lets fs batch the 64 KiB network chunks into fewer writes (about 25 % faster than the 16 KiB default).
      await pipeline(response.body, inspector, createWriteStream(file, { highWaterMark: WRITE_BUFFER_BYTES }), { signal });
    } catch (error) {
      if (signal?.aborted) throw new CancelledError('The download was cancelled.');
      if (error instanceof DownloadError) throw error;
      const cut = expected === undefined ? `after ${inspector.received} bytes` : `after ${inspector.received} of ${expected} bytes`;
      throw new DownloadError(`The download of ${current} broke off ${cut} (${describeCause(error)}).`, true);
    }
    if (expected !== undefined && inspector.received !== expected) {
      throw new DownloadError(`The download of ${current} is incomplete: Content-Length is ${expected} bytes but ${inspector.received} arrived.`, true);
    }
    return inspector.received;
  }
}

/** "UND_ERR_SOCKET: other side closed" */
function describeCause(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  return [code, errorText(error)].filter(Boolean).join(': ');
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Why the first bytes are not an MP4, or undefined when they start with an ISO BMFF `ftyp` box. */
export function notMp4Reason(head: Buffer, contentType: string | undefined): string | undefined {
  if (head.length >= 8 && head.toString('latin1', 4, 8) === 'ftyp') return undefined;
  if (head.length === 0) return 'the response body is empty';
  const text = head.toString('utf8', 0, Math.min(head.length, 120)).replace(/\s+/g, ' ').trim();
  const looksLikeText = /^[\x20-\x7e]*$/.test(text);
  const kind = /^<(!doctype|html|\?xml|head|body)/i.test(text) ? 'an HTML page' : looksLikeText ? 'text' : 'data';
  return `it is ${kind}${contentType ? ` (content-type ${contentType})` : ''}, not an MP4 (no ftyp box at the start)${looksLikeText && text ? `: ${JSON.stringify(text.slice(0, 80))}` : ''}`;
}

/** Passes the body through, counting it, checking the first bytes are an MP4, and logging progress now and then. */
class Mp4Inspector extends Transform {
  received = 0;
  private head = Buffer.alloc(0);
  private checked = false;
  private lastProgress = Date.now();

  constructor(
    private readonly contentType: string | undefined,
    private readonly expected: number | undefined,
    private readonly log?: (message: string) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.received += chunk.length;
    if (!this.checked) {
      this.head = Buffer.concat([this.head, chunk]).subarray(0, 512);
      if (this.head.length >= 8) {
        const problem = this.check();
        if (problem) return done(problem);
      }
    }
    if (Date.now() - this.lastProgress >= PROGRESS_EVERY_MS) {
      this.lastProgress = Date.now();
      this.log?.(`Downloaded ${formatBytes(this.received)}${this.expected === undefined ? '' : ` of ${formatBytes(this.expected)}`}…`);
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
