/**
 * Records of completed tasks for `skip-unchanged`, kept in two stores:
 *
 * - the runner's tool cache (`@actions/tool-cache`, under RUNNER_TOOL_CACHE):
 *   the record and, when given, the downloaded result files. It persists on
 *   self-hosted runners, and a hit there needs no network at all;
 * - the Actions cache (`@actions/cache`): a small JSON record per fingerprint,
 *   never the video (the repository's 10 GB quota would evict everything else).
 *
 * Neither store may fail the run or hold it up for more than a few seconds:
 * every Actions cache call is raced against `timeoutMs`, the first trouble
 * warns once (a warning the library printed itself counts) and turns that
 * store off for the rest of the run. What comes back from either store is
 * untrusted: it is checked field by field against the fingerprint.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, mkdtemp, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as actionsCache from '@actions/cache';
import * as core from '@actions/core';
import * as toolCache from '@actions/tool-cache';
import { errorText } from './errors';
import { fingerprintKey, RECORD_FORMAT_VERSION, type Fingerprint } from './fingerprint';

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

export interface CacheLog {
  warning(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export interface ResultCacheOptions {
  /** Longest wait for one Actions cache call (default 5 s); past it the call is abandoned and the store turned off. */
  timeoutMs?: number;
  /** Copy result files into the tool cache (default: not on GitHub-hosted runners, whose machines do not outlive the job). */
  keepResultFiles?: boolean;
  log?: CacheLog;
}

export const ACTIONS_CACHE_TIMEOUT_MS = 5_000;
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
const RECORD_FILE = 'record.json';
const MAX_RECORD_BYTES = 64 * 1024;
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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
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
    await rename(partial, dest);
    return true;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

// ---- Library warnings --------------------------------------------------------------

/**
 * Counts the `::warning`/`::error` lines @actions/cache prints (through
 * @actions/core, on stdout) while one of our calls runs, so that a failure the
 * library already reported is not reported twice.
 */
let watchers = 0;
let linesSeen = 0;
let originalWrite: typeof process.stdout.write | undefined;

function watchLibraryWarnings(): () => number {
  if (watchers++ === 0) {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the stream as `this`
    const original = process.stdout.write;
    originalWrite = original;
    process.stdout.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      if (/^::(warning|error)/m.test(typeof chunk === 'string' ? chunk : String(chunk))) linesSeen++;
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    };
  }
  const start = linesSeen;
  let stopped = false;
  return () => {
    if (!stopped) {
      stopped = true;
      if (--watchers === 0 && originalWrite) process.stdout.write = originalWrite;
    }
    return linesSeen - start;
  };
}

const TIMED_OUT: unique symbol = Symbol('timed out');
type CallResult<T> = { value: T | typeof TIMED_OUT; libraryWarnings: number };

// ---- The cache ----------------------------------------------------------------------

export class ResultCache {
  private readonly timeoutMs: number;
  private readonly keepResultFiles: boolean;
  private readonly log: CacheLog;
  /** Set once the Actions cache failed to answer or refused: no more calls this run. */
  private actionsReadOff = false;
  private actionsWriteOff = false;
  private toolCacheOff = false;
  private warnedActions = false;
  private warnedToolCache = false;
  private abandonedCalls = 0;
  /** Actions cache calls run one at a time: they share the record directory and the library's output. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: ResultCacheOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? ACTIONS_CACHE_TIMEOUT_MS;
    this.keepResultFiles = options.keepResultFiles ?? process.env.RUNNER_ENVIRONMENT !== 'github-hosted';
    this.log = options.log ?? { warning: (m) => core.warning(m), info: (m) => core.info(m), debug: (m) => core.debug(m) };
  }

  /**
   * True when an Actions cache call was abandoned at its time limit and may
   * still hold a socket open: the step should end with process.exit() once
   * its outputs are written, or it waits for that call.
   */
  get abandoned(): boolean {
    return this.abandonedCalls > 0;
  }

