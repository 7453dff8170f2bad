/**
 * The Actions cache (`@actions/cache`) as a store of `skip-unchanged`
 * records: a small JSON record per fingerprint (the task, and the digests of
 * its result files), never the video (the repository's 10 GB quota would
 * evict everything else), looked up by exact key only. GitHub scopes it by
 * branch, which is why it is the store records are believed from.
 *
 * It may never fail the run or hold it up for more than a few seconds: every
 * call is raced against `timeoutMs`, the first trouble warns once (a warning
 * the library printed itself counts) and turns the store off for the rest of
 * the run.
 */
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as actionsCache from '@actions/cache';
import { errorClause } from '../shared/errors';
import { fingerprintKey, type Fingerprint } from './fingerprint';
import { RECORD_DIR, actionsCachePath, isExactKey, readRecordFile, type ActionsCacheOutcome, type StoreLog, type ResultRecord } from './record';

export const ACTIONS_CACHE_TIMEOUT_MS = 5_000;

/**
 * The warnings @actions/cache prints itself (through @actions/core, on
 * stdout): `Failed to save/restore: …`, a refused reservation or finalize, the
 * rate-limit notice. Only these count: the run's own warnings go to the same
 * stdout, and another clip may print one while a cache call is under way.
 */
const LIBRARY_WARNING =
  /^::(warning|error)[^:]*::(Failed to (save|restore):|Cache reservation failed:|Unable to (reserve|finalize)|You've hit a rate limit|uploadCacheArchiveSDK:)/m;

/** Whether a piece of stdout holds a warning @actions/cache printed itself. */
export function isLibraryWarning(text: string): boolean {
  return LIBRARY_WARNING.test(text);
}

/**
 * Counts the warnings @actions/cache prints while one of our calls runs, so
 * that a failure the library already reported is not reported twice.
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
      if (isLibraryWarning(typeof chunk === 'string' ? chunk : String(chunk))) linesSeen++;
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

  async lookup(key: string, fingerprint: Fingerprint): Promise<ResultRecord | undefined> {
    if (!this.actionsReady(false)) return undefined;
    const relative = actionsCachePath(key);
    const local = resolve(relative);
    const where = `the Actions cache record for ${key}`;
    let outcome: CallResult<{ matchedKey: string | undefined; record?: ResultRecord }>;
    try {
      // The restored file is read inside the call, so its time limit covers it too.
      outcome = await this.call(async () => {
        await rm(local, { force: true });
        const matchedKey = await actionsCache.restoreCache([relative], key, [], { timeoutInMs: this.timeoutMs });
        if (!isExactKey(matchedKey, key)) return { matchedKey };
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
      if (outcome.libraryWarnings > 0) {
        // The library has said what went wrong; a service that failed once is not asked again this run.
        this.warnedActions = true;
        this.actionsReadOff = true;
        return undefined;
      }
      const { matchedKey, record } = outcome.value;
      if (!isExactKey(matchedKey, key) && matchedKey !== undefined) {
        this.log.info(`skip-unchanged: the Actions cache matched another key (${matchedKey.slice(0, 200)}); ignored.`);
      }
      return record;
    } finally {
      await removeRecordFile(local);
    }
  }

  async save(record: ResultRecord): Promise<ActionsCacheOutcome> {
    if (!this.actionsReady(true)) return 'unavailable';
    const key = fingerprintKey(record);
    const relative = actionsCachePath(key);
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
        if (saved.libraryWarnings > 0) this.warnedActions = true;
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
