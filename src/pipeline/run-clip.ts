/**
 * One clip's way through the run: (preflight already done) → submit, resume
 * or reuse → wait → download → verify → release upload. Each step returns what
 * it learnt; `runClip` alone keeps the clip's state and assembles its frozen
 * outcome. It touches nothing shared but the log, the pools and the name book.
 */
import type { ReapiClient, TaskEnvelope } from '../reapi/client';
import { settleClip, type ClipEvent, type ClipOutcome, type ClipPlan, type ClipSoFar, type ReleaseAssetLink } from '../model/clip';
import type { Log } from '../shared/log';
import { downloadFile, type DownloadedFile } from '../delivery/download';
import { checkTargets } from '../delivery/targets';
import { ActionError, CancelledError, NotStartedError } from '../shared/errors';
import { formatElapsed } from '../shared/format';
import type { ActionInputs } from '../inputs/parse';
import { normalStatus, type TaskPoller } from '../reapi/poller';
import type { Pool } from '../shared/pool';
import type { SkipUnchanged } from '../skip-unchanged/reuse';
import type { Reruns } from '../rerun/reruns';
import { clipBaseName, resultFileNames, type ResultNameBook } from '../delivery/naming';
import type { Timeline } from '../shared/timeline';
import { redact } from '../shared/redact';
import { uploadToRelease, type ReleaseTarget } from '../release/step';
import { quoted } from '../shared/text';
import { resultUrlProblem } from '../shared/validate';
import { verifyResults } from './verify-step';
import type { StagedObject, Staging } from './staging-step';
import type { StoredObject } from '../delivery/bucket-store';
import { objectUri } from '../inputs/bucket';
import { NOT_STARTED_IN_TIME, badResultUrlMessage, emptyOutputMessage, taskFailedMessage } from '../shared/wording';

/** What a clip tells the run as it goes (the Reporter turns each event into lines and outputs). */
export type TellClip = (event: ClipEvent) => void;

export interface PipelineContext {
  inputs: Pick<ActionInputs, 'upscaleFactor' | 'wait' | 'download' | 'downloadPath' | 'deadline' | 'verify' | 's3' | 'resultBucket'>;
  client: Pick<ReapiClient, 'submitUpscale' | 'getTask' | 'getRecordedTask'>;
  poller: Pick<TaskPoller, 'watch'>;
  signal: AbortSignal;
  /** Slots for submitting and waiting (shared with preflight), and for downloading. */
  slots: Pool;
  downloads: Pool;
  timeline: Timeline;
  /** Each clip's file name, unique in source order once its task id is known. */
  names: ResultNameBook;
  /** The release the results are uploaded to (release-tag), found before anything was paid for. */
  release?: ReleaseTarget;
  /** skip-unchanged: earlier tasks to reuse, and where completed tasks are remembered. */
  unchanged?: Pick<SkipUnchanged, 'reusedTask' | 'cachedResult' | 'remember'>;
  /** video-file: stages each workspace file in source-bucket, and deletes it once its task is done. */
  staging?: Pick<Staging, 'stage' | 'settle'>;
  /** resume-reruns: tasks earlier attempts of this workflow run submitted, and where this attempt's submissions are recorded. */
  reruns?: Pick<Reruns, 'earlierTask' | 'recordSubmission'>;
}

