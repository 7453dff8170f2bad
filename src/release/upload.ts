/**
 * The transport half of release delivery: where the GitHub token may go, the
 * upload URL and the streamed upload itself. The logic
 * (lookup, skip, replace, retries) is in assets.ts.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { Response, fetch as undiciFetch, request, type Dispatcher } from 'undici';
import { CancelledError, ReleaseError, ResponseFormatError } from '../shared/errors';
import { redact } from '../shared/redact';
import { collectYoungGarbage, DOWNLOAD_GC_EVERY_BYTES } from '../shared/young-gc';
import { oneLine, truncate } from '../shared/text';
import { REDIRECT_STATUSES, USER_AGENT, header, parseRetryAfter, readLimitedText, toNetworkError } from '../http/transport';
import type { Log } from '../shared/log';

/** GitHub refuses release assets of 2 GiB or more. */
export const MAX_ASSET_BYTES = 2 * 1024 ** 3;

/** Longest wait for the answer once the last byte is sent (undici restarts this clock while the body is written). */
const UPLOAD_HEADERS_TIMEOUT_MS = 300_000;
/** Longest silence while the answer arrives. */
const UPLOAD_BODY_TIMEOUT_MS = 60_000;
/** Upload progress at most this often. */
const PROGRESS_EVERY_MS = 10_000;
/** Read buffer for the file: fewer, larger socket writes; memory stays a few of these whatever the file size. */
const READ_BUFFER_BYTES = 1024 * 1024;
const MAX_API_REDIRECTS = 5;
/** Longest a GitHub API answer may be: a page of 100 releases, each with long notes and its assets, fits well within. */
const MAX_API_ANSWER_BYTES = 32 * 1024 * 1024;
/** Longest one GitHub API request may take, answer included: release calls have this bound of their own (not the run's `timeout`). */
export const API_CALL_TIMEOUT_MS = 60_000;
/** Statuses whose answer has no body (a Response refuses one). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * Text from GitHub made fit for a message: the run's secrets (the token
 * among them) scrubbed before it is cut, one line, at most `max` characters.
 */
export function githubText(text: unknown, max = 200): string {
  const value = typeof text === 'string' ? text : text === undefined || text === null ? '' : JSON.stringify(text);
  return truncate(oneLine(redact(value)).trim(), max);
}

/** Scheme, host and port of a URL, as `new URL(...).origin` gives them. */
export function originOf(url: string): string {
  return new URL(url).origin;
}

/**
 * Whether the token may be sent to the upload URL a release names. Allowed:
 * the API's own host (GitHub Enterprise Server serves uploads at
 * `https://HOST/api/uploads`; any port on that host), or `uploads.X` when the
 * API is `api.X` on the same port (github.com, GHE.com). Always with the
 * API's scheme, so an https API never leads to a plain-http upload.
 */
export function isAllowedUploadUrl(apiUrl: string, uploadUrl: string): boolean {
  let api: URL;
  let upload: URL;
  try {
    api = new URL(apiUrl);
    upload = new URL(uploadUrl);
  } catch {
    return false;
  }
  if (upload.protocol !== api.protocol || upload.username || upload.password) return false;
  if (upload.hostname === api.hostname) return true;
  return api.hostname.startsWith('api.') && upload.hostname === `uploads.${api.hostname.slice('api.'.length)}` && upload.port === api.port;
}

/** RFC 6570 percent-encoding for a value: everything but ALPHA, DIGIT and `-._~`. */
function encodeValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Expands a release's `upload_url` template (`…/assets{?name,label}`) with the
 * given values (form-style query expansion; undefined values are left out).
 * Any other kind of expression is refused rather than guessed.
 */
