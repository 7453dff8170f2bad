/**
 * `skip-unchanged`: a source whose bytes, factor and model match an earlier
 * completed task is not submitted again; that task is picked up instead.
 *
 * - before preflight: a source whose URL has a record with the host's strong
 *   ETag is revalidated with one conditional GET. A 304 proves its bytes are
 *   the recorded ones: the record's task is reused and preflight takes the
 *   source's facts from the record, so an unchanged source costs one request
 *   and no byte. A 200 carries the new bytes, hashed as they arrive;
 * - preflight: each other source that passed its checks is read in full and
 *   hashed (src/skip-unchanged/fingerprint.ts), and its fingerprint looked up
 *   (src/skip-unchanged/record-stores.ts);
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
import { CancelledError, CostGuardError, FingerprintError, NotStartedError, errorClause, errorText } from '../shared/errors';
import { RECORD_FORMAT_VERSION, type Fingerprint } from './fingerprint';
import type { Deadline } from '../inputs/parse';
import { normalStatus } from '../reapi/poller';
import type { Pool } from '../shared/pool';
import type { ResultCache } from './record-stores';
import type { SharedActionsCache } from './shared-store';
import { StoredFileError, copyVerifiedResult, recordedMedia, type CacheHit, type ResultRecord } from './record';
import { checkFallbackCost } from '../model/billing';
import { redact } from '../shared/redact';
import { quoted } from '../shared/text';
import { resultUrlProblem } from '../shared/validate';
import { fingerprintFailedWarning, reusedTaskGoneWarning, reusedTaskOverGuardMessage, reusingTaskInfo } from '../shared/wording';
import type { Log } from '../shared/log';
import { isUrlSource, readSource, sourceUnchanged, type SourceBounds } from './revalidate';
import { displayUrl } from '../shared/urls';

/** When a reused task completed, for people: "2026-11-20 08:30 UTC". */
export function reuseDate(completedAt: string): string {
  return `${completedAt.slice(0, 10)} ${completedAt.slice(11, 16)} UTC`;
}

/** A source whose bytes were shown to be a record's before preflight probed it: preflight takes its facts from the record. */
export interface KnownSource {
  record: ResultRecord;
  /** The host answered 304 to the recorded ETag (else its 200 body hashed the same). */
  notModified: boolean;
  /** Requests and body bytes it cost. */
  requests: number;
  bytes: number;
}

export class SkipUnchanged {
  private readonly fingerprints = new Map<number, Fingerprint & { etag?: string }>();
  private readonly hits = new Map<number, CacheHit>();
  private readonly known = new Map<number, KnownSource>();
  /** The ETag of each source URL's newest record (undefined: none), for clips revalidation looked up. */
  private readonly urlEtags = new Map<number, string | undefined>();
  /** Loaded on first use: @actions/cache and @actions/tool-cache stay out of the bundle that every run loads. */
  private cache?: ResultCache;
  /** The cost guard, once preflight passed it: a clip that falls back to submitting must stay within it. */
  private guard?: { max: number; committed: number };
  /** The run's signal and deadline, for the check that a source did not change before its record is saved. */
  private bounds?: SourceBounds;
  /** Reused clips whose source came with a strong ETag that their URL's newest record does not hold: saved under the URL after reuse. */
  private readonly learn = new Set<number>();

  constructor(
    private readonly log: Log,
    private readonly upscaleFactor: string,
    private readonly actionsCache?: SharedActionsCache, // the run's one Actions cache store, shared with re-runs
  ) {}

  private async store(): Promise<ResultCache> {
    if (!this.cache) {
      const { ResultCache } = await import('./record-stores');
      this.cache = new ResultCache({ log: this.log, actions: await this.actionsCache?.store() });
    }
    return this.cache;
  }