export async function runClip(plan: ClipPlan, ctx: PipelineContext, log: Log, tell: TellClip): Promise<ClipOutcome> {
  // The clip's state: only this function assigns it, from what each step returns.
  let clip: ClipSoFar = { stage: plan.resumeTaskId ? 'running' : 'queued', taskId: plan.resumeTaskId, videoUrls: [], files: [] };
  const settleName = (taskId?: string) => ctx.names.settle(plan.index, clipBaseName(plan, taskId, ctx.inputs.upscaleFactor));
  // A result verification found wrong, whatever the verify mode, is not remembered: a later run submits again instead of reusing it.
  let rightResult = true;
  // video-file: the object this clip's file was staged as, cleaned up when the clip settles.
  let staged: StagedObject | undefined;
  let failure: unknown;

  /** The completed task's results: saved, then checked (from disk when saved), then published. */
  const deliver = async (taskId: string): Promise<void> => {
    if (ctx.inputs.download) await download(plan, clip.videoUrls, ctx, log, tell, (file) => (clip = { ...clip, files: [...clip.files, file] }));
    // Before the release upload: under verify: fail a wrong result is not published.
    const verified = await verifyResults(plan, { taskId, videoUrls: clip.videoUrls, files: clip.files }, ctx, log);
    clip = { ...clip, media: verified?.media };
    if (verified?.wrong) rightResult = false;
    if (verified?.failure) throw verified.failure;
    // After verify: under verify: fail a wrong result is not stored.
    const onStored = (object: StoredObject) => {
      clip = { ...clip, bucketObjects: [...(clip.bucketObjects ?? []), object.uri] };
      tell({ type: 'stored', object: object.uri, bytes: object.bytes });
    };
    await storeInBucket(plan, clip, ctx, log, onStored);
    if (ctx.release) {
      const onAsset = (asset: ReleaseAssetLink) => (clip = { ...clip, releaseAssets: [...(clip.releaseAssets ?? []), asset] });
      await uploadToRelease(ctx.release, { taskId, files: clip.files }, log, ctx.timeline, onAsset);
    }
  };

  try {
    await ctx.slots.run(async () => {
      const started = await startTask(plan, ctx, log, tell, (object) => (staged = object));
      clip = { ...clip, stage: 'running', taskId: started.taskId, reusedFrom: started.reusedFrom, resumedFrom: started.resumedFrom };
      // Later clips may wait for this name to make theirs unique.
      settleName(started.taskId);
      tell({ type: 'task-started', taskId: started.taskId });
      const result = taskResult(await currentTask(started, ctx, log));
      if (result.stage === 'failed') {
        clip = { ...clip, stage: 'failed' };
        throw result.error;
      }
      clip = { ...clip, ...result };
      if (started.reusedFrom) return;
      const { taskId, at } = started;
      if (!ctx.inputs.wait) tell({ type: 'not-waiting', taskId, running: result.stage === 'running' });
      else tell({ type: 'task-completed', taskId, elapsedMs: Date.now() - at, videoUrls: clip.videoUrls });
    });
    if (clip.stage === 'completed') {
      const taskId = clip.taskId as string;
      try {
        // Downloading, checking and publishing share a download slot.
        await (ctx.inputs.download || ctx.inputs.resultBucket ? ctx.downloads.run(() => deliver(taskId)) : deliver(taskId));
      } finally {
        // A completed task is remembered even when its delivery failed (never throws, bounded in time); not while the step stops.
        if (rightResult && !ctx.signal.aborted) await ctx.unchanged?.remember(plan, clip);
      }
    }
    return settleClip(plan, clip);
  } catch (error) {
    failure = error;
    const outcome = settleClip(plan, clip, error);
    if (!(error instanceof ActionError) && error instanceof Error && error.stack) log.debug(error.stack);
    // A cancellation is one event for the whole run, told once by the step's failure.
    if (!(error instanceof CancelledError)) tell({ type: 'failed', message: outcome.message ?? '' });
    return outcome;
  } finally {
    // A clip that never got a task has no result; later clips need not wait for its name.
    settleName(clip.taskId);
    if (staged) await ctx.staging?.settle(staged, clip, failure, log, tell, ctx.signal.aborted);
  }
}

/** A task for the clip: resumed, reused from an earlier run (skip-unchanged), or submitted now. */
interface StartedTask {
  taskId: string;
  /** The task as its submission or reuse answered (not for a resumed task). */
  task?: TaskEnvelope;
  reusedFrom?: { completedAt: string };
  /** The attempt of this workflow run that submitted the task, when it is picked up from there. */
  resumedFrom?: { attempt: number };
  /** When the clip started, for the "completed in" line. */
  at: number;
}

async function startTask(plan: ClipPlan, ctx: PipelineContext, log: Log, tell: TellClip, onStaged: (object: StagedObject) => void): Promise<StartedTask> {
  const { inputs, client, signal } = ctx;
  if (signal.aborted) throw new CancelledError();
  const at = Date.now();
  if (plan.resumeTaskId) {
    tell({ type: 'resuming', taskId: plan.resumeTaskId });
    return { taskId: plan.resumeTaskId, at };
  }
  // A task of this workflow run comes first: it was paid for by an earlier attempt of this very step.
  const earlier = await ctx.reruns?.earlierTask(plan, client, log);
  if (earlier) {
    const { task, attempt } = earlier;
    tell({ type: 'resumed-rerun', taskId: task.id, attempt });
    return { taskId: task.id, task, resumedFrom: { attempt }, at };
  }
  const reused = await ctx.unchanged?.reusedTask(plan, client, log);
  if (reused) return { taskId: reused.task.id, task: reused.task, reusedFrom: reused.extras.reusedFrom, at };
  if (at >= inputs.deadline.at) throw new NotStartedError(NOT_STARTED_IN_TIME);
  const title = `Submitting ${plan.source as string} for ${inputs.upscaleFactor}× upscaling`;
  // A workspace file is submitted by the presigned URL of its staged copy, which is never printed.
  const source = plan.file ? (await stage(plan, ctx, log, tell, onStaged)).url : (plan.source as string);
  const task = await ctx.timeline.span('upscaling', () => log.group(title, () => client.submitUpscale(source, inputs.upscaleFactor)));
  tell({ type: 'submitted', taskId: task.id, status: task.status });
  // Recorded in the background while the wait starts, so a re-run of this job picks the task up instead of paying again.
  ctx.reruns?.recordSubmission(plan, task.id);
  return { taskId: task.id, task, at };
}

