/**
 * Records of completed tasks for `skip-unchanged`, and where they are trusted
 * from:
 *
 * - the Actions cache (src/skip-unchanged/actions-cache-store.ts) holds the
 *   record: which task a fingerprint maps to, and the SHA-256 of each result
 *   file as that run downloaded it. GitHub scopes it by branch, so it is the
 *   only store a record is believed from;
 * - the runner's tool cache (`@actions/tool-cache`, under RUNNER_TOOL_CACHE)
 *   holds the downloaded result files on self-hosted runners. Every job on the
 *   runner can write there, so it is never asked which task to reuse, and a
 *   file from it is used only when its bytes match the Actions cache record.
 *
 * Neither store may fail the run: trouble warns once, through the `log` the
 * caller passes, and turns that store off.
 */
import { copyFile, link, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as toolCache from '@actions/tool-cache';
import { errorClause } from '../shared/errors';
import { fingerprintKey, sourceKeyPrefix, sourceRecordKey, type Fingerprint } from './fingerprint';
import { ActionsCacheStore } from './actions-cache-store';
import { hashFile } from '../delivery/file-hash';
import {
  MAX_RECORD_BYTES,
  TOOL_NAME,
  parseRecord,
  resultFileName,
  toolCacheVersion,
  type CacheHit,
  type StoreLog,
  type CachedResultFile,
  type ResultFileFacts,
  type ActionsCacheOutcome,
  type ResultRecord,
  type SaveOutcome,
  type ToolCacheOutcome,
} from './record';

export interface ResultCacheOptions {
  /** Where warnings and notes go (the run's reporter); nothing is printed otherwise. */
  log: StoreLog;
  /** Longest wait for one Actions cache call (default 5 s); past it the call is abandoned and the store turned off. */
  timeoutMs?: number;
  /** Copy result files into the tool cache (default: not on GitHub-hosted runners, whose machines do not outlive the job). */
  keepResultFiles?: boolean;
  /** The run's shared Actions cache store (src/skip-unchanged/shared-store.ts); a store of its own when not given. */
  actions?: ActionsCacheStore;
}

export class ResultCache {
  private readonly keepResultFiles: boolean;
  private readonly log: StoreLog;
  private readonly actions: ActionsCacheStore;
  private toolCacheOff = false;
  private warnedToolCache = false;

  constructor(options: ResultCacheOptions) {
    this.keepResultFiles = options.keepResultFiles ?? process.env.RUNNER_ENVIRONMENT !== 'github-hosted';
    this.log = options.log;
    this.actions = options.actions ?? new ActionsCacheStore(options.log, options.timeoutMs);
  }

  /**
   * True when an Actions cache call was abandoned at its time limit and may
   * still hold a socket open: the step should end with process.exit() once
   * its outputs are written, or it waits for that call.
   */
  get abandoned(): boolean {
    return this.actions.abandoned;
  }

  /**
   * The record of an earlier completed task with this fingerprint, from the
   * Actions cache; with it, where the tool cache may hold its result files
   * (checked against the record's digests when they are copied).
   */
  async lookup(fingerprint: Fingerprint): Promise<CacheHit | undefined> {
    const key = fingerprintKey(fingerprint);
    const record = await this.actions.lookup(key, fingerprint);
    if (!record) return undefined;
    return { record, files: this.toolCacheFiles(key, record) };
  }

  /**
   * The newest record kept for this source URL (saved with the host's strong
   * ETag), from the Actions cache. It says which bytes the URL held then; only
   * the host's 304 to that ETag proves it still does.
   */
  async lookupSource(url: string, expected: Omit<Fingerprint, 'sourceSha256'>): Promise<CacheHit | undefined> {
    const record = await this.actions.lookup(sourceKeyPrefix(url, expected.model, expected.upscaleFactor), expected, 'prefix');
    if (!record) return undefined;
    return { record, files: this.toolCacheFiles(fingerprintKey(record), record) };
  }

  /**
   * Saves a record under its source URL too (the record must hold a strong
   * ETag): as a new entry, so the newest one under the URL is always this
   * one. Used when a reused task's source came with an ETag the URL's last
   * record did not have.
   */
  async saveSource(record: ResultRecord, url: string): Promise<ActionsCacheOutcome> {
    const problem = this.unsaveable(record);
    if (problem || !record.sourceEtag) {
      this.log.warning(`skip-unchanged: the record of task ${record.taskId} was not saved for its URL: ${problem ?? 'it holds no ETag'}.`);
      return 'failed';
    }
    const prefix = sourceKeyPrefix(url, record.model, record.upscaleFactor);
    return this.actions.save(record, sourceRecordKey(prefix), prefix);
  }

  /** Why a record must not be saved: it would not pass the check every lookup makes, or is too large. */
  private unsaveable(record: ResultRecord): string | undefined {
    const text = JSON.stringify(record);
    const checked = parseRecord(text, record);
    return 'problem' in checked ? checked.problem : Buffer.byteLength(text) > MAX_RECORD_BYTES ? 'it is too large' : undefined;
  }

  /**
   * Saves a completed task's record; `resultFiles[i]` is the file this run
   * downloaded of `record.videoUrls[i]`. Their digests go into the Actions
   * cache record, the files themselves into the tool cache. With `sourceUrl`
   * and a strong ETag in the record, it is also saved under that URL, for a
   * later run to revalidate before reading any source byte.
   */
  async save(record: ResultRecord, resultFiles: readonly (string | undefined)[] = [], sourceUrl?: string): Promise<SaveOutcome> {
    let facts: ResultFileFacts[];
    try {
      facts = await resultFileFacts(record, resultFiles);
    } catch (error) {
      this.log.warning(`skip-unchanged: the record of task ${record.taskId} was not saved: its result files could not be read (${errorClause(error)}).`);
      return { toolCache: 'failed', actionsCache: 'failed' };
    }
    const full: ResultRecord = facts.length > 0 ? { ...record, resultFiles: facts } : record;
    // What is saved must pass the check every lookup makes, or it would only be refused later.
    const problem = this.unsaveable(full);
    if (problem) {
      this.log.warning(`skip-unchanged: the record of task ${record.taskId} was not saved: ${problem}.`);
      return { toolCache: 'failed', actionsCache: 'failed' };
    }
    const toolCacheOutcome = await this.saveToToolCache(full, resultFiles);
    const actionsCacheOutcome = await this.actions.save(full);
    if (!sourceUrl || !full.sourceEtag || (actionsCacheOutcome !== 'saved' && actionsCacheOutcome !== 'exists')) {
      return { toolCache: toolCacheOutcome, actionsCache: actionsCacheOutcome };
    }
    const prefix = sourceKeyPrefix(sourceUrl, full.model, full.upscaleFactor);
    const sourceOutcome = await this.actions.save(full, sourceRecordKey(prefix), prefix);
    return { toolCache: toolCacheOutcome, actionsCache: actionsCacheOutcome, sourceRecord: sourceOutcome };
  }

  private toolCacheReady(): boolean {
    if (this.toolCacheOff) return false;
    if (!process.env.RUNNER_TOOL_CACHE) {
      this.toolCacheOff = true;
      this.log.debug('skip-unchanged: RUNNER_TOOL_CACHE is not set, so result files are not kept on this runner.');
      return false;
    }
    return true;
  }

  private toolCacheTrouble(what: string, error: unknown): void {
    this.toolCacheOff = true;
    if (this.warnedToolCache) return;
    this.warnedToolCache = true;
    this.log.warning(`skip-unchanged: the runner's tool cache could not be ${what} (${errorClause(error)}); going on without it.`);
  }

  /** Where the tool cache would hold the record's result files; nothing is read here. */
  private toolCacheFiles(key: string, record: ResultRecord): CachedResultFile[] {
    if (!record.resultFiles?.length || !this.toolCacheReady()) return [];
    try {
      const dir = toolCache.find(TOOL_NAME, toolCacheVersion(key));
      if (!dir) return [];
      const root = process.env.RUNNER_TOOL_CACHE as string;
      return record.resultFiles.map((facts) => ({ ...facts, path: join(dir, resultFileName(facts.index)), root }));
    } catch (error) {
      this.toolCacheTrouble('read', error);
      return [];
    }
  }

  private async saveToToolCache(record: ResultRecord, resultFiles: readonly (string | undefined)[]): Promise<ToolCacheOutcome> {
    const kept = this.keepResultFiles ? [...resultFiles.entries()].filter(([index, file]) => file && index < record.videoUrls.length) : [];
    if (kept.length === 0) return 'skipped';
    if (!this.toolCacheReady()) return 'unavailable';
    const key = fingerprintKey(record);
    let staging: string | undefined;
    try {
      staging = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'reapi-result-'));
      for (const [index, file] of kept) {
        const target = join(staging, resultFileName(index));
        // A hard link costs nothing; cacheDir then makes the one real copy.
        await link(file as string, target).catch(() => copyFile(file as string, target));
      }
      await toolCache.cacheDir(staging, TOOL_NAME, toolCacheVersion(key));
      return 'saved';
    } catch (error) {
      this.toolCacheTrouble('written', error);
      return 'failed';
    } finally {
      if (staging) await rm(staging, { recursive: true, force: true });
    }
  }
}

/** The SHA-256 and size of each file this run downloaded, by index in the record's videoUrls. */
async function resultFileFacts(record: ResultRecord, resultFiles: readonly (string | undefined)[]): Promise<ResultFileFacts[]> {
  const facts: ResultFileFacts[] = [];
  for (const [index, file] of resultFiles.entries()) {
    if (file && index < record.videoUrls.length) facts.push({ index, ...(await hashFile(file)) });
  }
  return facts;
}
