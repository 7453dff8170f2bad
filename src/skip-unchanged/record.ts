/**
 * The record `skip-unchanged` keeps of a completed task: its format, the check
 * every stored record passes before it is believed, and how stored files are
 * opened (regular files inside their store only, read with a byte cap) and
 * copied out of the tool cache (only when their SHA-256 is the recorded one).
 */
import { createHash, randomUUID } from 'node:crypto';
import { sha256Hex } from '../shared/sha256';
import { constants, createWriteStream } from 'node:fs';
import { open, realpath, rm, type FileHandle } from 'node:fs/promises';
import { relative, isAbsolute } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { replaceFile } from '../delivery/replace-file';
import { RECORD_FORMAT_VERSION, strongEtag, type Fingerprint } from './fingerprint';
import type { MediaFacts } from '../media/result-check';
import { hasControlCharacters } from '../shared/text';
import { isObject, resultUrlProblem, taskIdProblem } from '../shared/validate';
import type { Log } from '../shared/log';

/** The record of one completed task, as both stores keep it. */
export interface ResultRecord {
  /** Format version (RECORD_FORMAT_VERSION); also part of the key. */
  v: typeof RECORD_FORMAT_VERSION;
  model: string;
  upscaleFactor: '1' | '2' | '4';
  sourceSha256: string;
  taskId: string;
  /** The task's output.video_urls when it completed (they may have expired since: fetch the task again). */
  videoUrls: string[];
  /** What the task was billed for, when preflight knew the duration. */
  billableSeconds: number | null;
  /** When the task completed, ISO 8601 UTC. */
  completedAt: string;
  /**
   * The SHA-256 and size of each result file as the run that completed the
   * task downloaded it, by index in videoUrls. Kept in the Actions cache
   * record, the only place they are trusted from: a file in the runner's tool
   * cache is used only when it matches them.
   */
  resultFiles?: ResultFileFacts[];
  /**
   * The source host's strong ETag for the bytes whose SHA-256 this is, from
   * the response that was hashed. A later run sends it as If-None-Match: a 304
   * proves the bytes unchanged without reading them (docs/schedule-and-skip-unchanged.md).
   */
  sourceEtag?: string;
  /** What preflight read of those bytes (duration, video track): a later run that proves them unchanged takes its facts from here. */
  sourceMedia?: MediaFacts;
}

export interface ResultFileFacts {
  /** Index of the file's URL in videoUrls. */
  index: number;
  sha256: string;
  bytes: number;
}

/** Where the tool cache may hold a result file (untrusted: use it only through copyVerifiedResult). */
export interface CachedResultFile extends ResultFileFacts {
  path: string;
  /** The store it must stay inside, symlinks resolved. */
  root: string;
}

export interface CacheHit {
  /** From the Actions cache: the only store trusted with which task a fingerprint maps to. */
  record: ResultRecord;
  /** Where the tool cache may hold the recorded result files, with the recorded digests. Not yet verified. */
  files: CachedResultFile[];
}

export type ActionsCacheOutcome = 'saved' | 'exists' | 'unavailable' | 'failed' | 'timed-out';
/** 'skipped': no result file to keep (GitHub-hosted runner, or nothing downloaded). */
export type ToolCacheOutcome = 'saved' | 'skipped' | 'unavailable' | 'failed';

export interface SaveOutcome {
  toolCache: ToolCacheOutcome;
  actionsCache: ActionsCacheOutcome;
  /** The same record under its source URL, when it holds a strong ETag and a URL was given. */
  sourceRecord?: ActionsCacheOutcome;
}

/** The stores only write lines (the run's log). */
export type StoreLog = Pick<Log, 'info' | 'warning' | 'debug'>;

/** The tool-cache "tool" name under RUNNER_TOOL_CACHE. */
export const TOOL_NAME = 'reapi-topaz-video-upscaler';
/**
 * Where the Actions cache record is written for the library to archive, and
 * where it lands on restore: relative to the workspace, because the cache's
 * hidden version hashes these path strings. An absolute RUNNER_TEMP path would
 * differ between Linux and macOS and on self-hosted runners, and every such
 * runner would miss the others' records. The file is removed straight after.
 */
export const RECORD_DIR = '.reapi-topaz-video-upscaler-cache';
/** As large as the API's own answer may be (its result URLs are what a record mostly holds). */
export const MAX_RECORD_BYTES = 1024 * 1024;

// ---- Pure helpers --------------------------------------------------------------

/** The tool-cache version for a key: explicit semver `find` accepts (a letter first, nothing after `+`). */
export function toolCacheVersion(key: string): string {
  return `0.0.0-h${sha256Hex(key)}`;
}

/** The path string given to @actions/cache for a key: the same string on save and restore, on every runner. */
export function actionsCachePath(key: string): string {
  return `${RECORD_DIR}/${sha256Hex(key).slice(0, 40)}.json`;
}

/** An exact hit: the service also matches keys by prefix, which would be another source's record. */
export function isExactKey(matchedKey: string | undefined, key: string): boolean {
  return matchedKey !== undefined && matchedKey.toLowerCase() === key.toLowerCase();
}

