/**
 * Preflight: checks each source on its own host before anything is submitted
 * (reachable, within the 50 MB limit, a video) and reads its duration through
 * HTTP range requests, so the billable seconds are known up front.
 *
 * These requests go to the user's CDN: they never carry the API key.
 */
import { request, type Dispatcher } from 'undici';
import { DEFAULT_DURATION_LIMITS, formatBytes, readMediaFacts, sniffContainer, sniffDocument, type Container, type DurationLimits } from './media';
import type { VideoTrackFacts } from './media';
import { ActionError, CancelledError, errorText } from './errors';
import { getDispatcher, toNetworkError } from './http';

/** The API's documented input cap ("up to 50MB"). */
export const MAX_SOURCE_BYTES = 50 * 1024 * 1024;
/** First read of every source: enough to sniff it, for MKV Segment Info, and for the `moov` of most faststart MP4s. */
export const HEAD_BYTES = 256 * 1024;
export const REQUEST_TIMEOUT_MS = 15_000;
export const MAX_REDIRECTS = 5;

const USER_AGENT = 'reapi-topaz-video-upscaler-action (preflight)';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** A source failed preflight: unreachable with an HTTP error, too large, or not a video. */
export class PreflightError extends ActionError {
  override name = 'PreflightError';
  constructor(
    message: string,
    readonly url: string,
    /** The HTTP status the host answered, when that is the reason. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The sources' billable seconds exceed `max-billable-seconds`, or cannot all be known. */
export class CostGuardError extends ActionError {
  override name = 'CostGuardError';
  constructor(
    message: string,
    /** Undefined when some durations could not be read. */
    readonly totalBillableSeconds: number | undefined,
    readonly maxBillableSeconds: number,
  ) {
    super(message);
  }
}

export interface ProbeOptions {
  /** Cancels the probe (the step is stopping). */
  signal?: AbortSignal;
  /** Longest time for one request, start to end of body (default 15 s). */
  requestTimeoutMs?: number;
  /** Redirects followed per request (default 5). */
  maxRedirects?: number;
  /** Bytes of the first read (default 256 KiB). */
  headBytes?: number;
  /** Bounds for the reads past the head that look for the MP4/MOV movie header. */
  durationLimits?: DurationLimits;
}

export interface SourceProbe {
  url: string;
  sizeBytes?: number;
  contentType?: string;
  /** 'mp4' covers MP4 and MOV (ISO BMFF); 'matroska' covers MKV (and WebM). */
  container?: Container;
  durationSeconds?: number;
  /** The first video track's width × height, frame rate and codec, where the container states them. */
  video?: VideoTrackFacts;
  /** `billableSeconds(durationSeconds)`, when the duration is known. */
  billableSeconds?: number;
  /** Body bytes received over all requests. */
  bytesFetched: number;
  /** HTTP requests sent, redirects included. */
  requests: number;
  /** Problems that did not stop the check (the API still probes the clip itself when it is submitted). */
  warnings: string[];
}

// ---- Pure helpers -------------------------------------------------------------

/**
 * Seconds billed for a clip: `ceil(duration)`, as the API documents. The
 * duration is first rounded to the microsecond (the precision ffprobe reports
 * durations in), so float noise such as 3.0000000000000004 from a timescale
 * division bills 3 seconds, not 4, while 3.000001 still bills 4.
 */
export function billableSeconds(durationSeconds: number): number {
  if (!Number.isFinite(durationSeconds) || durationSeconds < 0) throw new RangeError(`Not a duration: ${durationSeconds}`);
  const microseconds = Math.round(durationSeconds * 1_000_000);
  return Math.ceil(microseconds / 1_000_000);
}

/** Sum of the sources' billable seconds; undefined when any source's duration is unknown. */
export function totalBillableSeconds(sources: ReadonlyArray<{ billableSeconds?: number }>): number | undefined {
  let total = 0;
  for (const source of sources) {
    if (source.billableSeconds === undefined) return undefined;
    total += source.billableSeconds;
  }
  return total;
}

const LISTED_SOURCES = 10;

function listSources(sources: ReadonlyArray<{ url: string; billableSeconds?: number }>): string {
  const listed = sources.slice(0, LISTED_SOURCES).map((s) => `${sourceName(s.url)}: ${s.billableSeconds === undefined ? 'unknown' : s.billableSeconds}`);
  if (sources.length > LISTED_SOURCES) listed.push(`and ${sources.length - LISTED_SOURCES} more`);
  return listed.join(', ');
}

/**
 * The cost guard: throws CostGuardError when the sources' billable seconds add
 * up to more than `maxBillableSeconds`, or when some duration is unknown (the
 * limit could not be enforced). Returns the total otherwise.
 */
export function checkCostGuard(sources: ReadonlyArray<{ url: string; billableSeconds?: number }>, maxBillableSeconds: number): number {
  const total = totalBillableSeconds(sources);
  if (total === undefined) {
    const unknown = sources.filter((s) => s.billableSeconds === undefined).map((s) => sourceName(s.url));
    throw new CostGuardError(
      `max-billable-seconds is ${maxBillableSeconds}, but the duration of ${unknown.join(', ')} could not be read in preflight, so the total cannot be checked against it ` +
        `(billable seconds per source: ${listSources(sources)}).`,
      undefined,
      maxBillableSeconds,
    );
  }
  if (total > maxBillableSeconds) {
    throw new CostGuardError(
      `The sources add up to ${total} billable seconds, over max-billable-seconds (${maxBillableSeconds}); billable seconds per source: ${listSources(sources)}.`,
      total,
      maxBillableSeconds,
    );
  }
  return total;
}

/** How a Content-Type bears on "is this a video": only clear non-video types are refused. */
export function classifyContentType(value: string | undefined): 'video' | 'unspecified' | 'not-video' | 'other' {
  const type = (value ?? '').split(';')[0]!.trim().toLowerCase();
  if (
    !type ||
    type === 'application/octet-stream' ||
    type === 'binary/octet-stream' ||
    type === 'application/x-download' ||
    type === 'application/force-download'
  ) {
    return 'unspecified';
  }
  if (type.startsWith('video/') || type === 'application/mp4' || type === 'application/x-matroska' || type === 'application/vnd.apple.quicktime')
    return 'video';
  if (
    type.startsWith('text/') ||
    type.startsWith('image/') ||
    type.startsWith('font/') ||
    type.endsWith('+json') ||
    type.endsWith('+xml') ||
    ['application/json', 'application/xml', 'application/javascript', 'application/pdf'].includes(type)
  ) {
    return 'not-video';
  }
  return 'other';
}

/** The URL without query string, fragment or credentials: signed URLs carry secrets in the query. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  } catch {
    return url.slice(0, 100);
  }
}

/** The file name of a source, for lists. */
export function sourceName(url: string): string {
  try {
    const { pathname } = new URL(url);
    return decodeURIComponent(pathname.split('/').filter(Boolean).pop() ?? '') || displayUrl(url);
  } catch {
    return url.slice(0, 60);
  }
}

const CONTAINER_NAMES: Record<Container, string> = { mp4: 'MP4/MOV', matroska: 'MKV' };

/** One log line per source: what was found and what it cost to find out. */
export function describeProbe(probe: SourceProbe): string {
  const facts: string[] = [];
  if (probe.container) facts.push(CONTAINER_NAMES[probe.container]);
  if (probe.sizeBytes !== undefined) facts.push(formatBytes(probe.sizeBytes));
  if (probe.contentType) facts.push(probe.contentType);
  facts.push(probe.durationSeconds === undefined ? 'duration unknown' : `${formatSeconds(probe.durationSeconds)} s`);
  const billable = probe.billableSeconds === undefined ? '' : ` → ${probe.billableSeconds} billable seconds`;
  return `${displayUrl(probe.url)}: ${facts.join(', ')}${billable} (${probe.requests} requests, ${formatBytes(probe.bytesFetched)} read)`;
}

function formatSeconds(seconds: number): string {
  return String(Math.round(seconds * 1000) / 1000);
}

export function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function contentLength(headers: Dispatcher.ResponseData['headers']): number | undefined {
  const value = header(headers, 'content-length');
  return value && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

/** `bytes 0-99/1234` → { start: 0, total: 1234 }; total is undefined for `*`. */
export function parseContentRange(value: string | undefined): { start: number; total?: number } | undefined {
  const match = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(value ?? '');
  if (!match) return undefined;
  return { start: Number(match[1]), total: match[3] === '*' ? undefined : Number(match[3]) };
}

// ---- HTTP ---------------------------------------------------------------------

interface Opened {
  status: number;
  headers: Dispatcher.ResponseData['headers'];
  body: Dispatcher.ResponseData['body'];
  /** The URL that answered, after redirects. */
  url: string;
}

/** The requests of one probe: timeouts, redirects, and what they cost. */
export class ProbeSession {
  bytesFetched = 0;
  requests = 0;
  private readonly timeoutMs: number;
  private readonly maxRedirects: number;

  constructor(
    private readonly source: string,
    private readonly options: ProbeOptions,
  ) {
    this.timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
  }

  /** Sends a HEAD or GET (with an optional byte range [start, end)), following redirects. The caller reads or dumps the body. */
  async open(method: 'HEAD' | 'GET', url: string, range?: { start: number; end: number }): Promise<Opened> {
    const { signal } = this.options;
    let target = url;
    for (let redirects = 0; ; redirects++) {
      if (signal?.aborted) throw new CancelledError('Cancelled.');
      const timeout = AbortSignal.timeout(this.timeoutMs);
      this.requests++;
      let response: Dispatcher.ResponseData;
      try {
        response = await request(target, {
          method,
          dispatcher: getDispatcher(),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
          // Only these headers: the source lives on the user's host, which must never see the API key.
          headers: { 'user-agent': USER_AGENT, accept: '*/*', ...(range ? { range: `bytes=${range.start}-${range.end - 1}` } : {}) },
        });
      } catch (error) {
        throw toNetworkError(error, `${method} ${this.source}`, signal);
      }
      const location = header(response.headers, 'location');
      if (!REDIRECT_STATUSES.has(response.statusCode) || !location)
        return { status: response.statusCode, headers: response.headers, body: response.body, url: target };
      await this.discard(response.body);
      if (redirects >= this.maxRedirects) {
        throw new PreflightError(`${this.source} redirects more than ${this.maxRedirects} times; check video-url.`, url, response.statusCode);
      }
      const next = new URL(location, target);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new PreflightError(
          `${this.source} redirects to a ${next.protocol} URL, which the upscaler cannot fetch; check video-url.`,
          url,
          response.statusCode,
        );
      }
      target = next.href;
    }
  }

  /** Reads at most `limit` bytes of a body and drops the rest of it. */
  async read(body: Opened['body'], limit: number): Promise<Uint8Array> {
    const chunks: Buffer[] = [];
    let length = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        this.bytesFetched += chunk.length;
        chunks.push(chunk);
        length += chunk.length;
        // Leaving the loop destroys the body, so a host that ignores Range does not send the whole file.
        if (length >= limit) break;
      }
    } catch (error) {
      throw toNetworkError(error, `GET ${this.source}`, this.options.signal);
    }
    return Buffer.concat(chunks).subarray(0, limit);
  }

