/**
 * Reads a clip's duration and its first video track (width × height, frame
 * rate, codec) from its container without downloading the clip: the caller
 * hands over the first bytes and a function that fetches byte ranges. Parsing
 * is left to mp4box (MP4/MOV) and music-metadata (MKV duration), loaded only
 * here and only when needed, so they cost nothing on runs without preflight.
 */

import type { ISOFile, Movie } from 'mp4box';
import { formatBytes } from '../shared/format';
import { redact } from '../shared/redact';

/** The containers the API accepts (MP4, MOV, MKV), as told apart by their first bytes. */
export type Container = 'mp4' | 'matroska';

/** Reads bytes [start, end) of the source; may return fewer when the file ends first. */
export type RangeReader = (start: number, end: number) => Promise<Uint8Array>;

/** What a container says about its first video track; each field only where the container states it. */
export interface VideoTrackFacts {
  /** Coded width × height in pixels (MP4: the `stsd` sample entry, else `tkhd`; MKV: PixelWidth/PixelHeight). */
  width?: number;
  height?: number;
  /** Frames per second (MP4: samples over the track's sample durations; MKV: from DefaultDuration). */
  frameRate?: number;
  /** MP4: the sample entry's four-character code (`avc1`, `hvc1`…); MKV: its CodecID (`V_MPEG4/ISO/AVC`…). */
  codec?: string;
}

