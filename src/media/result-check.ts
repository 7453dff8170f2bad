/**
 * What the upscale did: reads a result's width × height, duration and codec
 * from its container (over a few range requests, or from the downloaded file)
 * and checks them against the source's.
 *
 * Result URLs live on the API's CDN: the requests carry no credentials, and a
 * byte budget bounds what one result may cost. A result whose header cannot be
 * read within it gives `undefined` facts and a reason, never an exception.
 */
import { open } from 'node:fs/promises';
import { formatBytes } from '../shared/format';
import { codecDisplayName, readMediaFacts, sniffContainer, sniffDocument, type Container, type RangeReader, type VideoTrackFacts } from './container';
import { CancelledError, RangesNotSupportedError, errorClause, errorText } from '../shared/errors';
import { clause } from '../shared/text';
import { ProbeSession, parseContentRange } from '../http/range-probe';
import { header } from '../http/transport';
import { displayUrl } from '../shared/urls';
import type { UpscaleFactor } from '../inputs/values';

/** Bytes one result may cost, first read included: the moov of a long 4K clip fits, the clip does not. */
export const RESULT_BUDGET_BYTES = 4 * 1024 * 1024;
/** First read of a result: a faststart MP4's moov is usually within it. */
export const RESULT_HEAD_BYTES = 256 * 1024;
const FIRST_CHUNK_BYTES = 64 * 1024;

/**
 * The media facts of a video, as far as its container says: the one shape
 * from the probe (preflight's of a source, verify's of a result) to the
 * outputs, which turn it into their snake_case fields only at the edge.
 */
export interface MediaFacts {
  durationSeconds?: number;
  video?: VideoTrackFacts;
}

/** What a result is: its media facts, and what was found instead of a video. */
export interface ResultFacts extends MediaFacts {
  /** Undefined when the bytes are neither MP4/MOV nor MKV. */
  container?: Container;
  /** What the bytes look like when they are no video container ("an HTML page"), for messages. */
  document?: string;
  /** Whether the container lists a video track; undefined when it could not be told. */
  hasVideo?: boolean;
}

export interface ResultProbe {
  /** Undefined when the header could not be read; `reason` says why. */
  facts?: ResultFacts;
  /** Why `facts` is undefined: a clause for a notice ("the host does not support range requests and …"). */
  reason?: string;
  /** Body (or file) bytes read. */
  bytesFetched: number;
  /** HTTP requests sent, redirects included (0 for a local file). */
  requests: number;
}

export interface ResultProbeOptions {
  signal?: AbortSignal;
  /** Most bytes read for this result (default 4 MiB). */
  budgetBytes?: number;
  /** Bytes of the first read, within the budget (default 256 KiB). */
  headBytes?: number;
  /** Longest time for one request (default 15 s). */
  requestTimeoutMs?: number;
}

/** The container's facts from `head` and later reads; a `reason` when they cannot be had. */
async function factsOf(
  head: Uint8Array,
  size: number | undefined,
  read: RangeReader,
  maxExtraBytes: number,
): Promise<Omit<ResultProbe, 'bytesFetched' | 'requests'>> {
  const container = sniffContainer(head);
  if (!container) return { facts: { document: sniffDocument(head), hasVideo: false } };
  const facts = await readMediaFacts(container, head, size, read, { maxExtraBytes, firstChunkBytes: Math.min(FIRST_CHUNK_BYTES, maxExtraBytes) });
  // Without the duration the movie header was not read, so neither were the tracks.
  if (facts.durationSeconds === undefined && facts.hasVideo === undefined) return { reason: facts.problem ?? 'its container could not be read' };
  return { facts: { container, durationSeconds: facts.durationSeconds, hasVideo: facts.hasVideo, video: facts.video } };
}

/**
 * factsOf within `budget` bytes, the head included: a movie header that is not
 * found before the budget is spent gives the budget as the reason.
 */
async function factsWithin(
  head: Uint8Array,
  size: number | undefined,
  read: RangeReader,
  budget: number,
  bytesRead: () => number,
): Promise<Omit<ResultProbe, 'bytesFetched' | 'requests'>> {
  const outcome = await factsOf(head, size, read, budget - head.length);
  if (outcome.reason && bytesRead() >= budget) return { reason: `its movie header (moov box) was not found within the ${formatBytes(budget)} read budget` };
  return outcome;
}

/**
 * Probes a result URL with a ranged GET of its first bytes and, when the movie
 * header is further on, as few range reads as it takes, all within
 * `budgetBytes`. Throws only CancelledError; everything else becomes `reason`.
 */