export function expandUploadUrl(template: string, values: Record<string, string | undefined>): string {
  const expanded = template.replace(/\{([^}]*)\}/g, (_match, expression: string) => {
    if (!/^\?[A-Za-z0-9_,]+$/.test(expression))
      throw new ReleaseError(`The release's upload_url has a template this action does not expand: {${githubText(expression)}}.`);
    const pairs = expression
      .slice(1)
      .split(',')
      .filter((key) => values[key] !== undefined)
      .map((key) => `${key}=${encodeValue(values[key] as string)}`);
    return pairs.length ? `?${pairs.join('&')}` : '';
  });
  try {
    return new URL(expanded).href;
  } catch {
    throw new ReleaseError(`The release's upload_url is not a URL: ${JSON.stringify(githubText(template))}.`);
  }
}

/**
 * A fetch for Octokit that sends requests only to the API's origin and
 * follows redirects itself, only within that origin: a redirect elsewhere is
 * refused rather than followed (with or without the token). Each request,
 * redirects and answer included, gets API_CALL_TIMEOUT_MS; the answer is read
 * here (at most MAX_API_ANSWER_BYTES) and scrubbed of the run's secrets
 * before Octokit or anything after it sees a byte of it.
 */
export function apiOnlyFetch(apiOrigin: string, dispatcher: Dispatcher, timeoutMs = API_CALL_TIMEOUT_MS): typeof globalThis.fetch {
  const guarded = async (input: unknown, init: Record<string, unknown> = {}): Promise<unknown> => {
    let url = new URL(input instanceof URL ? input.href : typeof input === 'string' ? input : String((input as { url?: unknown }).url));
    let method = typeof init.method === 'string' ? init.method : 'GET';
    let body = init.body;
    const cancel = init.signal as AbortSignal | undefined;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = cancel ? AbortSignal.any([cancel, timeout]) : timeout;
    try {
      for (let hop = 0; ; hop++) {
        if (url.origin !== apiOrigin) {
          throw new ReleaseError(
            `GitHub's API pointed the request at ${url.origin}, not at GITHUB_API_URL's origin (${apiOrigin}); the token is only sent there.`,
          );
        }
        const response = await undiciFetch(url, { ...(init as object), method, body: body as string | undefined, redirect: 'manual', dispatcher, signal });
        const location = response.headers.get('location');
        if (!REDIRECT_STATUSES.has(response.status) || !location || hop >= MAX_API_REDIRECTS) return await scrubbed(response);
        await response.body?.cancel();
        url = new URL(location, url);
        if (response.status === 303) {
          method = 'GET';
          body = undefined;
        }
      }
    } catch (error) {
      if (timeout.aborted && !cancel?.aborted) {
        throw new ReleaseError(`GitHub's API did not answer ${method} ${url.pathname} within ${timeoutMs / 1000} s.`, undefined, true);
      }
      throw error;
    }
  };
  return guarded as unknown as typeof globalThis.fetch;
}

/** The same answer with its body read (bounded) and scrubbed of the run's secrets. */
async function scrubbed(response: Response): Promise<Response> {
  if (NULL_BODY_STATUSES.has(response.status) || !response.body) return response;
  let text: string;
  try {
    text = await readLimitedText(response.body, MAX_API_ANSWER_BYTES);
  } catch (error) {
    await response.body.cancel().catch(() => undefined);
    throw error instanceof ResponseFormatError
      ? new ReleaseError(`GitHub's API answered HTTP ${response.status} with more than ${MAX_API_ANSWER_BYTES / 1024 / 1024} MiB.`, response.status)
      : error;
  }
  const clean = new Response(redact(text), { status: response.status, statusText: response.statusText, headers: response.headers });
  // Octokit reads the answer's URL (a Response built here has none).
  Object.defineProperty(clean, 'url', { value: response.url });
  return clean;
}

export interface PostAssetOptions {
  /** The expanded upload URL (expandUploadUrl), already checked with isAllowedUploadUrl. */
  url: string;
  path: string;
  bytes: number;
  token: string;
  dispatcher: Dispatcher;
  signal?: AbortSignal;
  /** Upload progress. */
  log?: Log;
}

/**
 * One upload attempt: streams the file to the upload host and returns the
 * asset GitHub answers with (undecoded). Non-2xx answers and network failures
 * become ReleaseError with the status and whether trying again may help.
 * Redirects are not followed: the token goes to this URL's origin only.
 */
