/**
 * Reads a clip's duration from its container without downloading the clip:
 * the caller hands over the first bytes and a function that fetches byte ranges.
 * Parsing is left to mp4box (MP4/MOV) and music-metadata (MKV), loaded only
 * here and only when needed, so they cost nothing on runs without preflight.
 */

/** The containers the API accepts (MP4, MOV, MKV), as told apart by their first bytes. */
export type Container = 'mp4' | 'matroska';

/** Reads bytes [start, end) of the source; may return fewer when the file ends first. */
export type RangeReader = (start: number, end: number) => Promise<Uint8Array>;

export interface DurationResult {
  /** Seconds, when the container states it. */
  durationSeconds?: number;
  /** Why the duration is unknown, when it is. */
  problem?: string;
}

export interface DurationLimits {
  /** Most bytes read beyond the head while looking for the MP4/MOV movie header. */
  maxExtraBytes: number;
  /** Size of the first read past the head; later reads grow fourfold. */
  firstChunkBytes: number;
}

export const DEFAULT_DURATION_LIMITS: DurationLimits = { maxExtraBytes: 16 * 1024 * 1024, firstChunkBytes: 64 * 1024 };

/** Top-level ISO BMFF box types a file may begin with (QuickTime writes `wide`/`free` before `mdat`). */
const LEADING_BOXES = new Set(['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot', 'uuid', 'styp', 'sidx']);
const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];

/** Tells MP4/MOV (ISO BMFF) from MKV/WebM (Matroska) by the first bytes; undefined for anything else. */
export function sniffContainer(head: Uint8Array): Container | undefined {
  if (head.length >= 4 && EBML_MAGIC.every((byte, i) => head[i] === byte)) return 'matroska';
  if (head.length < 8) return undefined;
  const size = ((head[0]! << 24) >>> 0) + (head[1]! << 16) + (head[2]! << 8) + head[3]!;
  const type = String.fromCharCode(head[4]!, head[5]!, head[6]!, head[7]!);
  // 0 means "to the end of the file", 1 means a 64-bit size follows; otherwise the box holds at least its header.
  const sizeIsPlausible = size === 0 || size === 1 || size >= 8;
  return sizeIsPlausible && LEADING_BOXES.has(type) ? 'mp4' : undefined;
}

/** What a text document (an error page, a JSON answer) looks like in its first bytes, for the error message. */
export function sniffDocument(head: Uint8Array): string | undefined {
  const text = Buffer.from(head.subarray(0, 512)).toString('latin1').trimStart().toLowerCase();
  if (text.startsWith('<!doctype html') || text.startsWith('<html') || text.startsWith('<head') || text.startsWith('<body')) return 'an HTML page';
  if (text.startsWith('<?xml') || /^<[a-z]/.test(text)) return 'an XML document';
  if (/^[{[]\s*["{[\]}]/.test(text)) return 'a JSON document';
  return undefined;
}

/** A plain ArrayBuffer holding exactly `bytes`, tagged with its file offset as mp4box expects. */
function positioned(bytes: Uint8Array, fileStart: number): ArrayBuffer & { fileStart: number } {
  const copy = new Uint8Array(bytes).buffer as ArrayBuffer & { fileStart: number };
  copy.fileStart = fileStart;
  return copy;
}

/**
 * MP4/MOV: feeds mp4box the head, then whatever range it asks for next. mp4box
 * skips over `mdat` by its box size, so a MOV with `moov` at the end costs one
 * more small read near the end of the file, not the whole file.
 */
async function isoBmffDuration(head: Uint8Array, size: number | undefined, read: RangeReader, limits: DurationLimits): Promise<DurationResult> {
  const { createFile } = await import('mp4box');
  const file = createFile();
  let parseError: string | undefined;
  file.onError = (_module, message) => {
    parseError = message;
  };
  /** File ranges handed to mp4box so far, to continue where the data runs out. */
  const covered: Array<[number, number]> = [];
  const append = (bytes: Uint8Array, start: number): number | undefined => {
    covered.push([start, start + bytes.length]);
    return file.appendBuffer(positioned(bytes, start));
  };

  /** mp4box throws on some malformed input instead of calling onError. */
  const feed = (bytes: Uint8Array, start: number): { next?: number; problem?: string } => {
    try {
      return { next: append(bytes, start) };
    } catch (error) {
      return { problem: `the MP4/MOV structure could not be read (${errorMessage(error)})` };
    }
  };

  let extraBytes = 0;
  let chunk = limits.firstChunkBytes;
  let step = feed(head, 0);
  for (;;) {
    if (step.problem) return { problem: step.problem };
    const mvhd = file.moov?.mvhd;
    if (mvhd) return movieDuration(mvhd, file.moov.mvex?.mehd?.fragment_duration);
    if (parseError) return { problem: `the MP4/MOV structure could not be read (${parseError})` };
    if (step.next === undefined) return { problem: 'the MP4/MOV structure could not be read' };
    // When mp4box wants a box that is only partly here, continue from the end of the data it has.
    let from = step.next;
    for (const [start, end] of covered) if (from >= start && from < end) from = end;
    if (size !== undefined && from >= size) return { problem: 'no movie header (moov box) was found in the file' };
    const length = Math.min(chunk, limits.maxExtraBytes - extraBytes, size === undefined ? chunk : size - from);
    if (length <= 0) return { problem: `no movie header (moov box) was found within ${formatBytes(limits.maxExtraBytes)} of reads` };
    const bytes = await read(from, from + length);
    if (bytes.length === 0) return { problem: 'no movie header (moov box) was found before the end of the file' };
    extraBytes += bytes.length;
    chunk *= 4;
    step = feed(bytes, from);
  }
}

function movieDuration(mvhd: { duration: number; timescale: number }, fragmentDuration: number | undefined): DurationResult {
  if (!(mvhd.timescale > 0)) return { problem: 'the movie header has no timescale' };
  // Fragmented MP4 keeps the total in mvex/mehd and usually 0 in mvhd.
  const units = mvhd.duration > 0 ? mvhd.duration : (fragmentDuration ?? 0);
  if (!(units > 0)) return { problem: 'the movie header states no duration (a fragmented MP4 without a total)' };
  return { durationSeconds: units / mvhd.timescale };
}

/** MKV/WebM: Segment Info (with Duration) sits near the start, so the head is enough. */
async function matroskaDuration(head: Uint8Array, size: number | undefined): Promise<DurationResult> {
  const { parseBuffer } = await import('music-metadata');
  try {
    const metadata = await parseBuffer(head, { mimeType: 'video/x-matroska', size }, { skipCovers: true });
    const duration = metadata.format.duration;
    if (duration !== undefined && Number.isFinite(duration) && duration > 0) return { durationSeconds: duration };
    return { problem: 'the Matroska Segment Info states no duration in the first bytes of the file' };
  } catch (error) {
    return { problem: `the Matroska structure could not be read (${errorMessage(error)})` };
  }
}

/**
 * Reads the duration of a clip whose first bytes are `head`. A malformed or
 * unreadable container gives `problem` rather than an exception; errors thrown
 * by `read` (network, cancellation) propagate.
 */
export async function readDuration(
  container: Container,
  head: Uint8Array,
  size: number | undefined,
  read: RangeReader,
  limits: DurationLimits = DEFAULT_DURATION_LIMITS,
): Promise<DurationResult> {
  return container === 'mp4' ? isoBmffDuration(head, size, read, limits) : matroskaDuration(head, size);
}

function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** 2.6 MiB, 340.0 KiB, 812 B. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