/** What one read of a container yields. */
export interface MediaFacts {
  /** Seconds, when the container states it. */
  durationSeconds?: number;
  /** Why the duration is unknown, when it is. */
  problem?: string;
  /** Whether the container lists a video track; undefined when its track list was not read. */
  hasVideo?: boolean;
  /** The first video track, when there is one. */
  video?: VideoTrackFacts;
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
async function isoBmffFacts(head: Uint8Array, size: number | undefined, read: RangeReader, limits: DurationLimits): Promise<MediaFacts> {
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
    // mp4box parses a box once all of it is here, so with mvhd the whole moov (and its tracks) is read.
    if (mvhd) return { ...movieDuration(mvhd, file.moov.mvex?.mehd?.fragment_duration), ...isoBmffTracks(file) };
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

function movieDuration(mvhd: { duration: number; timescale: number }, fragmentDuration: number | undefined): MediaFacts {
  if (!(mvhd.timescale > 0)) return { problem: 'the movie header has no timescale' };
  // Fragmented MP4 keeps the total in mvex/mehd and usually 0 in mvhd.
  const units = mvhd.duration > 0 ? mvhd.duration : (fragmentDuration ?? 0);
  if (!(units > 0)) return { problem: 'the movie header states no duration (a fragmented MP4 without a total)' };
  return { durationSeconds: units / mvhd.timescale };
}

/** The first video track of a parsed moov. */
function isoBmffTracks(file: ISOFile): Pick<MediaFacts, 'hasVideo' | 'video'> {
  let info: Movie;
  try {
    // A QuickTime file may begin with `wide` or `mdat` and have no `ftyp`; getInfo lists its brands, so give it none.
    file.ftyp ??= { major_brand: '', compatible_brands: [] } as unknown as ISOFile['ftyp'];
    info = file.getInfo();
  } catch {
    return {};
  }
  const track = info.videoTracks[0];
  if (!track) return { hasVideo: false };
  const video: VideoTrackFacts = {};
  // The sample entry's coded size is whole pixels; tkhd's display size is 16.16 fixed point (1708.5): rounded to the nearest pixel, halves up.
  const width = positive(track.video?.width) ?? positive(Math.round(track.track_width));
  const height = positive(track.video?.height) ?? positive(Math.round(track.track_height));
  if (width !== undefined && height !== undefined) Object.assign(video, { width, height });
  const seconds = (positive(track.samples_duration) ?? positive(track.duration) ?? 0) / track.timescale;
  const frameRate = track.nb_samples > 0 && seconds > 0 ? track.nb_samples / seconds : undefined;
  if (frameRate !== undefined && Number.isFinite(frameRate)) video.frameRate = frameRate;
  // `codec` is the sample entry type plus RFC 6381 parameters ("avc1.64000a"); the type names the codec.
  const fourcc = track.codec?.split('.')[0];
  if (fourcc) video.codec = fourcc;
  return { hasVideo: true, video };
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** MKV/WebM: Segment Info (with Duration) and Tracks sit near the start, so the head is enough. */
async function matroskaFacts(head: Uint8Array, size: number | undefined): Promise<MediaFacts> {
  const { parseBuffer } = await import('music-metadata');
  const tracks = matroskaVideoTrack(head);
  try {
    const metadata = await parseBuffer(head, { mimeType: 'video/x-matroska', size }, { skipCovers: true });
    const duration = metadata.format.duration;
    if (duration !== undefined && Number.isFinite(duration) && duration > 0) return { durationSeconds: duration, ...tracks };
    return { problem: 'the Matroska Segment Info states no duration in the first bytes of the file', ...tracks };
  } catch (error) {
    return { problem: `the Matroska structure could not be read (${errorMessage(error)})`, ...tracks };
  }
}

// Matroska element IDs (with their length marker bits, as written).
const SEGMENT = 0x18538067;
const TRACKS = 0x1654ae6b;
const TRACK_ENTRY = 0xae;
const TRACK_TYPE = 0x83;
const CODEC_ID = 0x86;
const DEFAULT_DURATION = 0x23e383;
const VIDEO = 0xe0;
const PIXEL_WIDTH = 0xb0;
const PIXEL_HEIGHT = 0xba;
const CLUSTER = 0x1f43b675;
const TRACK_TYPE_VIDEO = 1;
/** The elements walked into, one per depth; the fields are the children of TrackEntry and Video (depth 3 and 4). */
const PATH = [SEGMENT, TRACKS, TRACK_ENTRY, VIDEO];
const FIELDS_DEPTH = 3;

/** An EBML variable-length integer at `offset`: its value and length; `marker` keeps the length bits (element IDs). */
function readVint(bytes: Uint8Array, offset: number, marker: boolean): { value: number; length: number; unknown: boolean } | undefined {
  const first = bytes[offset];
  if (first === undefined || first === 0) return undefined;
  const length = Math.clz32(first) - 23;
  if (offset + length > bytes.length) return undefined;
  let value = marker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + bytes[offset + i]!;
    allOnes &&= bytes[offset + i] === 0xff;
  }
  return { value, length, unknown: !marker && allOnes };
}

function readUint(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 256 + bytes[i]!;
  return value;
}

/**
 * The first video TrackEntry in the head of a Matroska file. music-metadata
 * reports pixel sizes and the codec but not DefaultDuration (the frame
 * duration), so this small walk reads the entry itself: Segment → Tracks →
 * TrackEntry, skipping everything else by its size, stopping at the first Cluster.
 */
export function matroskaVideoTrack(head: Uint8Array): Pick<MediaFacts, 'hasVideo' | 'video'> {
  let tracksSeen = false;
  let found: Map<number, number | string> | undefined;
  /** Descends only along Segment → Tracks → TrackEntry → Video, one level each, so crafted nesting cannot recurse deeply. */
  const walk = (start: number, end: number, depth: number, fields: Map<number, number | string>): boolean => {
    for (let offset = start; offset < end;) {
      const id = readVint(head, offset, true);
      const size = id && readVint(head, offset + id.length, false);
      if (!id || !size) return false;
      const body = offset + id.length + size.length;
      const bodyEnd = size.unknown ? end : Math.min(end, body + size.value);
      if (id.value === CLUSTER) return false;
      if (id.value === PATH[depth]) {
        if (id.value === TRACKS) tracksSeen = !size.unknown && body + size.value <= head.length;
        if (id.value === TRACK_ENTRY) {
          const entry = new Map<number, number | string>();
          walk(body, bodyEnd, depth + 1, entry);
          if (entry.get(TRACK_TYPE) === TRACK_TYPE_VIDEO) {
            found = entry;
            return false;
          }
        } else if (!walk(body, bodyEnd, depth + 1, fields)) {
          return false;
        }
      } else if (depth >= FIELDS_DEPTH && bodyEnd - body <= 8 && [TRACK_TYPE, DEFAULT_DURATION, PIXEL_WIDTH, PIXEL_HEIGHT].includes(id.value)) {
        fields.set(id.value, readUint(head, body, bodyEnd));
      } else if (depth >= FIELDS_DEPTH && id.value === CODEC_ID) {
        const text = Buffer.from(head.subarray(body, Math.min(bodyEnd, body + 64))).toString('latin1');
        fields.set(id.value, text.replace(/\0+$/, ''));
      }
      if (size.unknown) return false;
      offset = body + size.value;
    }
    return true;
  };
  walk(0, head.length, 0, new Map());
  const entry = found;
  // No video entry: certain only when the whole Tracks element was in the head.
  if (!entry) return tracksSeen ? { hasVideo: false } : {};
  const video: VideoTrackFacts = {};
  const width = entry.get(PIXEL_WIDTH);
  const height = entry.get(PIXEL_HEIGHT);
  if (typeof width === 'number' && typeof height === 'number' && width > 0 && height > 0) Object.assign(video, { width, height });
  const frameNs = entry.get(DEFAULT_DURATION);
  if (typeof frameNs === 'number' && frameNs > 0) video.frameRate = 1e9 / frameNs;
  const codec = entry.get(CODEC_ID);
  if (typeof codec === 'string' && codec) video.codec = codec;
  return { hasVideo: true, video };
}

/**
 * Reads the duration and first video track of a clip whose first bytes are
 * `head`. A malformed or unreadable container gives `problem` rather than an
 * exception; errors thrown by `read` (network, cancellation) propagate.
 */
export async function readMediaFacts(
  container: Container,
  head: Uint8Array,
  size: number | undefined,
  read: RangeReader,
  limits: DurationLimits = DEFAULT_DURATION_LIMITS,
): Promise<MediaFacts> {
  return container === 'mp4' ? isoBmffFacts(head, size, read, limits) : matroskaFacts(head, size);
}

const CODEC_NAMES: Record<string, string> = {
  avc1: 'H.264',
  avc3: 'H.264',
  'V_MPEG4/ISO/AVC': 'H.264',
  hvc1: 'H.265/HEVC',
  hev1: 'H.265/HEVC',
  'V_MPEGH/ISO/HEVC': 'H.265/HEVC',
  av01: 'AV1',
  V_AV1: 'AV1',
  vp09: 'VP9',
  V_VP9: 'VP9',
  vp08: 'VP8',
  V_VP8: 'VP8',
};

/**
 * "H.264", "H.265/HEVC", "AV1", "VP9" by name; any other code as written (reduced to safe characters: it comes from the
 * file), scrubbed of secrets before it is cut (a cut key is a prefix no mask catches).
 */
export function codecDisplayName(codec: string): string {
  return (
    CODEC_NAMES[codec] ??
    (redact(codec)
      .replace(/[^\w./ -]/g, '?')
      .trim()
      .slice(0, 32) ||
      '?')
  );
}

function errorMessage(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}