  /** Drops a body that is not needed (a HEAD answer, an error page, a redirect). */
  async discard(body: Opened['body']): Promise<void> {
    await body.dump({ limit: 64 * 1024 }).catch(() => undefined);
  }
}

// ---- The probe ------------------------------------------------------------------

function statusError(source: string, url: string, status: number, method: string): PreflightError {
  const hint =
    status === 401 || status === 403
      ? 'the host refuses access; the upscaler needs a public URL'
      : status === 404 || status === 410
        ? 'no file there'
        : status >= 500
          ? 'the host had a server error'
          : 'the host refused the request';
  return new PreflightError(`${source} answered ${method} with HTTP ${status} (${hint}); check video-url.`, url, status);
}

function checkSize(probe: SourceProbe, source: string): void {
  if (probe.sizeBytes !== undefined && probe.sizeBytes > MAX_SOURCE_BYTES) {
    throw new PreflightError(
      `${source} is ${formatBytes(probe.sizeBytes)} (${probe.sizeBytes} bytes), over the upscaler's 50 MB limit (${MAX_SOURCE_BYTES} bytes); re-encode or split it.`,
      probe.url,
    );
  }
}

/** The answer to a GET beyond the first read was a full 200: the host ignores Range. */
class RangeNotSupported extends Error {}