export async function postAsset(options: PostAssetOptions): Promise<unknown> {
  const { url, path, bytes, token, signal } = options;
  const onDisk = (await stat(path)).size;
  if (onDisk !== bytes) throw new ReleaseError(`${path} is ${onDisk} bytes, not the ${bytes} it was hashed at; it changed while being delivered.`);
  const counter = new ProgressCounter(bytes, options.log);
  const file = createReadStream(path, { highWaterMark: READ_BUFFER_BYTES });
  const body = file.pipe(counter);
  file.on('error', (error) => body.destroy(error));
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url, {
      method: 'POST',
      dispatcher: options.dispatcher,
      signal,
      body,
      headersTimeout: UPLOAD_HEADERS_TIMEOUT_MS,
      bodyTimeout: UPLOAD_BODY_TIMEOUT_MS,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'video/mp4',
        'content-length': String(bytes),
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'user-agent': USER_AGENT,
      },
    });
  } catch (error) {
    file.destroy();
    const network = toNetworkError(error, `The upload (${counter.sent} of ${bytes} bytes sent)`, signal);
    if (network instanceof CancelledError) throw network;
    throw new ReleaseError(githubText(network.message), undefined, true);
  }
  const { statusCode, headers } = response;
  let text = '';
  try {
    // Scrubbed as it is read: nothing after this sees a secret GitHub echoed.
    text = redact(await readLimitedText(response.body, 1024 * 1024));
  } catch (error) {
    if (statusCode >= 200 && statusCode < 300)
      throw new ReleaseError(`The upload host's answer could not be read: ${githubText((error as Error).message)}`, statusCode, true);
  }
  if (statusCode >= 200 && statusCode < 300) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ReleaseError(`The upload host answered HTTP ${statusCode} with a body that is not JSON.`, statusCode, true);
    }
  }
  if (REDIRECT_STATUSES.has(statusCode)) {
    const location = githubText(header(headers, 'location') ?? '(no Location)', 120);
    throw new ReleaseError(`The upload host redirected to ${location}; not followed, so the token goes nowhere but the release's own upload URL.`, statusCode);
  }
  let message = '';
  let code: string | undefined;
  try {
    const data = JSON.parse(text) as { message?: unknown; errors?: Array<{ code?: unknown }> };
    message = githubText(data.message);
    code = typeof data.errors?.[0]?.code === 'string' ? githubText(data.errors[0].code, 80) : undefined;
  } catch {
    // not JSON: the status alone says it
  }
  const retryAfterMs = parseRetryAfter(headers['retry-after']);
  const rateLimited = statusCode === 429 || (statusCode === 403 && (retryAfterMs !== undefined || header(headers, 'x-ratelimit-remaining') === '0'));
  const detail = [message, code].filter(Boolean).join(': ');
  throw new ReleaseError(`HTTP ${statusCode}${detail ? ` (${detail})` : ''}.`, statusCode, statusCode >= 500 || rateLimited, retryAfterMs, code);
}

/** Counts the bytes going out and logs progress now and then, so a long upload shows it is moving. */
class ProgressCounter extends Transform {
  sent = 0;
  private sinceGc = 0;
  private last = Date.now();

  constructor(
    private readonly total: number,
    private readonly log?: Log,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.sent += chunk.length;
    // Sent buffers are dead once written: collect them as we go, as a download does (young-gc.ts).
    this.sinceGc += chunk.length;
    if (this.sinceGc >= DOWNLOAD_GC_EVERY_BYTES) {
      this.sinceGc = 0;
      collectYoungGarbage();
    }
    if (Date.now() - this.last >= PROGRESS_EVERY_MS) {
      this.last = Date.now();
      this.log?.info(`Uploaded ${Math.round((this.sent / this.total) * 100)}% (${this.sent} of ${this.total} bytes)…`);
    }
    done(null, chunk);
  }
}