  /** The record of an earlier completed task with this fingerprint: the tool cache first (no network), then the Actions cache. */
  async lookup(fingerprint: Fingerprint): Promise<CacheHit | undefined> {
    const key = fingerprintKey(fingerprint);
    const local = await this.lookupToolCache(key, fingerprint);
    if (local) return local;
    const record = await this.lookupActionsCache(key, fingerprint);
    return record ? { record, store: 'actions-cache', files: [] } : undefined;
  }

  /** Saves a completed task's record to both stores; `resultFiles[i]` is the downloaded file of `record.videoUrls[i]`. */
  async save(record: ResultRecord, resultFiles: readonly (string | undefined)[] = []): Promise<SaveOutcome> {
    // What is saved must pass the check every lookup makes, or it would only be refused later.
    const checked = parseRecord(JSON.stringify(withoutResultFiles(record)), record);
    if ('problem' in checked) {
      this.log.warning(`skip-unchanged: the record of task ${record.taskId} was not saved: ${checked.problem}.`);
      return { toolCache: 'failed', actionsCache: 'failed' };
    }
    const toolCacheOutcome = await this.saveToToolCache(record, resultFiles);
    const actionsCacheOutcome = await this.saveToActionsCache(record);
    return { toolCache: toolCacheOutcome, actionsCache: actionsCacheOutcome };
  }

  // ---- Tool cache ----

  private toolCacheReady(): boolean {
    if (this.toolCacheOff) return false;
    if (!process.env.RUNNER_TOOL_CACHE) {
      this.toolCacheOff = true;
      this.log.info('skip-unchanged: RUNNER_TOOL_CACHE is not set, so results are remembered in the Actions cache only.');
      return false;
    }
    return true;
  }

  private toolCacheTrouble(what: string, error: unknown): void {
    this.toolCacheOff = true;
    if (this.warnedToolCache) return;
    this.warnedToolCache = true;
    this.log.warning(`skip-unchanged: the runner's tool cache could not be ${what} (${errorText(error).replace(/\.$/, '')}); going on without it.`);
  }

  private async lookupToolCache(key: string, fingerprint: Fingerprint): Promise<CacheHit | undefined> {
    if (!this.toolCacheReady()) return undefined;
    try {
      const dir = toolCache.find(TOOL_NAME, toolCacheVersion(key));
      if (!dir) return undefined;
      const recordPath = join(dir, RECORD_FILE);
      const { size } = await stat(recordPath);
      if (size > MAX_RECORD_BYTES) {
        this.log.info(`skip-unchanged: the tool cache record for ${key} is too large to be one; ignored.`);
        return undefined;
      }
      const parsed = parseRecord(await readFile(recordPath, 'utf8'), fingerprint);
      if ('problem' in parsed) {
        this.log.info(`skip-unchanged: the tool cache record for ${key} is ignored: ${parsed.problem}.`);
        return undefined;
      }
      const files: CachedResultFile[] = [];
      for (const facts of parsed.record.resultFiles ?? []) {
        const path = join(dir, resultFileName(facts.index));
        const found = await stat(path).catch(() => undefined);
        if (found?.isFile() && found.size === facts.bytes) files.push({ ...facts, path });
      }
      return { record: parsed.record, store: 'tool-cache', files };
    } catch (error) {
      this.toolCacheTrouble('read', error);
      return undefined;
    }
  }