const RECORD_FIELDS = new Set('v model upscaleFactor sourceSha256 taskId videoUrls billableSeconds completedAt resultFiles sourceEtag sourceMedia'.split(' '));
const SHA256_HEX = /^[0-9a-f]{64}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** The API path's own rule (src/shared/validate.ts): a record holds what a task answer may hold. */
function isResultUrl(value: unknown): value is string {
  return typeof value === 'string' && resultUrlProblem(value) === undefined;
}

function checkResultFiles(value: unknown, urlCount: number): string | undefined {
  if (!Array.isArray(value) || value.length > urlCount) return 'resultFiles is not a list of files';
  const seen = new Set<number>();
  for (const file of value) {
    if (!isObject(file) || Object.keys(file).some((k) => k !== 'index' && k !== 'sha256' && k !== 'bytes')) return 'a result file is malformed';
    const { index, sha256, bytes } = file;
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= urlCount || seen.has(index as number)) return 'a result file has a bad index';
    seen.add(index as number);
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) return 'a result file has a bad sha256';
    if (!Number.isSafeInteger(bytes) || (bytes as number) < 0) return 'a result file has a bad size';
  }
  return undefined;
}

/** Longest codec name a record may hold (MKV CodecIDs are the longest: `V_MPEGH/ISO/HEVC`). */
const MAX_CODEC_LENGTH = 64;

/** Absent, or a number in (min, max] (from min inclusive when `zero`). */
function optionalNumber(value: unknown, max: number, { zero = false, integer = false } = {}): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'number' || !Number.isFinite(value) || value > max || value < 0 || (!zero && value === 0)) return false;
  return !integer || Number.isInteger(value);
}

/** Preflight's facts as a record holds them: finite, in range, short printable text. */
function checkSourceMedia(value: unknown): string | undefined {
  if (!isObject(value) || Object.keys(value).some((k) => k !== 'durationSeconds' && k !== 'video')) return 'its source facts are malformed';
  const { durationSeconds, video } = value;
  if (!optionalNumber(durationSeconds, 1e7, { zero: true })) return 'its source duration is malformed';
  if (video === undefined) return undefined;
  if (!isObject(video) || Object.keys(video).some((k) => !['width', 'height', 'frameRate', 'codec'].includes(k))) return 'its source video facts are malformed';
  const { width, height, frameRate, codec } = video;
  if (!optionalNumber(width, 65_536, { integer: true }) || !optionalNumber(height, 65_536, { integer: true })) return 'its source video size is malformed';
  if (!optionalNumber(frameRate, 10_000)) return 'its source frame rate is malformed';
  if (codec !== undefined && !(typeof codec === 'string' && codec.length > 0 && codec.length <= MAX_CODEC_LENGTH && !hasControlCharacters(codec))) {
    return 'its source codec is malformed';
  }
  return undefined;
}

/** The media facts a record keeps of a source (preflight's may carry more). */
export function recordedMedia(media: MediaFacts): MediaFacts {
  const { durationSeconds, video } = media;
  return {
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    ...(video ? { video: { width: video.width, height: video.height, frameRate: video.frameRate, codec: video.codec } } : {}),
  };
}

/** What a stored record must match: a fingerprint, or (a source's record, looked up by URL before its bytes are known) the model and factor, and a strong ETag. */
export type RecordExpectation = Fingerprint | (Omit<Fingerprint, 'sourceSha256'> & { sourceSha256?: undefined });

/**
 * Checks a stored record (untrusted: any job with cache access could have
 * written it) against what it was looked up for. Returns the record, or the
 * reason it is refused.
 */
export function parseRecord(text: string, fingerprint: RecordExpectation): { record: ResultRecord } | { problem: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { problem: 'it is not JSON' };
  }
  if (!isObject(data)) return { problem: 'it is not a JSON object' };
  const unknown = Object.keys(data).find((key) => !RECORD_FIELDS.has(key));
  if (unknown !== undefined) return { problem: `it has an unknown field ${JSON.stringify(unknown.slice(0, 40))}` };
  if (data.v !== RECORD_FORMAT_VERSION) return { problem: `its format version is not ${RECORD_FORMAT_VERSION}` };
  if (data.model !== fingerprint.model) return { problem: 'its model does not match' };
  if (data.upscaleFactor !== fingerprint.upscaleFactor) return { problem: 'its upscale factor does not match' };
  if (fingerprint.sourceSha256 === undefined) {
    if (typeof data.sourceSha256 !== 'string' || !SHA256_HEX.test(data.sourceSha256)) return { problem: 'its source SHA-256 is malformed' };
    // Looked up by URL: only a strong validator lets a later run prove the bytes unchanged.
    if (data.sourceEtag === undefined) return { problem: 'it holds no ETag' };
  } else if (data.sourceSha256 !== fingerprint.sourceSha256) return { problem: 'its source SHA-256 does not match' };
  if (typeof data.taskId !== 'string' || taskIdProblem(data.taskId) !== undefined) return { problem: 'its task id is malformed' };
  const urls = data.videoUrls;
  if (!Array.isArray(urls) || urls.length === 0 || !urls.every(isResultUrl)) return { problem: 'its video URLs are malformed' };
  const billable = data.billableSeconds;
  if (billable !== null && (!Number.isSafeInteger(billable) || (billable as number) < 0)) return { problem: 'its billable seconds are malformed' };
  if (typeof data.completedAt !== 'string' || !ISO_UTC.test(data.completedAt) || Number.isNaN(Date.parse(data.completedAt))) {
    return { problem: 'its completion time is malformed' };
  }
  if (data.resultFiles !== undefined) {
    const problem = checkResultFiles(data.resultFiles, urls.length);
    if (problem) return { problem };
  }
  // Untrusted text that goes back to the source host in a header: a strong ETag, within its length cap.
  if (data.sourceEtag !== undefined && (typeof data.sourceEtag !== 'string' || strongEtag(data.sourceEtag) !== data.sourceEtag)) {
    return { problem: 'its source ETag is malformed' };
  }
  if (data.sourceMedia !== undefined) {
    const problem = checkSourceMedia(data.sourceMedia);
    if (problem) return { problem };
  }
  return { record: data as unknown as ResultRecord };
}

