/**
 * The Actions cache (`@actions/cache`) as a store of `skip-unchanged`
 * records: a small JSON record per fingerprint (the task, and the digests of
 * its result files), never the video (the repository's 10 GB quota would
 * evict everything else), looked up by exact key only. GitHub scopes it by
 * branch, which is why it is the store records are believed from.
 *
 * It may never fail the run or hold it up for more than a few seconds: every
 * call is raced against `timeoutMs`, the first trouble warns once (a warning
 * the library printed itself counts, told from the service's answers, never
 * by patching stdout) and turns the store off for the rest of the run.
 */
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { subscribe } from 'node:diagnostics_channel';
import * as actionsCache from '@actions/cache';
import { errorClause } from '../shared/errors';
import { fingerprintKey } from './fingerprint';
import {
  RECORD_DIR,
  actionsCachePath,
  isExactKey,
  readRecordFile,
  type ActionsCacheOutcome,
  type RecordExpectation,
  type StoreLog,
  type ResultRecord,
} from './record';

export const ACTIONS_CACHE_TIMEOUT_MS = 5_000;

/**
 * What the cache service answered during one library call, seen through
 * Node's own `http` diagnostics channels (the library's HTTP client is
 * `node:http`; ours is undici, so nothing of the run's own traffic shows up
 * here). The library returns the same value for a miss and a failure, and
 * prints its own warning for most failures; the service's answers tell which
 * happened without touching stdout. Calls run one at a time, so a request
 * started while one is watched is that call's.
 */
export interface ServiceAnswers {
  /** A request failed on the network, or the service answered 4xx/5xx (a 409 "exists" on create included). */
  failed: boolean;
  /** The last answer to CreateCacheEntry: its status (undefined: a network error), and whether it carried Retry-After. */
  create?: { status?: number; retryAfter: boolean };
}

const CREATE_ENTRY = /\.CacheService\/CreateCacheEntry$/;
let watching: ServiceAnswers | undefined;
const watched = new WeakMap<object, { answers: ServiceAnswers; create: boolean }>();
let subscribed = false;

interface ClientRequestLike {
  path?: string;
}
interface IncomingLike {
  statusCode?: number;
  headers?: Record<string, string | string[] | undefined>;
}

function onRequestStart(message: unknown): void {
  const request = (message as { request?: ClientRequestLike }).request;
  if (!watching || !request) return;
  watched.set(request, { answers: watching, create: CREATE_ENTRY.test((request.path ?? '').split('?')[0] as string) });
}

function onResponse(message: unknown): void {
  const { request, response } = message as { request?: ClientRequestLike; response?: IncomingLike };
  const seen = request && watched.get(request);
  if (!seen || !response) return;
  const status = response.statusCode ?? 0;
  if (status >= 400) seen.answers.failed = true;
  if (seen.create) seen.answers.create = { status, retryAfter: hasRetryAfter(response.headers?.['retry-after']) };
}

/** The library's rule: a Retry-After it can read as seconds gets its rate-limit warning. */
function hasRetryAfter(header: string | string[] | undefined): boolean {
  return typeof header === 'string' && Number.isFinite(Number.parseInt(header, 10));
}

function onRequestError(message: unknown): void {
  const request = (message as { request?: ClientRequestLike }).request;
  const seen = request && watched.get(request);
  if (!seen) return;
  seen.answers.failed = true;
  if (seen.create) seen.answers.create = { retryAfter: false };
}

/** Watches the library's HTTP requests until the returned function is called; it returns what was seen. */
function watchServiceAnswers(): () => ServiceAnswers {
  if (!subscribed) {
    subscribed = true;
    subscribe('http.client.request.start', onRequestStart);
    subscribe('http.client.response.finish', onResponse);
    subscribe('http.client.request.error', onRequestError);
  }
  const answers: ServiceAnswers = { failed: false };
  watching = answers;
  return () => {
    if (watching === answers) watching = undefined;
    return answers;
  };
}

/**
 * Whether @actions/cache printed a warning of its own for a save that
 * returned -1 and was not an existing key. It warns for every failure except
 * a CreateCacheEntry the service refused at the HTTP level (it logs those as
 * info: "another job may be creating this cache"); of those, only a 429 with
 * Retry-After gets its rate-limit warning.
 */
export function libraryWarnedOfSave(answers: ServiceAnswers): boolean {
  const create = answers.create;
  if (!create) return true;
  if (create.status !== undefined && create.status < 300) return true;
  return create.status === 429 && create.retryAfter;
}

const TIMED_OUT: unique symbol = Symbol('timed out');
type CallResult<T> = { value: T | typeof TIMED_OUT; answers: ServiceAnswers };

