/**
 * Records of completed tasks for `skip-unchanged`, kept in two stores:
 *
 * - the runner's tool cache (`@actions/tool-cache`, under RUNNER_TOOL_CACHE):
 *   the record and, when given, the downloaded result files. It persists on
 *   self-hosted runners, and a hit there needs no network at all;
 * - the Actions cache (src/skip-unchanged/actions-cache-store.ts): the record only.
 *
 * Neither store may fail the run: trouble warns once, through the `log` the
 * caller passes, and turns that store off. What comes back from either store
 * is untrusted: it is checked field by field against the fingerprint.
 */
import { copyFile, link, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as toolCache from '@actions/tool-cache';
import { errorClause } from '../shared/errors';
import { fingerprintKey, type Fingerprint } from './fingerprint';
import { ActionsCacheStore } from './actions-cache-store';
import { hashFile } from '../delivery/file-hash';
import {
  RECORD_FILE,
  TOOL_NAME,
  parseRecord,
  readRecordFile,
  resultFileName,
  toolCacheVersion,
  withoutResultFiles,
  type CacheHit,
  type CachedResultFile,
  type ResultFileFacts,
  type ResultRecord,
  type SaveOutcome,
  type ToolCacheOutcome,
} from './record';
import type { StoreLog } from './record';

export interface ResultCacheOptions {
  /** Where warnings and notes go (the run's reporter); nothing is printed otherwise. */
  log: StoreLog;
  /** Longest wait for one Actions cache call (default 5 s); past it the call is abandoned and the store turned off. */
  timeoutMs?: number;
  /** Copy result files into the tool cache (default: not on GitHub-hosted runners, whose machines do not outlive the job). */
  keepResultFiles?: boolean;
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
    this.actions = new ActionsCacheStore(options.log, options.timeoutMs);
  }

  /**
   * True when an Actions cache call was abandoned at its time limit and may
   * still hold a socket open: the step should end with process.exit() once
   * its outputs are written, or it waits for that call.
   */
  get abandoned(): boolean {
    return this.actions.abandoned;
  }

  /** The record of an earlier completed task with this fingerprint: the tool cache first (no network), then the Actions cache. */
  async lookup(fingerprint: Fingerprint): Promise<CacheHit | undefined> {
    const key = fingerprintKey(fingerprint);
    const local = await this.lookupToolCache(key, fingerprint);
    if (local) return local;
    const record = await this.actions.lookup(key, fingerprint);
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
    const actionsCacheOutcome = await this.actions.save(record);
    return { toolCache: toolCacheOutcome, actionsCache: actionsCacheOutcome };
  }

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
    this.log.warning(`skip-unchanged: the runner's tool cache could not be ${what} (${errorClause(error)}); going on without it.`);
  }

  private async lookupToolCache(key: string, fingerprint: Fingerprint): Promise<CacheHit | undefined> {
    if (!this.toolCacheReady()) return undefined;
    try {
      const dir = toolCache.find(TOOL_NAME, toolCacheVersion(key));
      if (!dir) return undefined;
      const record = await readRecordFile(join(dir, RECORD_FILE), fingerprint, `the tool cache record for ${key}`, this.log);
      if (!record) return undefined;
      const files: CachedResultFile[] = [];
      for (const facts of record.resultFiles ?? []) {
        const path = join(dir, resultFileName(facts.index));
        const found = await stat(path).catch(() => undefined);
        if (found?.isFile() && found.size === facts.bytes) files.push({ ...facts, path });
      }
      return { record: record, store: 'tool-cache', files };
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
}