/**
 * Checks one source: a HEAD (a ranged GET when HEAD is refused or unanswered)
 * for status, size and type, then a ranged GET of the first bytes to sniff the
 * container, then as few range reads as the container needs for its duration.
 *
 * Throws PreflightError when the source certainly cannot be upscaled (HTTP
 * error, over 50 MB, not a video) and CancelledError when `signal` aborts.
 * Anything that merely could not be checked (no answer, no duration) becomes a
 * warning in the result.
 */
export async function probeSource(url: string, options: ProbeOptions = {}): Promise<SourceProbe> {
  const source = displayUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PreflightError(`video-url ${JSON.stringify(source)} is not a URL.`, url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new PreflightError(`video-url ${source} is not an http(s) URL.`, url);

  const session = new ProbeSession(source, options);
  const probe: SourceProbe = { url, bytesFetched: 0, requests: 0, warnings: [] };
  try {
    await inspect(url, source, probe, session, options);
  } finally {
    probe.bytesFetched = session.bytesFetched;
    probe.requests = session.requests;
  }
  return probe;
}

/** An error's one-line text without its final period, to go inside a sentence. */
function sentence(error: unknown): string {
  return errorText(error).replace(/\.$/, '');
}

function rethrowIfFinal(error: unknown): void {
  if (error instanceof CancelledError || error instanceof PreflightError) throw error;
}

async function inspect(url: string, source: string, probe: SourceProbe, session: ProbeSession, options: ProbeOptions): Promise<void> {
  const headBytes = options.headBytes ?? HEAD_BYTES;

  // 1. HEAD: status, size and type without any body.
  let headStatus: number | undefined;
  let headProblem: string | undefined;
  try {
    const head = await session.open('HEAD', url);
    await session.discard(head.body);
    headStatus = head.status;
    if (head.status >= 200 && head.status < 300) {
      probe.sizeBytes = contentLength(head.headers);
      probe.contentType = header(head.headers, 'content-type');
      checkSize(probe, source);
    }
  } catch (error) {
    rethrowIfFinal(error);
    headProblem = sentence(error);
  }

  // 2. The first bytes. Also the fallback for hosts that refuse HEAD (405, 501, or 403 on URLs signed for GET only).
  let first: Opened;
  try {
    first = await session.open('GET', url, { start: 0, end: headBytes });
  } catch (error) {
    rethrowIfFinal(error);
    if (headStatus !== undefined && headStatus >= 400) throw statusError(source, url, headStatus, 'HEAD');
    probe.warnings.push(
      headProblem
        ? `${source} could not be checked from this runner: ${sentence(error)}, and HEAD failed too; the API fetches it from its own network when the job is submitted.`
        : `${source}: its first bytes could not be read (${sentence(error)}), so its duration is unknown.`,
    );
    return;
  }
  if (headProblem) probe.warnings.push(`${headProblem}; ${source} was checked with a ranged GET instead.`);

  const range = parseContentRange(header(first.headers, 'content-range'));
  if (first.status === 416) {
    await session.discard(first.body);
    if (range?.total === 0 || probe.sizeBytes === 0) throw new PreflightError(`${source} is empty (0 bytes); check video-url.`, url, 416);
    probe.warnings.push(`${source} refused a range request for its first bytes (HTTP 416), so its duration is unknown.`);
    return;
  }
  if (first.status < 200 || first.status >= 300) {
    await session.discard(first.body);
    throw statusError(source, url, first.status, 'GET');
  }
  const rangesWork = first.status === 206;
  const total = rangesWork ? range?.total : contentLength(first.headers);
  if (total !== undefined) probe.sizeBytes = total;
  probe.contentType ??= header(first.headers, 'content-type');
  try {
    checkSize(probe, source);
  } catch (error) {
    first.body.destroy();
    throw error;
  }
  const head = await session.read(first.body, headBytes);
  if (head.length === 0) throw new PreflightError(`${source} is empty (0 bytes); check video-url.`, url);

  // 3. What it is.
  const typeKind = classifyContentType(probe.contentType);
  const container = sniffContainer(head);
  const served = probe.contentType ? `served as ${probe.contentType}` : 'served without a content type';
  if (!container) {
    const document = sniffDocument(head);
    if (document || typeKind === 'not-video') {
      throw new PreflightError(
        `${source} is not a video: it is ${served}${document ? ` and holds ${document}` : ''}; the upscaler takes MP4, MOV or MKV.`,
        url,
      );
    }
    probe.warnings.push(`${source} (${served}) does not start like an MP4, MOV or MKV file; the API may refuse it. Its duration is unknown.`);
    return;
  }
  probe.container = container;
  if (typeKind === 'not-video')
    probe.warnings.push(`${source} is ${served}, but its content is ${CONTAINER_NAMES[container]}; the host's content type looks wrong.`);

  // 4. Its duration, through range requests on the URL that answered.
  const dataUrl = first.url;
  const readRange = async (start: number, end: number): Promise<Uint8Array> => {
    const answer = await session.open('GET', dataUrl, { start, end });
    if (answer.status === 206) {
      const answered = parseContentRange(header(answer.headers, 'content-range'));
      if (answered && answered.start !== start) {
        answer.body.destroy();
        throw new Error(`the host answered a range request for byte ${start} with bytes from ${answered.start}`);
      }
      return session.read(answer.body, end - start);
    }
    if (answer.status === 416) {
      await session.discard(answer.body);
      return new Uint8Array(0);
    }
    if (answer.status === 200) {
      answer.body.destroy();
      throw new RangeNotSupported();
    }
    await session.discard(answer.body);
    throw new Error(`a range request was answered with HTTP ${answer.status}`);
  };
  let result: { durationSeconds?: number; problem?: string; video?: VideoTrackFacts };
  try {
    result = await readMediaFacts(
      container,
      head,
      probe.sizeBytes,
      rangesWork ? readRange : () => Promise.reject(new RangeNotSupported()),
      options.durationLimits ?? DEFAULT_DURATION_LIMITS,
    );
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    result = {
      problem:
        error instanceof RangeNotSupported
          ? `the host does not support range requests and the movie header is not within the first ${formatBytes(headBytes)}`
          : errorText(error),
    };
  }
  if (result.video) probe.video = result.video;
  if (result.durationSeconds !== undefined) {
    probe.durationSeconds = result.durationSeconds;
    probe.billableSeconds = billableSeconds(result.durationSeconds);
  } else {
    probe.warnings.push(`${source}: its duration could not be read (${result.problem ?? 'unknown reason'}); the API measures it when the job is submitted.`);
  }
}

/** One source's preflight outcome. */
export interface SourceCheck {
  url: string;
  probe?: SourceProbe;
  error?: PreflightError;
}

/**
 * Probes several sources, at most `concurrency` at a time, in the order given.
 * Every source is checked even when another fails; only cancellation and bugs throw.
 */
export async function probeSources(urls: readonly string[], options: ProbeOptions & { concurrency?: number } = {}): Promise<SourceCheck[]> {
  const results: SourceCheck[] = urls.map((url) => ({ url }));
  let nextIndex = 0;
  const worker = async (): Promise<void> => {
    while (nextIndex < urls.length) {
      const index = nextIndex++;
      const check = results[index]!;
      try {
        check.probe = await probeSource(check.url, options);
      } catch (error) {
        if (!(error instanceof PreflightError)) throw error;
        check.error = error;
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 4, urls.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
