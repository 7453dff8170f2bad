/**
 * The record `skip-unchanged` keeps of a completed task, as both stores hold
 * it: its format, the check every stored record passes before it is believed
 * (anything with cache access could have written it), and the verified copy
 * of a result file out of the tool cache.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { replaceFile } from '../delivery/replace-file';
import { RECORD_FORMAT_VERSION, type Fingerprint } from './fingerprint';
import type { Log } from '../shared/log';
import { isObject } from '../shared/validate';

/** The stores only write lines (the run's log). */
export type StoreLog = Pick<Log, 'info' | 'warning' | 'debug'>;

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
  /** Tool cache only: the result files stored next to the record, by index in videoUrls. */
  resultFiles?: ResultFileFacts[];
}

export interface ResultFileFacts {
  /** Index of the file's URL in videoUrls. */
  index: number;
  sha256: string;
  bytes: number;
}

/** A result file in the tool cache; use it only through copyVerifiedResult. */
export interface CachedResultFile extends ResultFileFacts {
  path: string;
}

export interface CacheHit {
  record: ResultRecord;
  store: 'tool-cache' | 'actions-cache';
  /** Result files the tool cache holds (empty for an Actions cache hit). Not yet verified. */
  files: CachedResultFile[];
}

export type ActionsCacheOutcome = 'saved' | 'exists' | 'unavailable' | 'failed' | 'timed-out';
export type ToolCacheOutcome = 'saved' | 'unavailable' | 'failed';

export interface SaveOutcome {
  toolCache: ToolCacheOutcome;
  actionsCache: ActionsCacheOutcome;
}

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
export const RECORD_FILE = 'record.json';
export const MAX_RECORD_BYTES = 64 * 1024;
const MAX_VIDEO_URLS = 16;
const MAX_URL_LENGTH = 4096;

// ---- Pure helpers --------------------------------------------------------------

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

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

const RECORD_FIELDS = new Set(['v', 'model', 'upscaleFactor', 'sourceSha256', 'taskId', 'videoUrls', 'billableSeconds', 'completedAt', 'resultFiles']);
const TASK_ID = /^[A-Za-z0-9_-]{1,128}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

function isResultUrl(value: unknown): value is string {
  // Printable ASCII only: no spaces or control characters (the API answers percent-encoded URLs).
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH || !/^[\x21-\x7e]+$/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
  } catch {
    return false;
  }
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

/**
 * Checks a stored record (untrusted: any job with cache access could have
 * written it) against the fingerprint it was looked up for. Returns the
 * record, or the reason it is refused.
 */
export function parseRecord(text: string, fingerprint: Fingerprint): { record: ResultRecord } | { problem: string } {
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
  if (data.sourceSha256 !== fingerprint.sourceSha256) return { problem: 'its source SHA-256 does not match' };
  if (typeof data.taskId !== 'string' || !TASK_ID.test(data.taskId)) return { problem: 'its task id is malformed' };
  const urls = data.videoUrls;
  if (!Array.isArray(urls) || urls.length === 0 || urls.length > MAX_VIDEO_URLS || !urls.every(isResultUrl)) return { problem: 'its video URLs are malformed' };
  const billable = data.billableSeconds;
  if (billable !== null && (!Number.isSafeInteger(billable) || (billable as number) < 0)) return { problem: 'its billable seconds are malformed' };
  if (typeof data.completedAt !== 'string' || !ISO_UTC.test(data.completedAt) || Number.isNaN(Date.parse(data.completedAt))) {
    return { problem: 'its completion time is malformed' };
  }
  if (data.resultFiles !== undefined) {
    const problem = checkResultFiles(data.resultFiles, urls.length);
    if (problem) return { problem };
  }
  return { record: data as unknown as ResultRecord };
}

/** Hex SHA-256 and size of a file, streamed. */
/**
 * Reads a stored record (untrusted: another run, or anyone who could write the
 * cache, wrote it) and checks it against the fingerprint asked for; undefined,
 * with a line saying why, when it is too large or does not hold.
 */
export async function readRecordFile(path: string, fingerprint: Fingerprint, where: string, log: StoreLog): Promise<ResultRecord | undefined> {
  const { size } = await stat(path);
  if (size > MAX_RECORD_BYTES) {
    log.info(`skip-unchanged: ${where} is too large to be one; ignored.`);
    return undefined;
  }
  const parsed = parseRecord(await readFile(path, 'utf8'), fingerprint);
  if ('problem' in parsed) {
    log.info(`skip-unchanged: ${where} is ignored: ${parsed.problem}.`);
    return undefined;
  }
  return parsed.record;
}

/**
 * Copies a tool-cache result file to `dest`, hashing it on the way, and keeps
 * the copy only when its SHA-256 and size are the recorded ones (nothing locks
 * the tool cache, so the check is on the bytes actually copied). Returns false,
 * leaving nothing at `dest`, when they are not; the caller then downloads.
 */
export async function copyVerifiedResult(file: CachedResultFile, dest: string): Promise<boolean> {
  const partial = `${dest}.${randomUUID().slice(0, 8)}.partial`;
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await pipeline(
      createReadStream(file.path),
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
  }
}

export function withoutResultFiles(record: ResultRecord): ResultRecord {
  const copy = { ...record };
  delete copy.resultFiles;
  return copy;
}

export function resultFileName(index: number): string {
  return `result-${index}.mp4`;
}
