/**
 * The run's one Actions cache (`@actions/cache`) store of small JSON records,
 * looked up by exact key only, never the video (the repository's 10 GB quota
 * would evict everything else). Two features keep records in it:
 * `skip-unchanged` (a completed task per source fingerprint; GitHub scopes the
 * cache by branch, which is why it is the store such records are believed
 * from) and re-runs (src/rerun/: the task each clip submitted, so a re-run of
 * the job resumes it). They share one store, so cache trouble warns once.
 *
 * It may never fail the run or hold it up for more than a few seconds: every
 * call is raced against `timeoutMs`, the first trouble warns once (a warning
 * the library printed itself counts, told from the service's answers, never
 * by patching stdout) and turns the store off for the rest of the run.
 */
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as actionsCache from '@actions/cache';
import { errorClause } from '../shared/errors';
import { fingerprintKey } from './fingerprint';
import { libraryWarnedOfSave, watchServiceAnswers, type ServiceAnswers } from './cache-service-answers';
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

/** Which feature a call is for: its warnings start with `label`, and say what is lost when the cache cannot be read or written. */
export interface CachePurpose {
  readonly label: string;
  /** When nothing can be read (nor written). */
  readonly readsOff: string;
  /** When records cannot be written. */
  readonly writesOff: string;
  /** What a record the cache did not take means. */
  readonly lost: string;
}

export const SKIP_UNCHANGED_PURPOSE: CachePurpose = {
  label: 'skip-unchanged',
  readsOff: 'nothing is reused or remembered this run',
  writesOff: "this run's results are not remembered for later runs",
  lost: 'a later run will not reuse it',
};

const TIMED_OUT: unique symbol = Symbol('timed out');
/** The store was turned off while the call waited its turn: it was not made. */
const OFF: unique symbol = Symbol('store off');
type CallResult<T> = { value: T | typeof TIMED_OUT | typeof OFF; answers: ServiceAnswers };

export class ActionsCacheStore {
  /** Set once the Actions cache failed to answer or refused: no more calls this run. */
  private actionsReadOff = false;
  private actionsWriteOff = false;
  private warnedActions = false;
  private abandonedCalls = 0;
  /** Calls run one at a time: they share the record directory, and the service's answers are told apart by call. */
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
  private actionsReady(write: boolean, purpose: CachePurpose): boolean {
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
    this.warnActions(`${purpose.label}: ${reason}; ${this.actionsReadOff ? purpose.readsOff : purpose.writesOff}.`);
    return false;
  }

  private warnActions(message: string): void {
    if (this.warnedActions) return;
    this.warnedActions = true;
    this.log.warning(message);
  }