export async function probeResultUrl(url: string, options: ResultProbeOptions = {}): Promise<ResultProbe> {
  const name = displayUrl(url);
  const budget = Math.max(1, options.budgetBytes ?? RESULT_BUDGET_BYTES);
  const headBytes = Math.min(budget, options.headBytes ?? RESULT_HEAD_BYTES);
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'http:' && protocol !== 'https:') return { reason: 'the result URL is not an http(s) URL', bytesFetched: 0, requests: 0 };
  const session = new ProbeSession(url, name, { signal: options.signal, requestTimeoutMs: options.requestTimeoutMs });
  const done = (outcome: Omit<ResultProbe, 'bytesFetched' | 'requests'>): ResultProbe => ({
    ...outcome,
    bytesFetched: session.bytesFetched,
    requests: session.requests,
  });
  try {
    const first = await session.open('GET', url, { start: 0, end: headBytes });
    if (first.status !== 200 && first.status !== 206) {
      await session.discard(first.body);
      return done({ reason: `the result host answered HTTP ${first.status}` });
    }
    const rangesWork = first.status === 206;
    const sizeText = rangesWork ? undefined : header(first.headers, 'content-length');
    const size = rangesWork
      ? parseContentRange(header(first.headers, 'content-range'))?.total
      : sizeText && /^\d+$/.test(sizeText)
        ? Number(sizeText)
        : undefined;
    const head = await session.read(first, headBytes);
    if (head.length === 0) return done({ reason: 'the result is empty' });

    const read: RangeReader = (start, end) => {
      if (!rangesWork) return Promise.reject(new RangesNotSupportedError());
      return session.readRange(first.url, start, end);
    };
    return done(await factsWithin(head, size, read, budget, () => session.bytesFetched));
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    if (error instanceof RangesNotSupportedError) {
      return done({ reason: `the result host does not support range requests and the movie header is not within the first ${formatBytes(headBytes)}` });
    }
    // The session's redirect errors end with advice about video-url, which does not apply to a result.
    return done({ reason: errorText(error).replace(/(; check video-url)?\.$/, '') });
  }
}

/**
 * Reads a downloaded result's facts from disk: no network, and a moov at the
 * end costs one more small read. The file's size is no budget: a `moov` box
 * may claim the whole file, and mp4box holds (and copies) all of a box before
 * it parses it, so a file gets the same `budgetBytes` as a result URL.
 */
export async function probeResultFile(path: string, options: Pick<ResultProbeOptions, 'budgetBytes' | 'headBytes'> = {}): Promise<ResultProbe> {
  const budget = Math.max(1, options.budgetBytes ?? RESULT_BUDGET_BYTES);
  const headBytes = Math.min(budget, options.headBytes ?? RESULT_HEAD_BYTES);
  let bytesFetched = 0;
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    return { reason: errorClause(error), bytesFetched, requests: 0 };
  }
  try {
    const { size } = await handle.stat();
    const read: RangeReader = async (start, end) => {
      // Never past the budget, whatever a caller asks for: the budget bounds memory, not just the answer.
      const length = Math.max(0, Math.min(end, size, start + budget - bytesFetched) - start);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, start);
      bytesFetched += bytesRead;
      return buffer.subarray(0, bytesRead);
    };
    const head = await read(0, headBytes);
    if (head.length === 0) return { reason: 'the result is empty', bytesFetched, requests: 0 };
    return { ...(await factsWithin(head, size, read, budget, () => bytesFetched)), bytesFetched, requests: 0 };
  } catch (error) {
    return { reason: errorClause(error), bytesFetched, requests: 0 };
  } finally {
    await handle.close();
  }
}

// ---- Pure ------------------------------------------------------------------------

function size(side: MediaFacts | undefined): string | undefined {
  const { width, height } = side?.video ?? {};
  return width !== undefined && height !== undefined ? `${width}×${height}` : undefined;
}

function seconds(side: MediaFacts | undefined): string | undefined {
  return side?.durationSeconds === undefined ? undefined : `${side.durationSeconds.toFixed(1)} s`;
}

/** "a → b", "b" when only the result is known, "a → ?" when only the source is, undefined when neither. */
function change(from: string | undefined, to: string | undefined): string | undefined {
  if (to === undefined) return from === undefined ? undefined : `${from} → ?`;
  return from === undefined ? to : `${from} → ${to}`;
}

/**
 * "854×480 → 1708×960 (2.0×) · 3.2 s → 3.2 s · H.264": the source and result
 * sizes with the width ratio, the durations to a tenth of a second, the
 * result's codec. A fact the source lacks leaves only the result's ("1708×960 ·
 * 3.2 s → 3.2 s · H.264"); one the result lacks shows "?" ("854×480 → ?");
 * a part known on neither side is left out, and nothing known at all gives "?".
 */
