/**
 * Preflight: checks each source on its own host before anything is submitted
 * (reachable, within the 50 MB limit, a video) and reads its duration through
 * HTTP range requests, so the billable seconds are known up front.
 *
 * These requests go to the user's CDN: they never carry the API key.
 */
import { billableSeconds } from '../model/billing';
import {
  DEFAULT_DURATION_LIMITS,
  codecDisplayName,
  readMediaFacts,
  sniffContainer,
  sniffDocument,
  type Container,
  type DurationLimits,
  type VideoTrackFacts,
} from '../media/container';
import { CancelledError, PreflightDeadlineError, PreflightError, RangesNotSupportedError, errorClause, errorText } from '../shared/errors';
import { formatBytes, formatSeconds } from '../shared/format';
import type { Pool } from '../shared/pool';
import { ProbeSession, contentLength, parseContentRange, type Opened, type SessionOptions } from '../http/range-probe';
import { header } from '../http/transport';
import { displayUrl } from '../shared/urls';

/** The API's documented input cap ("up to 50MB"). */
export const MAX_SOURCE_BYTES = 50 * 1024 * 1024;
/** First read of every source: enough to sniff it, for MKV Segment Info, and for the `moov` of most faststart MP4s. */
export const HEAD_BYTES = 256 * 1024;

export interface ProbeOptions extends SessionOptions {
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

const CONTAINER_NAMES: Record<Container, string> = { mp4: 'MP4/MOV', matroska: 'MKV' };

/** One log line per source: what was found and what it cost to find out. */
export function describeProbe(probe: SourceProbe): string {
  const facts: string[] = [];
  if (probe.container) facts.push(CONTAINER_NAMES[probe.container]);
  if (probe.sizeBytes !== undefined) facts.push(formatBytes(probe.sizeBytes));
  if (probe.contentType) facts.push(probe.contentType);
  facts.push(...videoFacts(probe.video));
  facts.push(probe.durationSeconds === undefined ? 'duration unknown' : `${formatSeconds(probe.durationSeconds)} s`);
  const billable = probe.billableSeconds === undefined ? '' : ` → ${probe.billableSeconds} billable seconds`;
  // A workspace file (video-file) is read from disk: no request.
  const cost =
    probe.requests === 0 ? `${formatBytes(probe.bytesFetched)} read from disk` : `${probe.requests} requests, ${formatBytes(probe.bytesFetched)} read`;
  return `${displayUrl(probe.url)}: ${facts.join(', ')}${billable} (${cost})`;
}

/** "854×480", "29.97 fps", "H.264": what the container says of the video track, for the preflight line. */
function videoFacts(video: VideoTrackFacts | undefined): string[] {
  const facts: string[] = [];
  if (video?.width !== undefined && video.height !== undefined) facts.push(`${video.width}×${video.height}`);
  if (video?.frameRate !== undefined) facts.push(`${Math.round(video.frameRate * 100) / 100} fps`);
  if (video?.codec) facts.push(codecDisplayName(video.codec));
  return facts;
}

// ---- The probe ------------------------------------------------------------------

/** What an HTTP error from a source's host means, for messages (preflight's and the fingerprint's); `otherwise` for any other status. */
export function hostStatusHint(status: number, otherwise: string): string {
  if (status === 401 || status === 403) return 'the host refuses access; the upscaler needs a public URL';
  if (status === 404 || status === 410) return 'no file there';
  if (status >= 500) return 'the host had a server error';
  return otherwise;
}

function statusError(source: string, url: string, status: number, method: string): PreflightError {
  const hint = hostStatusHint(status, 'the host refused the request');
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

  const session = new ProbeSession(url, source, options);
  const probe: SourceProbe = { url, bytesFetched: 0, requests: 0, warnings: [] };
  try {
    await inspect(url, source, probe, session, options);
  } finally {
    probe.bytesFetched = session.bytesFetched;
    probe.requests = session.requests;
  }
  return probe;
}

function rethrowIfFinal(error: unknown): void {
  if (error instanceof CancelledError || error instanceof PreflightError || error instanceof PreflightDeadlineError) throw error;
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
    headProblem = errorClause(error);
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
        ? `${source} could not be checked from this runner: ${errorClause(error)}, and HEAD failed too; the API fetches it from its own network when the job is submitted.`
        : `${source}: its first bytes could not be read (${errorClause(error)}), so its duration is unknown.`,
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
  let head: Uint8Array;
  try {
    head = await session.read(first, headBytes);
  } catch (error) {
    rethrowIfFinal(error);
    probe.warnings.push(`${source}: its first bytes could not be read (${errorClause(error)}), so its duration is unknown.`);
    return;
  }
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
  const readRange = (start: number, end: number) => session.readRange(dataUrl, start, end);
  let result: { durationSeconds?: number; problem?: string; video?: VideoTrackFacts };
  try {
    result = await readMediaFacts(
      container,
      head,
      probe.sizeBytes,
      rangesWork ? readRange : () => Promise.reject(new RangesNotSupportedError()),
      options.durationLimits ?? DEFAULT_DURATION_LIMITS,
    );
  } catch (error) {
    if (error instanceof CancelledError || error instanceof PreflightDeadlineError) throw error;
    result = {
      problem:
        error instanceof RangesNotSupportedError
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
  /**
   * Set when the step's deadline came first: 'unanswered' while its host was
   * being asked, 'not-checked' when its turn never came.
   */
  deadline?: 'unanswered' | 'not-checked';
}

/**
 * Probes several sources, in the order given, each in a slot of `pool` (the
 * run's one pool, so preflight and clips share the concurrency limit).
 * Every source is checked even when another fails, until the deadline (no
 * probe starts after it); only cancellation and bugs throw.
 */
export async function probeSources(urls: readonly string[], options: ProbeOptions & { pool: Pool }): Promise<SourceCheck[]> {
  const { deadline } = options;
  return Promise.all(
    urls.map((url) =>
      options.pool.run(async (): Promise<SourceCheck> => {
        if (deadline !== undefined && Date.now() >= deadline.at) return { url, deadline: 'not-checked' };
        try {
          return { url, probe: await probeSource(url, options) };
        } catch (error) {
          if (error instanceof PreflightDeadlineError) return { url, deadline: 'unanswered' };
          if (error instanceof PreflightError) return { url, error };
          throw error;
        }
      }),
    ),
  );
}