  /**
   * Runs one Actions cache call, one at a time, for at most `timeoutMs` from
   * its turn. Returns TIMED_OUT past it (the call is left to finish or hang on
   * its own), OFF when the store was turned off while it waited, and what the
   * cache service answered meanwhile.
   */
  private async call<T>(write: boolean, work: (answers: ServiceAnswers) => Promise<T>): Promise<CallResult<T>> {
    const run = async (): Promise<CallResult<T>> => {
      if (this.actionsReadOff || (write && this.actionsWriteOff)) return { value: OFF, answers: { failed: false, otherFailed: false } };
      const stopWatch = watchServiceAnswers();
      let timer: NodeJS.Timeout | undefined;
      const pending = work(stopWatch.answers);
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

  private timedOut(what: string, key: string, purpose: CachePurpose): void {
    this.actionsReadOff = true;
    this.actionsWriteOff = true;
    this.warnActions(
      `${purpose.label}: the Actions cache did not answer within ${Math.round(this.timeoutMs / 1000)} s while ${what} ${key}; going on without it for the rest of this run.`,
    );
  }

  /**
   * The record saved under exactly `key` (or under a key `matches` accepts),
   * as `read` takes it from the restored file (inside the call's time limit),
   * or undefined: a miss, a record `read` refuses, or cache trouble (warned
   * once, and the store is off).
   */
  async restore<T>(
    key: string,
    purpose: CachePurpose,
    read: (path: string) => Promise<T | undefined>,
    matches: (matchedKey: string | undefined) => boolean = (matchedKey) => isExactKey(matchedKey, key),
  ): Promise<T | undefined> {
    if (!this.actionsReady(false, purpose)) return undefined;
    const relative = actionsCachePath(key);
    const local = resolve(relative);
    let outcome: CallResult<{ matchedKey: string | undefined; record?: T }>;
    try {
      outcome = await this.call(false, async () => {
        // Cleaned up inside the call, while it still has its turn: the next call may be about to write in the same directory.
        try {
          await rm(local, { force: true });
          const matchedKey = await actionsCache.restoreCache([relative], key, [], { timeoutInMs: this.timeoutMs });
          return { matchedKey, record: matches(matchedKey) ? await read(local) : undefined };
        } finally {
          await removeRecordFile(local);
        }
      });
    } catch (error) {
      // Only a malformed key or path throws; the key is ours, so this is a bug worth seeing, not a reason to stop.
      this.actionsReadOff = true;
      this.warnActions(`${purpose.label}: the Actions cache lookup failed (${errorClause(error)}); going on without it.`);
      return undefined;
    }
    if (outcome.value === OFF) return undefined;
    if (outcome.value === TIMED_OUT) {
      this.timedOut('looking up', key, purpose);
      await removeRecordFile(local); // the abandoned call may never get to it; the store is off, so no call follows
      return undefined;
    }
    const { matchedKey, record } = outcome.value;
    if (outcome.answers.failed && matchedKey === undefined) {
      // A failed restore, not a miss: the library has warned of it itself; a service that failed once is not asked again this run.
      this.warnedActions = true;
      this.actionsReadOff = true;
      return undefined;
    }
    if (!matches(matchedKey) && matchedKey !== undefined) {
      this.log.info(`${purpose.label}: the Actions cache matched another key (${matchedKey.slice(0, 200)}); ignored.`);
    }
    return record;
  }

  /**
   * Saves `text` under `key` (immutable: an existing key is 'exists'), at the
   * path of `pathKey` (records found by a shared key prefix share its path);
   * `what` names the record in warnings.
   */
  async saveText(key: string, text: string, purpose: CachePurpose, what: string, pathKey = key): Promise<ActionsCacheOutcome> {
    if (!this.actionsReady(true, purpose)) return 'unavailable';
    const relative = actionsCachePath(pathKey);
    const local = resolve(relative);
    try {
      const saved = await this.call(true, async (answers) => {
        try {
          await mkdir(resolve(RECORD_DIR), { recursive: true });
          await writeFile(local, text);
          const id = await actionsCache.saveCache([relative], key);
          if (id !== -1) return 'saved' as const;
          // The service did not answer at all: asking it whether the key exists would only fail (and warn) again.
          if (answers.create && answers.create.status === undefined) return 'failed' as const;
          // -1 is both "the key exists" (entries are immutable: fine) and a refusal the library may only have logged as info.
          const existing = await actionsCache.restoreCache([relative], key, [], { lookupOnly: true });
          return isExactKey(existing, key) ? ('exists' as const) : ('failed' as const);
        } finally {
          // Inside the call (see restore): a cleanup after our turn could remove the directory the next save just made.
          await removeRecordFile(local);
        }
      });
      if (saved.value === OFF) return 'unavailable';
      if (saved.value === TIMED_OUT) {
        this.timedOut('saving', key, purpose);
        await removeRecordFile(local); // as in restore
        return 'timed-out';
      }
      if (saved.value === 'failed') {
        this.actionsWriteOff = true;
        if (libraryWarnedOfSave(saved.answers)) this.warnedActions = true;
        else this.warnActions(`${purpose.label}: the Actions cache did not take ${what} (${key}); ${purpose.lost}.`);
      }
      return saved.value;
    } catch (error) {
      this.actionsWriteOff = true;
      this.warnActions(`${purpose.label}: ${what} could not be saved to the Actions cache (${errorClause(error)}).`);
      return 'failed';
    }
  }

  /**
   * skip-unchanged: the record saved under `key`; with `match: 'prefix'`, the
   * newest saved under keys that start with it (a source's records: sourceKeyPrefix).
   */
  async lookup(key: string, fingerprint: RecordExpectation, match: 'exact' | 'prefix' = 'exact'): Promise<ResultRecord | undefined> {
    const matches = (matchedKey: string | undefined) =>
      match === 'exact' ? isExactKey(matchedKey, key) : matchedKey !== undefined && matchedKey.toLowerCase().startsWith(key.toLowerCase());
    const where = `the Actions cache record for ${key}`;
    const read = async (local: string) => {
      try {
        return await readRecordFile(local, resolve(RECORD_DIR), fingerprint, where, this.log);
      } catch (error) {
        this.log.info(`skip-unchanged: ${where} could not be read (${errorClause(error)}); ignored.`);
        return undefined;
      }
    };
    return this.restore(key, SKIP_UNCHANGED_PURPOSE, read, matches);
  }

  /** skip-unchanged: saves `record` under `key` (default: its fingerprint's), at the path of `pathKey` (a source's records share their prefix's). */
  async save(record: ResultRecord, key = fingerprintKey(record), pathKey = key): Promise<ActionsCacheOutcome> {
    return this.saveText(key, JSON.stringify(record), SKIP_UNCHANGED_PURPOSE, `the record of task ${record.taskId}`, pathKey);
  }
}

/** Removes a record file and, when it is empty, its directory, so the workspace is left as it was. */
async function removeRecordFile(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => undefined);
  await rmdir(resolve(RECORD_DIR)).catch(() => undefined);
}