  private async saveToToolCache(record: ResultRecord, resultFiles: readonly (string | undefined)[]): Promise<ToolCacheOutcome> {
    if (!this.toolCacheReady()) return 'unavailable';
    const key = fingerprintKey(record);
    let staging: string | undefined;
    try {
      staging = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'reapi-result-'));
      const stored = withoutResultFiles(record);
      const facts: ResultFileFacts[] = [];
      if (this.keepResultFiles) {
        for (const [index, file] of resultFiles.entries()) {
          if (!file || index >= record.videoUrls.length) continue;
          const target = join(staging, resultFileName(index));
          // A hard link costs nothing; cacheDir then makes the one real copy.
          await link(file, target).catch(() => copyFile(file, target));
          facts.push({ index, ...(await hashFile(target)) });
        }
      }
      await writeFile(join(staging, RECORD_FILE), JSON.stringify(facts.length ? { ...stored, resultFiles: facts } : stored));
      await toolCache.cacheDir(staging, TOOL_NAME, toolCacheVersion(key));
      return 'saved';
    } catch (error) {
      this.toolCacheTrouble('written', error);
      return 'failed';
    } finally {
      if (staging) await rm(staging, { recursive: true, force: true });
    }
  }

  // ---- Actions cache ----

  /** Whether the Actions cache can be used for reads or writes; warns once when it cannot. */
  private actionsReady(write: boolean): boolean {
    if (this.actionsReadOff || (write && this.actionsWriteOff)) return false;
    let reason: string | undefined;
    const mode = (process.env.ACTIONS_CACHE_MODE ?? '').trim().toLowerCase();
    if (!actionsCache.isFeatureAvailable() || !process.env.ACTIONS_RUNTIME_TOKEN) {
      reason = 'the Actions cache service is not available on this runner (as on GitHub Enterprise Server without it, or outside GitHub Actions)';
      this.actionsReadOff = true;
    } else if (mode === 'none') {
      reason = 'the Actions cache is turned off for this run (ACTIONS_CACHE_MODE=none)';
      this.actionsReadOff = true;
    } else if (write && mode === 'read') {
      reason = 'the Actions cache is read-only for this run (ACTIONS_CACHE_MODE=read, as for untrusted triggers)';
      this.actionsWriteOff = true;
    }
    if (reason === undefined) return true;
    this.warnActions(`skip-unchanged: ${reason}; results are remembered in the runner's tool cache only.`);
    return false;
  }

  private warnActions(message: string): void {
    if (this.warnedActions) return;
    this.warnedActions = true;
    this.log.warning(message);
  }

  /**
   * Runs one Actions cache call, one at a time, for at most `timeoutMs`.
   * Returns TIMED_OUT past it (the call is left to finish or hang on its own)
   * and how many warnings the library printed meanwhile.
   */
  private async call<T>(work: () => Promise<T>): Promise<CallResult<T>> {
    const run = async (): Promise<CallResult<T>> => {
      const stopWatch = watchLibraryWarnings();
      let timer: NodeJS.Timeout | undefined;
      const pending = work();
      try {
        const value: T | typeof TIMED_OUT = await Promise.race<T | typeof TIMED_OUT>([
          pending,
          new Promise<typeof TIMED_OUT>((resolve) => {
            timer = setTimeout(() => resolve(TIMED_OUT), this.timeoutMs);
          }),
        ]);
        if (value === TIMED_OUT) {
          this.abandonedCalls++;
          pending.catch(() => undefined);
        }
        return { value, libraryWarnings: stopWatch() };
      } finally {
        clearTimeout(timer);
        stopWatch();
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private timedOut(what: string, key: string): void {
    this.actionsReadOff = true;
    this.actionsWriteOff = true;
    this.warnActions(
      `skip-unchanged: the Actions cache did not answer within ${Math.round(this.timeoutMs / 1000)} s while ${what} ${key}; going on without it for the rest of this run.`,
    );
  }

  private async lookupActionsCache(key: string, fingerprint: Fingerprint): Promise<ResultRecord | undefined> {
    if (!this.actionsReady(false)) return undefined;
    const relative = actionsCachePath(key);
    const local = resolve(relative);
    let outcome: CallResult<string | undefined>;
    try {
      outcome = await this.call(async () => {
        await rm(local, { force: true });
        return actionsCache.restoreCache([relative], key, [], { timeoutInMs: this.timeoutMs });
      });
    } catch (error) {
      // Only a malformed key or path throws; the key is ours, so this is a bug worth seeing, not a reason to stop.
      this.actionsReadOff = true;
      this.warnActions(`skip-unchanged: the Actions cache lookup failed (${errorText(error).replace(/\.$/, '')}); going on without it.`);
      return undefined;
    }
    try {
      if (outcome.value === TIMED_OUT) {
        this.timedOut('looking up', key);
        return undefined;
      }
      if (outcome.libraryWarnings > 0) {
        // The library has said what went wrong; a service that failed once is not asked again this run.
        this.warnedActions = true;
        this.actionsReadOff = true;
        return undefined;
      }
      if (!isExactKey(outcome.value, key)) {
        if (outcome.value !== undefined) this.log.info(`skip-unchanged: the Actions cache matched another key (${outcome.value.slice(0, 200)}); ignored.`);
        return undefined;
      }
      const { size } = await stat(local);
      if (size > MAX_RECORD_BYTES) {
        this.log.info(`skip-unchanged: the Actions cache record for ${key} is too large to be one; ignored.`);
        return undefined;
      }
      const parsed = parseRecord(await readFile(local, 'utf8'), fingerprint);
      if ('problem' in parsed) {
        this.log.info(`skip-unchanged: the Actions cache record for ${key} is ignored: ${parsed.problem}.`);
        return undefined;
      }
      if (parsed.record.resultFiles !== undefined) {
        this.log.info(`skip-unchanged: the Actions cache record for ${key} is ignored: it lists result files, which this store never holds.`);
        return undefined;
      }
      return parsed.record;
    } catch (error) {
      this.log.info(`skip-unchanged: the Actions cache record for ${key} could not be read (${errorText(error).replace(/\.$/, '')}); ignored.`);
      return undefined;
    } finally {
      await removeRecordFile(local);
    }
  }

  private async saveToActionsCache(record: ResultRecord): Promise<ActionsCacheOutcome> {
    if (!this.actionsReady(true)) return 'unavailable';
    const key = fingerprintKey(record);
    const relative = actionsCachePath(key);
    const local = resolve(relative);
    const stored = withoutResultFiles(record);
    try {
      const saved = await this.call(async () => {
        await mkdir(resolve(RECORD_DIR), { recursive: true });
        await writeFile(local, JSON.stringify(stored));
        const id = await actionsCache.saveCache([relative], key);
        if (id !== -1) return 'saved' as const;
        // -1 is both "the key exists" (entries are immutable: fine) and a refusal the library may only have logged as info.
        const existing = await actionsCache.restoreCache([relative], key, [], { lookupOnly: true });
        return isExactKey(existing, key) ? ('exists' as const) : ('failed' as const);
      });
      if (saved.value === TIMED_OUT) {
        this.timedOut('saving', key);
        return 'timed-out';
      }
      if (saved.value === 'failed') {
        this.actionsWriteOff = true;
        if (saved.libraryWarnings > 0) this.warnedActions = true;
        else
          this.warnActions(
            `skip-unchanged: the Actions cache did not take the record of task ${record.taskId} (${key}); a later run will not reuse it unless the runner's tool cache holds it.`,
          );
      }
      return saved.value;
    } catch (error) {
      this.actionsWriteOff = true;
      this.warnActions(`skip-unchanged: the record of task ${record.taskId} could not be saved to the Actions cache (${errorText(error).replace(/\.$/, '')}).`);
      return 'failed';
    } finally {
      await removeRecordFile(local);
    }
  }
}

function withoutResultFiles(record: ResultRecord): ResultRecord {
  const copy = { ...record };
  delete copy.resultFiles;
  return copy;
}

function resultFileName(index: number): string {
  return `result-${index}.mp4`;
}

/** Removes a record file and, when it is empty, its directory, so the workspace is left as it was. */
async function removeRecordFile(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => undefined);
  await rmdir(resolve(RECORD_DIR)).catch(() => undefined);
}