/** A stored file that is not a regular file inside its store (a FIFO, a device, a symlink out of it). */
export class StoredFileError extends Error {
  override name = 'StoredFileError';
}

/**
 * Opens a file of a store for reading, only when it is a regular file inside
 * `root` once symlinks are resolved: never a FIFO (its open or read would
 * block for ever) or a device (`/dev/zero` never ends). The open itself does
 * not block (O_NONBLOCK) and does not follow a last-moment symlink (O_NOFOLLOW).
 */
export async function openStoredFile(path: string, root: string): Promise<FileHandle> {
  const [real, realRoot] = await Promise.all([realpath(path), realpath(root)]);
  const inside = relative(realRoot, real);
  if (!inside || inside.startsWith('..') || isAbsolute(inside)) throw new StoredFileError('it leads out of its store');
  const handle = await open(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0));
  try {
    if (!(await handle.stat()).isFile()) throw new StoredFileError('it is not a regular file');
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** At most `limit` bytes of an open file (the file may grow while it is read); `limit + 1` bytes read means it is larger. */
async function readCapped(handle: FileHandle, limit: number): Promise<Buffer> {
  const buffer = Buffer.alloc(limit + 1);
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/**
 * A stored file as `openStoredFile` allows, at most `limit + 1` bytes (more means too large). Every record restored from a
 * cache is read here, so a FIFO, device or huge file planted in an entry cannot hang or flood the run.
 */
export async function readStoredFile(path: string, root: string, limit: number): Promise<Buffer> {
  const handle = await openStoredFile(path, root);
  try {
    return await readCapped(handle, limit);
  } finally {
    await handle.close();
  }
}

/**
 * Reads a stored record (untrusted: another run, or anyone who could write the cache, wrote it) from inside `root` and
 * checks it against the fingerprint; undefined, with a line saying why, when it is not a regular file, too large, or does not hold.
 */
export async function readRecordFile(
  path: string,
  root: string,
  fingerprint: RecordExpectation,
  where: string,
  log: StoreLog,
): Promise<ResultRecord | undefined> {
  let text: Buffer;
  try {
    text = await readStoredFile(path, root, MAX_RECORD_BYTES);
  } catch (error) {
    if (!(error instanceof StoredFileError)) throw error;
    log.info(`skip-unchanged: ${where} is ignored: ${error.message}.`);
    return undefined;
  }
  if (text.length > MAX_RECORD_BYTES) {
    log.info(`skip-unchanged: ${where} is too large to be one; ignored.`);
    return undefined;
  }
  const parsed = parseRecord(text.toString('utf8'), fingerprint);
  if ('problem' in parsed) {
    log.info(`skip-unchanged: ${where} is ignored: ${parsed.problem}.`);
    return undefined;
  }
  return parsed.record;
}

/**
 * Copies a tool-cache result file to `dest`, hashing it on the way, and keeps
 * the copy only when its SHA-256 and size are the ones the Actions cache
 * record gave (nothing locks the tool cache, so the check is on the bytes
 * actually copied, and at most the recorded size plus one byte is read).
 * Returns false, leaving nothing at `dest`, when they are not; the caller then
 * downloads. Throws StoredFileError for a file that is not a regular file
 * inside the tool cache.
 */
export async function copyVerifiedResult(file: CachedResultFile, dest: string): Promise<boolean> {
  const handle = await openStoredFile(file.path, file.root);
  const partial = `${dest}.${randomUUID().slice(0, 8)}.partial`;
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await pipeline(
      handle.createReadStream({ start: 0, end: file.bytes, autoClose: false }),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk);
          bytes += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(partial, { flags: 'wx' }),
    );
    if (bytes !== file.bytes || hash.digest('hex') !== file.sha256) {
      await rm(partial, { force: true });
      return false;
    }
    await replaceFile(partial, dest);
    return true;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await handle.close();
  }
}

export function resultFileName(index: number): string {
  return `result-${index}.mp4`;
}