async function stage(plan: ClipPlan, ctx: PipelineContext, log: Log, tell: TellClip, onStaged: (object: StagedObject) => void): Promise<StagedObject> {
  if (!ctx.staging) throw new ActionError(`${plan.source as string} is a workspace file, but the run has no source-bucket to stage it in.`);
  const object = await ctx.staging.stage(plan, log, tell);
  onStaged(object);
  return object;
}

/** The task as it stands now: a reused one as fetched, else waited for (or, under wait: false, as it is). */
async function currentTask(started: StartedTask, ctx: PipelineContext, log: Log): Promise<TaskEnvelope> {
  const { inputs } = ctx;
  const { taskId, task } = started;
  if (started.reusedFrom && task) return task;
  if (!inputs.wait) return task ?? (await ctx.client.getTask(taskId));
  const title = `Waiting for task ${taskId} (timeout ${formatElapsed(inputs.deadline.timeoutMs)})`;
  return ctx.timeline.span('upscaling', () => log.group(title, () => ctx.poller.watch(taskId, task)));
}

/** How far a task's state takes the clip: still running, completed with its result URLs, or failed (a failed task, a bad or empty result). */
function taskResult(task: TaskEnvelope): { stage: 'running' } | { stage: 'completed'; videoUrls: readonly string[] } | { stage: 'failed'; error: ActionError } {
  const status = normalStatus(task.status);
  if (status === 'failed') return { stage: 'failed', error: new ActionError(taskFailedMessage(task)) };
  if (status !== 'completed') return { stage: 'running' };
  const urls = task.output?.video_urls ?? [];
  // Only absolute http(s) URLs are output or fetched (not javascript:, file:, relative, blank…); a bad one fails the clip, unretried.
  const bad = urls.findIndex((url) => resultUrlProblem(url) !== undefined);
  if (bad >= 0) {
    const url = urls[bad] as string;
    const which = urls.length > 1 ? ` ${bad + 1} of ${urls.length}` : '';
    return { stage: 'failed', error: new ActionError(badResultUrlMessage(task.id, quoted(redact(url)), resultUrlProblem(url) ?? '', which)) };
  }
  if (urls.length === 0) return { stage: 'failed', error: new ActionError(emptyOutputMessage(task.id)) };
  return { stage: 'completed', videoUrls: urls };
}

/** Downloads the clip's result(s) and returns the files; `onSaved` hears of each as soon as it is saved, so a later one that fails leaves the earlier reported. */
async function download(
  plan: ClipPlan,
  videoUrls: readonly string[],
  ctx: PipelineContext,
  log: Log,
  tell: TellClip,
  onSaved: (file: DownloadedFile) => void,
): Promise<DownloadedFile[]> {
  const { inputs, signal } = ctx;
  if (signal.aborted) throw new CancelledError();
  const names = resultFileNames(await ctx.names.finalBase(plan.index, signal), videoUrls.length);
  const existing = await checkTargets(inputs.downloadPath, names);
  const count = names.length > 1 ? `${names.length} results` : 'the result';
  const options = { signal, log };
  const files: DownloadedFile[] = [];
  await ctx.timeline.span('download', () =>
    log.group(`Downloading ${count} to ${inputs.downloadPath}`, async () => {
      for (const [index, url] of videoUrls.entries()) {
        const name = names[index] as string;
        const cached = await ctx.unchanged?.cachedResult(plan, index, url, inputs.downloadPath, name, log);
        const file = cached ?? (await downloadFile(url, inputs.downloadPath, name, options));
        files.push(file);
        onSaved(file);
        tell({ type: 'saved', file, replaced: existing.has(file.name) });
      }
    }),
  );
  return files;
}

/** result-bucket: the clip's results stored under the names downloads use; `onStored` hears of each as soon as it is there. */
async function storeInBucket(plan: ClipPlan, clip: ClipSoFar, ctx: PipelineContext, log: Log, onStored: (object: StoredObject) => void): Promise<void> {
  const { s3, resultBucket } = ctx.inputs;
  if (!s3 || !resultBucket) return;
  if (ctx.signal.aborted) throw new CancelledError();
  const names = resultFileNames(await ctx.names.finalBase(plan.index, ctx.signal), clip.videoUrls.length);
  // Loaded only with result-bucket: the S3 client would slow every start.
  const { storeResults } = await import('../delivery/bucket-store');
  const count = names.length > 1 ? `${names.length} results` : 'the result';
  await ctx.timeline.span('bucket upload', () =>
    log.group(`Storing ${count} in ${objectUri(resultBucket.bucket, resultBucket.prefix)}`, () =>
      storeResults(s3, resultBucket, { videoUrls: clip.videoUrls, files: clip.files, names }, { signal: ctx.signal, log, onStored }),
    ),
  );
}