export class ActionsCacheStore {
  /** Set once the Actions cache failed to answer or refused: no more calls this run. */
  private actionsReadOff = false;
  private actionsWriteOff = false;
  private warnedActions = false;
  private abandonedCalls = 0;
  /** Calls run one at a time: they share the record directory and the library's output. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly log: StoreLog,
    private readonly timeoutMs = ACTIONS_CACHE_TIMEOUT_MS,
  ) {}

  /** True when a call was abandoned at its time limit and may still hold a socket open. */
  get abandoned(): boolean {
    return this.abandonedCalls > 0;
  }

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
    // The tool cache is no substitute: every job on the runner can write it, so it is never asked which task to reuse.
    const effect = this.actionsReadOff ? 'nothing is reused or remembered this run' : "this run's results are not remembered for later runs";
    this.warnActions(`skip-unchanged: ${reason}; ${effect}.`);
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
   * and what the cache service answered meanwhile.
   */
  private async call<T>(work: () => Promise<T>): Promise<CallResult<T>> {
    const run = async (): Promise<CallResult<T>> => {
      const stopWatch = watchServiceAnswers();
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
        return { value, answers: stopWatch() };
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

  /**
   * The record saved under `key`; with `match: 'prefix'`, the newest saved
   * under keys that start with it (a source's records: sourceKeyPrefix).
   */
  async lookup(key: string, fingerprint: RecordExpectation, match: 'exact' | 'prefix' = 'exact'): Promise<ResultRecord | undefined> {
    if (!this.actionsReady(false)) return undefined;
    const matches = (matchedKey: string | undefined) =>
      match === 'exact' ? isExactKey(matchedKey, key) : matchedKey !== undefined && matchedKey.toLowerCase().startsWith(key.toLowerCase());
    const relative = actionsCachePath(key);
    const local = resolve(relative);
    const where = `the Actions cache record for ${key}`;
    let outcome: CallResult<{ matchedKey: string | undefined; record?: ResultRecord }>;
    try {
      // The restored file is read inside the call, so its time limit covers it too.
      outcome = await this.call(async () => {
        await rm(local, { force: true });
        const matchedKey = await actionsCache.restoreCache([relative], key, [], { timeoutInMs: this.timeoutMs });
        if (!matches(matchedKey)) return { matchedKey };
        try {
          return { matchedKey, record: await readRecordFile(local, resolve(RECORD_DIR), fingerprint, where, this.log) };
        } catch (error) {
          this.log.info(`skip-unchanged: ${where} could not be read (${errorClause(error)}); ignored.`);
          return { matchedKey };
        }
      });
    } catch (error) {
      // Only a malformed key or path throws; the key is ours, so this is a bug worth seeing, not a reason to stop.
      this.actionsReadOff = true;
      this.warnActions(`skip-unchanged: the Actions cache lookup failed (${errorClause(error)}); going on without it.`);
      await removeRecordFile(local);
      return undefined;
    }
    try {
      if (outcome.value === TIMED_OUT) {
        this.timedOut('looking up', key);
        return undefined;
      }
      if (outcome.answers.failed && outcome.value.record === undefined) {
        // A failed restore, not a miss: the library has warned of it itself; a service that failed once is not asked again this run.
        this.warnedActions = true;
        this.actionsReadOff = true;
        return undefined;
      }
      const { matchedKey, record } = outcome.value;
      if (!matches(matchedKey) && matchedKey !== undefined) {
        this.log.info(`skip-unchanged: the Actions cache matched another key (${matchedKey.slice(0, 200)}); ignored.`);
      }
      return record;
    } finally {
      await removeRecordFile(local);
    }
  }

  /** Saves `record` under `key` (default: its fingerprint's), at the path of `pathKey` (a source's records share their prefix's). */
  async save(record: ResultRecord, key = fingerprintKey(record), pathKey = key): Promise<ActionsCacheOutcome> {
    if (!this.actionsReady(true)) return 'unavailable';
    const relative = actionsCachePath(pathKey);
    const local = resolve(relative);
    try {
      const saved = await this.call(async () => {
        await mkdir(resolve(RECORD_DIR), { recursive: true });
        await writeFile(local, JSON.stringify(record));
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
        if (libraryWarnedOfSave(saved.answers)) this.warnedActions = true;
        else this.warnActions(`skip-unchanged: the Actions cache did not take the record of task ${record.taskId} (${key}); a later run will not reuse it.`);
      }
      return saved.value;
    } catch (error) {
      this.actionsWriteOff = true;
      this.warnActions(`skip-unchanged: the record of task ${record.taskId} could not be saved to the Actions cache (${errorClause(error)}).`);
      return 'failed';
    } finally {
      await removeRecordFile(local);
    }
  }
}

/** Removes a record file and, when it is empty, its directory, so the workspace is left as it was. */
async function removeRecordFile(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => undefined);
  await rmdir(resolve(RECORD_DIR)).catch(() => undefined);
}
