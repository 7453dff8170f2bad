/**
 * `skip-unchanged`: a source whose bytes, factor and model match an earlier
 * completed task is not submitted again; that task is picked up instead.
 *
 * - preflight: each source that passed its checks is read in full and hashed
 *   (src/skip-unchanged/fingerprint.ts), and its fingerprint looked up (src/skip-unchanged/record-stores.ts);
 * - pipeline: a hit fetches the recorded task once (free) for current result
 *   URLs, and a tool-cache copy of the result stands in for the download;
 * - after a new task completes (and is downloaded), its record is saved.
 *
 * Nothing here may fail the run: trouble warns once and the clip is submitted
 * as it would have been without skip-unchanged.
 */
import { join, resolve } from 'node:path';
import { MODEL, type ReapiClient, type TaskEnvelope } from '../reapi/client';
import type { ClipExtras, ClipPlan } from '../model/clip';
import type { DownloadedFile } from '../delivery/download';
import { ApiError, CancelledError, FingerprintError, errorClause, errorText } from '../shared/errors';
import { HASH_TIMEOUT_MS, RECORD_FORMAT_VERSION, hashSource, type Fingerprint } from './fingerprint';
import type { Deadline } from '../inputs/parse';
import { normalStatus } from '../reapi/poller';
import type { Pool } from '../shared/pool';
import type { ResultCache } from './record-stores';
import { copyVerifiedResult, type CacheHit, type ResultRecord } from './record';
import { resultUrlProblem } from '../shared/validate';
import { fingerprintFailedWarning, reusedTaskGoneWarning, reusingTaskInfo } from '../shared/wording';
import type { Log } from '../shared/log';

/** When a reused task completed, for people: "2026-11-20 08:30 UTC". */
export function reuseDate(completedAt: string): string {
  return `${completedAt.slice(0, 10)} ${completedAt.slice(11, 16)} UTC`;
}

export class SkipUnchanged {
  private readonly fingerprints = new Map<number, Fingerprint>();
  private readonly hits = new Map<number, CacheHit>();
  /** Loaded on first use: @actions/cache and @actions/tool-cache stay out of the bundle that every run loads. */
  private cache?: ResultCache;

  constructor(
    private readonly log: Log,
    private readonly upscaleFactor: string,
  ) {}

  private async store(): Promise<ResultCache> {
    if (!this.cache) {
      const { ResultCache } = await import('./record-stores');
      this.cache = new ResultCache({ log: this.log });
    }
    return this.cache;
  }

  /**
   * Preflight: hashes each source (within the preflight deadline) and looks
   * its fingerprint up. A source that cannot be hashed is warned about once
   * and submitted as usual.
   */
  async find(
    plans: readonly ClipPlan[],
    options: { signal: AbortSignal; pool: Pool; deadline: Deadline },
    log: Log,
    label: (plan: ClipPlan) => string,
  ): Promise<void> {
    await Promise.all(
      plans.map((plan) =>
        options.pool.run(async () => {
          const left = options.deadline.at - Date.now();
          if (left <= 0 || options.signal.aborted) return;
          try {
            const { sha256 } = await hashSource(plan.source as string, { signal: options.signal, timeoutMs: Math.min(HASH_TIMEOUT_MS, left) });
            this.fingerprints.set(plan.index, { model: MODEL, upscaleFactor: this.upscaleFactor, sourceSha256: sha256 });
          } catch (error) {
            if (!(error instanceof FingerprintError)) throw error;
            log.warning(fingerprintFailedWarning(label(plan), errorText(error)));
          }
        }),
      ),
    );
    // One at a time: the Actions cache calls are serialised anyway, and a hit in the tool cache costs nothing.
    for (const plan of plans) {
      const fingerprint = this.fingerprints.get(plan.index);
      if (!fingerprint || options.signal.aborted) continue;
      const hit = await (await this.store()).lookup(fingerprint);
      if (hit) this.hits.set(plan.index, hit);
    }
  }

  /** The earlier task this clip would reuse, if any. */
  reuse(index: number): ResultRecord | undefined {
    return this.hits.get(index)?.record;
  }

  /**
   * Pipeline: the recorded task, fetched once for current result URLs, when it
   * can still be delivered; undefined (after one warning) when it cannot, and
   * the clip is then submitted as usual.
   */
  async reusedTask(plan: ClipPlan, client: Pick<ReapiClient, 'getTask'>, log: Log): Promise<{ task: TaskEnvelope; extras: ClipExtras } | undefined> {
    const record = this.reuse(plan.index);
    if (!record) return undefined;
    let task: TaskEnvelope;
    try {
      task = await client.getTask(record.taskId);
    } catch (error) {
      if (error instanceof CancelledError || !(error instanceof ApiError) || (error.status !== 404 && error.status !== 410)) throw error;
      return this.gone(plan, record, 'can no longer be fetched (HTTP 404)', log);
    }
    const status = normalStatus(task.status);
    const urls = task.output?.video_urls ?? [];
    if (status !== 'completed') return this.gone(plan, record, `is ${status === 'failed' ? 'failed' : `no longer completed (${status.slice(0, 20)})`}`, log);
    if (urls.length === 0 || urls.some((url) => resultUrlProblem(url) !== undefined)) return this.gone(plan, record, 'has no usable output any more', log);
    log.info(reusingTaskInfo(record.taskId, reuseDate(record.completedAt)));
    return { task, extras: { reusedFrom: { completedAt: record.completedAt } } };
  }

  private gone(plan: ClipPlan, record: ResultRecord, why: string, log: Log): undefined {
    this.hits.delete(plan.index);
    log.warning(reusedTaskGoneWarning(record.taskId, why));
    return undefined;
  }

  /** The tool cache's copy of result `index` of a reused clip, copied to `dir/name` once its SHA-256 checks out. */
  async cachedResult(plan: ClipPlan, index: number, url: string, dir: string, name: string, log: Log): Promise<DownloadedFile | undefined> {
    const file = this.hits.get(plan.index)?.files.find((candidate) => candidate.index === index);
    if (!file) return undefined;
    const path = resolve(join(dir, name));
    try {
      if (await copyVerifiedResult(file, path)) {
        log.info(`Copied the result from the runner's tool cache (SHA-256 checked), not downloaded.`);
        return { url, path, name, bytes: file.bytes };
      }
      log.info(`The tool cache's copy of the result does not match its record; downloading it instead.`);
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      log.info(`The tool cache's copy of the result could not be read (${errorClause(error)}); downloading it instead.`);
    }
    return undefined;
  }

  /** After a task this run submitted completed (and was downloaded): its record, to both stores. Never throws. */
  async remember(plan: ClipPlan, progress: { taskId?: string; videoUrls: readonly string[]; files: readonly DownloadedFile[] } & ClipExtras): Promise<void> {
    const fingerprint = this.fingerprints.get(plan.index);
    if (!fingerprint || !progress.taskId || progress.reusedFrom || progress.videoUrls.length === 0) return;
    const record: ResultRecord = {
      v: RECORD_FORMAT_VERSION,
      model: fingerprint.model,
      upscaleFactor: fingerprint.upscaleFactor as ResultRecord['upscaleFactor'],
      sourceSha256: fingerprint.sourceSha256,
      taskId: progress.taskId,
      videoUrls: [...progress.videoUrls],
      billableSeconds: plan.billableSeconds ?? null,
      completedAt: new Date().toISOString(),
    };
    const files = progress.videoUrls.map((url) => progress.files.find((file) => file.url === url)?.path);
    await (await this.store()).save(record, files).catch(() => undefined);
  }
}