  /**
   * Before preflight: each source whose URL has a record with a strong ETag
   * is fetched once with If-None-Match. 304: its bytes are the recorded ones
   * (reused, facts from the record, not probed). 200: the body is hashed as it
   * arrives; the same SHA-256 is as good as a 304, another means it changed
   * (preflight probes it, and its new fingerprint is looked up). Trouble only
   * leaves the source to preflight and the usual fingerprint.
   */
  async revalidate(plans: readonly ClipPlan[], options: { signal: AbortSignal; pool: Pool; deadline: Deadline }, log: Log): Promise<void> {
    this.bounds = { signal: options.signal, deadline: options.deadline };
    const store = await this.store();
    const expected = { model: MODEL, upscaleFactor: this.upscaleFactor };
    await Promise.all(
      plans.map(async (plan) => {
        // Local files (video-file) would be hashed from disk at no request; only URLs are revalidated.
        if (!isUrlSource(plan) || options.signal.aborted || Date.now() >= options.deadline.at) return;
        // The store answers one lookup at a time; each source's GET starts as soon as its record is known.
        const found = await store.lookupSource(plan.source as string, expected);
        this.urlEtags.set(plan.index, found?.record.sourceEtag);
        const etag = found?.record.sourceEtag;
        if (!found || !etag) return;
        const answer = await options.pool.run(() => readSource(plan, this.bounds, etag));
        if (!answer) return;
        const { record } = found;
        const sha256 = answer.notModified ? record.sourceSha256 : answer.sha256;
        this.fingerprints.set(plan.index, { ...expected, sourceSha256: sha256, etag: answer.notModified ? etag : answer.etag });
        if (sha256 !== record.sourceSha256) {
          log.info(`skip-unchanged: ${displayUrl(plan.source as string)} changed since task ${record.taskId} (its host sent new bytes for the recorded ETag).`);
          return;
        }
        this.hits.set(plan.index, found);
        this.known.set(plan.index, { record, notModified: answer.notModified === true, requests: answer.requests, bytes: answer.bytes });
      }),
    );
  }

  /** Preflight's facts for a source revalidation showed unchanged, from its record; undefined for any other. */
  knownSource(index: number): KnownSource | undefined {
    return this.known.get(index);
  }