export function describeUpscale(source: MediaFacts | undefined, result: MediaFacts | undefined): string {
  const parts: string[] = [];
  const sizes = change(size(source), size(result));
  if (sizes !== undefined) {
    const from = source?.video?.width;
    const to = result?.video?.width;
    parts.push(from && to && size(source) && size(result) ? `${sizes} (${(to / from).toFixed(1)}×)` : sizes);
  }
  const durations = change(seconds(source), seconds(result));
  if (durations !== undefined) parts.push(durations);
  const codec = result?.video?.codec;
  if (codec) parts.push(codecDisplayName(codec));
  return parts.join(' · ') || '?';
}

/** Seconds for messages: up to the millisecond, no trailing zeros. */
function exactSeconds(value: number): string {
  return `${Math.round(value * 1000) / 1000} s`;
}

/** Duration tolerance when the source states no frame rate: one frame at 10 fps, more than a frame at any usual rate. */
const UNKNOWN_RATE_TOLERANCE_SECONDS = 0.1;

/** Float slack for "more than one frame": timescales turn 3.2 into 3.2000000000000002. */
const EPSILON_SECONDS = 1e-6;

/**
 * The ways a result falls short of what the source and factor promise, one
 * line each saying what was expected and what was found; empty when it is
 * fine or when the facts to tell are missing (an unknown is not a failure).
 */
export function verifyResult(source: MediaFacts | undefined, result: ResultFacts, factor: UpscaleFactor): string[] {
  const problems: string[] = [];
  if (result.container !== 'mp4' || result.hasVideo === false) {
    const found =
      result.container === 'mp4'
        ? 'an MP4 without a video track'
        : result.container === 'matroska'
          ? 'an MKV file'
          : (result.document ?? 'a file that is neither MP4 nor MKV');
    problems.push(`expected an MP4 with a video track, found ${found}.`);
  }

  if (source?.durationSeconds !== undefined && result.durationSeconds !== undefined) {
    // The source's frame only: the result is what is being checked, and a frozen one-frame result has a frame as long as itself.
    const frameRate = source.video?.frameRate;
    const tolerance = frameRate ? 1 / frameRate : UNKNOWN_RATE_TOLERANCE_SECONDS;
    if (Math.abs(result.durationSeconds - source.durationSeconds) > tolerance + EPSILON_SECONDS) {
      const within = frameRate ? `one frame, ${exactSeconds(tolerance)}` : exactSeconds(tolerance);
      problems.push(
        `expected a duration of ${exactSeconds(source.durationSeconds)} (the source's, within ${within}), found ${exactSeconds(result.durationSeconds)}.`,
      );
    }
  }

  const from = source?.video;
  const to = result.video;
  if (factor !== '1' && from?.width && from.height && to?.width && to.height && !(to.width > from.width && to.height > from.height)) {
    const k = Number(factor);
    problems.push(
      `expected a video larger than the source's ${from.width}×${from.height} (${factor}× is ${from.width * k}×${from.height * k}), found ${to.width}×${to.height}.`,
    );
  }
  return problems;
}

/**
 * One line naming the clip, the task id and each problem (what was expected,
 * what was found): "clip.mp4: the result of task task_abc is not what was
 * asked for: expected a duration of 3.2 s (…), found 1.6 s; expected …". For
 * a warning, and as the VerifyError message under `verify: fail`.
 */
export function verificationMessage(clip: string, taskId: string, problems: readonly string[]): string {
  return `${clip}: the result of task ${taskId} is not what was asked for: ${problems.map(clause).join('; ')}.`;
}

/** The notice for a result whose header could not be read: "clip.mp4: the result of task task_abc was not checked (…)." */
export function uncheckedMessage(clip: string, taskId: string, reason: string): string {
  return `${clip}: the result of task ${taskId} was not checked (${reason}).`;
}

function decimalSeconds(seconds: number | undefined): number | null {
  return seconds === undefined ? null : Math.round(seconds * 1000) / 1000;
}

/** Whole pixels and seconds (3 decimals) of a result and its source, null where unknown: the media fields of `results[]`. */
export interface MediaResultFields {
  width: number | null;
  height: number | null;
  duration: number | null;
  source_width: number | null;
  source_height: number | null;
  source_duration: number | null;
}

/** The media fields of one `results[]` entry (null where unknown); `video-width`, `-height` and `-duration` are the first clip's first three. */
export function mediaResultFields(source: MediaFacts | undefined, result: MediaFacts | undefined): MediaResultFields {
  return {
    width: result?.video?.width ?? null,
    height: result?.video?.height ?? null,
    duration: decimalSeconds(result?.durationSeconds),
    source_width: source?.video?.width ?? null,
    source_height: source?.video?.height ?? null,
    source_duration: decimalSeconds(source?.durationSeconds),
  };
}
