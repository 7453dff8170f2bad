/**
 * Re-runs resume, they don't resubmit: right after reApi takes a submission,
 * the task is recorded in the Actions cache (src/rerun/record.ts says how it
 * is keyed); a later attempt of the same workflow run looks each clip up
 * before submitting it and picks up the task: still processing, it waits for
 * it; completed, it uses it; failed (refunded), gone or unusable, it submits
 * again. The store is the run's one Actions cache store
 * (src/skip-unchanged/shared-store.ts): trouble warns once, adds at most its
 * 5 s bound per call, and never fails the run.
 */
import { resolve } from 'node:path';
import { RECORD_DIR, StoredFileError, readStoredFile } from '../skip-unchanged/record';
import type { Log } from '../shared/log';
import { MODEL, type ReapiClient, type TaskEnvelope } from '../reapi/client';
import { normalStatus } from '../reapi/poller';
import type { CachePurpose } from '../skip-unchanged/actions-cache-store';
import type { SharedActionsCache } from '../skip-unchanged/shared-store';
import type { ClipPlan } from '../model/clip';
import { rerunTaskFailedInfo, rerunTaskUnusableWarning } from '../shared/wording';
import type { ActionInputs } from '../inputs/parse';
import {
  MAX_RERUN_RECORD_BYTES,
  fileIdentity,
  parseRerunRecord,
  rerunKey,
  rerunRecord,
  runContext,
  urlIdentity,
  type ClipIdentity,
  type RerunRecord,
  type RunContext,
} from './record';

export const RERUNS_PURPOSE: CachePurpose = {
  label: 're-runs',
  readsOff: 'tasks of earlier attempts cannot be looked up, and a re-run of this job would submit its clips again',
  writesOff: 'a re-run of this job would submit its clips again',
  lost: 'a re-run of this job would submit it again',
};

/** A task an earlier attempt submitted, as reApi answers for it now: processing or completed. */
export interface EarlierTask {
  task: TaskEnvelope;
  /** The attempt that submitted it. */
  attempt: number;
}

/** resume-reruns: on GitHub Actions, each clip's task is recorded per attempt of the workflow run, and looked up on a re-run. */
export function resumingReruns(
  inputs: Pick<ActionInputs, 'resumeReruns' | 'upscaleFactor'>,
  log: Log,
  cache: SharedActionsCache,
  env: NodeJS.ProcessEnv = process.env,
): Reruns | undefined {
  const run = inputs.resumeReruns ? runContext(env) : undefined;
  if (!run) return undefined;
  // Loaded now, while the first clips submit: the first record is saved as soon as its task exists.
  void cache.store();
  return new Reruns(run, cache, inputs.upscaleFactor, log);
}

export class Reruns {
  private readonly saving = new Set<Promise<unknown>>();

  constructor(
    private readonly run: RunContext,
    private readonly cache: SharedActionsCache,
    private readonly upscaleFactor: string,
    private readonly log: Log,
  ) {}

  /** The clip as the keys see it; undefined for a clip with no source (a task-id to resume). */
  private identity(plan: ClipPlan): ClipIdentity | undefined {
    // A workspace file is its bytes: its staged copy's presigned URL differs on every attempt.
    const source = plan.file ? fileIdentity(plan.file.sha256, plan.file.path) : plan.source !== undefined ? urlIdentity(plan.source) : undefined;
    return source && { source, upscaleFactor: this.upscaleFactor, model: MODEL };
  }

  /** The newest record an earlier attempt saved for this clip: attempts N-1 down to 1, by exact key. */
  private async newestRecord(clip: ClipIdentity): Promise<RerunRecord | undefined> {
    const store = await this.cache.store();
    for (let attempt = this.run.attempt - 1; attempt >= 1; attempt--) {
      const key = rerunKey(this.run, clip, attempt);
      const record = await store.restore(key, RERUNS_PURPOSE, async (path) => {
        // Read as skip-unchanged reads its records: a regular file inside the store, capped (a planted FIFO or device is refused).
        const bytes = await readStoredFile(path, resolve(RECORD_DIR), MAX_RERUN_RECORD_BYTES).catch((error: unknown) =>
          error instanceof StoredFileError ? error.message : 'it could not be read',
        );
        const checked = typeof bytes === 'string' ? { problem: bytes } : parseRerunRecord(bytes.toString('utf8'), this.run, clip, attempt);
        if ('problem' in checked) this.log.info(`re-runs: the record under ${key} is not used: ${checked.problem}.`);
        return 'record' in checked ? checked.record : undefined;
      });
      if (record) return record;
    }
    return undefined;
  }

  /**
   * On attempt 2 and later: the task an earlier attempt submitted for this
   * clip, when it is still processing or completed. Undefined means submit:
   * no record, a failed task (reApi refunds it), or one that is gone or not
   * the recorded task (after one warning).
   */
  async earlierTask(plan: ClipPlan, client: Pick<ReapiClient, 'getRecordedTask'>, log: Log): Promise<EarlierTask | undefined> {
    const clip = this.identity(plan);
    if (this.run.attempt <= 1 || !clip) return undefined;
    const record = await this.newestRecord(clip);
    if (!record) return undefined;
    const answer = await client.getRecordedTask(record.taskId);
    if ('unusable' in answer) {
      log.warning(rerunTaskUnusableWarning(record.taskId, record.attempt, answer.unusable));
      return undefined;
    }
    const { task } = answer;
    if (task.id !== record.taskId || (task.model !== undefined && task.model !== record.model)) {
      log.warning(rerunTaskUnusableWarning(record.taskId, record.attempt, 'was answered as another task'));
      return undefined;
    }
    if (normalStatus(task.status) === 'failed') {
      log.info(rerunTaskFailedInfo(record.taskId, record.attempt));
      return undefined;
    }
    return { task, attempt: record.attempt };
  }

  /**
   * Right after reApi took a submission: records the task in the background,
   * so the wait for it starts at once; `settled()` waits for every record.
   */
  recordSubmission(plan: ClipPlan, taskId: string): void {
    const clip = this.identity(plan);
    if (!clip) return;
    const record = rerunRecord(this.run, clip, taskId);
    const saving = this.cache
      .store()
      .then((store) => store.saveText(rerunKey(this.run, clip, this.run.attempt), JSON.stringify(record), RERUNS_PURPOSE, `the record of task ${taskId}`))
      .catch((error: unknown) => this.log.debug(`re-runs: the record of task ${taskId} was not saved: ${String(error)}`));
    this.saving.add(saving);
    void saving.finally(() => this.saving.delete(saving));
  }

  /** Waits for the records being saved (each call is bounded by the store's time limit). */
  async settled(): Promise<void> {
    while (this.saving.size > 0) await Promise.all([...this.saving]);
  }
}