  /**
   * Preflight: hashes each source not fingerprinted yet (within the preflight
   * deadline) and looks up each fingerprint not found yet. A source that
   * cannot be hashed is warned about once and submitted as usual.
   */
  async find(
    plans: readonly ClipPlan[],
    options: { signal: AbortSignal; pool: Pool; deadline: Deadline },
    log: Log,
    label: (plan: ClipPlan) => string,
  ): Promise<void> {
    this.bounds = { signal: options.signal, deadline: options.deadline };
    await Promise.all(
      plans.map((plan) =>
        options.pool.run(async () => {
          if (this.fingerprints.has(plan.index)) return;
          try {
            const answer = await readSource(plan, this.bounds);
            if (answer) this.fingerprints.set(plan.index, { model: MODEL, upscaleFactor: this.upscaleFactor, sourceSha256: answer.sha256, etag: answer.etag });
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
      if (!fingerprint || this.hits.has(plan.index) || options.signal.aborted) continue;
      const hit = await (await this.store()).lookup(fingerprint);
      if (!hit) continue;
      this.hits.set(plan.index, hit);
      // Reused by its bytes: when they came with a strong ETag the URL's record lacks, remember it for the next run (see remember).
      if (fingerprint.etag && fingerprint.etag !== this.urlEtags.get(plan.index)) this.learn.add(plan.index);
    }
  }

  /** The earlier task this clip would reuse, if any. */
  reuse(index: number): ResultRecord | undefined {
    return this.hits.get(index)?.record;
  }

  /** True when an Actions cache call was abandoned at its time limit: the step must end with process.exit() once it has reported. */
  get abandoned(): boolean {
    return this.cache?.abandoned ?? false;
  }

  /**
   * After preflight passed the cost guard: `committed` billable seconds are to
   * be submitted, and a clip that falls back to submitting may add to them only
   * up to `max`.
   */
  limitFallbacks(max: number | undefined, committed: number | undefined): void {
    if (max !== undefined) this.guard = { max, committed: committed ?? 0 };
  }

  /**
   * Pipeline: the recorded task, fetched once for current result URLs, when
   * reApi answers with that very task, completed, with as many results as were
   * recorded. Anything else (gone, another task, an error answer, a malformed
   * one) means it is not reusable: undefined after one warning, and the clip
   * is submitted as usual within the cost guard, or refused (NotStartedError)
   * when that would exceed it.
   */
  async reusedTask(plan: ClipPlan, client: Pick<ReapiClient, 'getRecordedTask'>, log: Log): Promise<{ task: TaskEnvelope; extras: ClipExtras } | undefined> {
    const record = this.reuse(plan.index);
    if (!record) return undefined;
    const answer = await client.getRecordedTask(record.taskId);
    if ('unusable' in answer) return this.notReusable(plan, record, answer.unusable, log);
    const { task } = answer;
    const why = notTheRecordedTask(task, record);
    if (why) return this.notReusable(plan, record, why, log);
    log.info(reusingTaskInfo(record.taskId, reuseDate(record.completedAt)));
    return { task, extras: { reusedFrom: { completedAt: record.completedAt } } };
  }

  private notReusable(plan: ClipPlan, record: ResultRecord, why: string, log: Log): undefined {
    this.hits.delete(plan.index);
    if (this.guard) {
      try {
        this.guard.committed = checkFallbackCost({ url: plan.source as string, billableSeconds: plan.billableSeconds }, this.guard.committed, this.guard.max);
      } catch (error) {
        if (!(error instanceof CostGuardError)) throw error;
        throw new NotStartedError(reusedTaskOverGuardMessage(record.taskId, why, errorText(error)));
      }
    }
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
      if (error instanceof StoredFileError) {
        log.info(`The tool cache's copy of the result is ignored: ${error.message}; downloading it instead.`);
        return undefined;
      }
      log.info(`The tool cache's copy of the result could not be read (${errorClause(error)}); downloading it instead.`);
    }
    return undefined;
  }

  /**
   * After a task this run submitted completed (and was downloaded), and its
   * result was not found wrong: its record, once the source is shown not to
   * have changed since it was hashed. Never throws.
   */
  async remember(
    plan: ClipPlan,
    progress: { taskId?: string; videoUrls: readonly string[]; files: readonly DownloadedFile[] } & ClipExtras,
    log: Log = this.log,
  ): Promise<void> {
    const fingerprint = this.fingerprints.get(plan.index);
    if (!fingerprint || !progress.taskId || progress.videoUrls.length === 0) return;
    if (progress.reusedFrom) return this.learnEtag(plan, fingerprint.etag);
    const unchanged = await sourceUnchanged(plan, fingerprint, this.bounds);
    if (typeof unchanged === 'string') {
      log.info(
        `skip-unchanged: task ${progress.taskId} is not remembered: ${unchanged}, so it cannot be shown that reApi upscaled the bytes that were fingerprinted.`,
      );
      return;
    }
    const record: ResultRecord = {
      v: RECORD_FORMAT_VERSION,
      model: fingerprint.model,
      upscaleFactor: fingerprint.upscaleFactor as ResultRecord['upscaleFactor'],
      sourceSha256: fingerprint.sourceSha256,
      taskId: progress.taskId,
      videoUrls: [...progress.videoUrls],
      billableSeconds: plan.billableSeconds ?? null,
      completedAt: new Date().toISOString(),
      ...(unchanged.etag ? { sourceEtag: unchanged.etag } : {}),
      ...(plan.sourceMedia ? { sourceMedia: recordedMedia(plan.sourceMedia) } : {}),
    };
    const files = progress.videoUrls.map((url) => progress.files.find((file) => file.url === url)?.path);
    // Only a URL is revalidated on a later run; a workspace file is hashed on disk again, at no request.
    await (await this.store()).save(record, files, plan.file ? undefined : plan.source).catch(() => undefined);
  }

  /** A reused clip whose source came with a strong ETag its URL's record lacks: the record, with that ETag, saved under the URL. */
  private async learnEtag(plan: ClipPlan, etag: string | undefined): Promise<void> {
    const record = this.hits.get(plan.index)?.record;
    if (!record || !etag || !this.learn.has(plan.index)) return;
    const media = record.sourceMedia ?? (plan.sourceMedia && recordedMedia(plan.sourceMedia));
    const learnt: ResultRecord = { ...record, sourceEtag: etag, ...(media ? { sourceMedia: media } : {}) };
    await (await this.store()).saveSource(learnt, plan.source as string).catch(() => undefined);
  }
}

/** Why reApi's answer is not the recorded task as it was recorded, or undefined when it is. */
function notTheRecordedTask(task: TaskEnvelope, record: ResultRecord): string | undefined {
  if (task.id !== record.taskId) return `was answered with another task (${quoted(redact(task.id), 40)})`;
  if (task.model !== undefined && task.model !== MODEL) return `belongs to another model (${quoted(redact(task.model), 40)})`;
  const status = normalStatus(task.status);
  if (status !== 'completed') return `is ${status === 'failed' ? 'failed' : `no longer completed (${quoted(redact(status), 20)})`}`;
  const urls = task.output?.video_urls ?? [];
  if (urls.length === 0 || urls.some((url) => resultUrlProblem(url) !== undefined)) return 'has no usable output any more';
  if (urls.length !== record.videoUrls.length) return `has ${urls.length} results where ${record.videoUrls.length} were recorded`;
  return undefined;
}
