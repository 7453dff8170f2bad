/**
 * One clip's way through the run: (preflight already done) → submit or resume
 * → wait → deliver. It returns an immutable outcome and touches nothing shared
 * but the log and the pools.
 */
import type { ReapiClient, TaskEnvelope } from '../reapi/client';
import { settleClip, type ClipOutcome, type ClipPlan, type ClipProgress } from '../model/clip';
import { downloadFile } from '../delivery/download';
import { checkTargets, replacedWarning } from '../delivery/targets';
import { ActionError, CancelledError, NotStartedError, VerifyError } from '../shared/errors';
import { formatBytes, formatElapsed } from '../shared/format';
import type { ActionInputs } from '../inputs/parse';
import { normalStatus, type TaskPoller } from '../reapi/poller';
import type { Pool } from '../shared/pool';
import type { SkipUnchanged } from '../skip-unchanged/reuse';
import { clipBaseName, resultFileNames, type ResultNameBook } from '../delivery/naming';
import type { Timeline } from '../shared/timeline';
import { redact } from '../shared/redact';
import { uploadToRelease, type ReleaseTarget } from '../release/step';
import { quoted } from '../shared/text';
import { resultUrlProblem } from '../shared/validate';
import { verifyClip } from './verify-step';
import { NOT_STARTED_IN_TIME, badResultUrlMessage, emptyOutputMessage, resumeHint, taskFailedMessage } from '../shared/wording';

/** Where one clip's log lines go; the reporter decides how they are laid out. */
export interface ClipLog {
  info(message: string): void;
  debug(message: string): void;
  /** Something the user should know that does not stop the clip. */
  warning(message: string): void;
  /** One step of the clip (submitting, waiting, downloading). */
  phase<T>(title: string, work: () => Promise<T>): Promise<T>;
  /** The task exists (submitted or resumed): its id can be handed on at once. */
  taskStarted(taskId: string): void;
  /** The clip did not complete, for a reason other than the step being cancelled. */
  failed(message: string): void;
}

export interface PipelineContext {
  inputs: Pick<ActionInputs, 'upscaleFactor' | 'wait' | 'download' | 'downloadPath' | 'deadline' | 'verify'>;
  client: Pick<ReapiClient, 'submitUpscale' | 'getTask'>;
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
}

export async function runClip(plan: ClipPlan, ctx: PipelineContext, log: ClipLog): Promise<ClipOutcome> {
  const progress: ClipProgress = { stage: plan.resumeTaskId ? 'running' : 'queued', taskId: plan.resumeTaskId, videoUrls: [], files: [] };
  try {
    await ctx.slots.run(() => upscale(plan, progress, ctx, log));
    let rightResult = true;
    try {
      if (progress.stage === 'completed' && ctx.inputs.download) await ctx.downloads.run(() => deliver(plan, progress, ctx, log));
      // A downloaded result is checked in deliver(), from disk; any other right after completion.
      if (!ctx.inputs.download) await verifyClip(plan, progress, ctx, log);
    } catch (error) {
      // A result that failed verification is not remembered, so a later run submits again instead of reusing it.
      if (error instanceof VerifyError) rightResult = false;
      throw error;
    } finally {
      // A completed task is remembered even when its delivery failed (never throws, bounded in time); not while the step stops.
      if (rightResult && progress.stage === 'completed' && !ctx.signal.aborted) await ctx.unchanged?.remember(plan, progress);
    }
    return settleClip(plan, progress);
  } catch (error) {
    const outcome = settleClip(plan, progress, error);
    if (!(error instanceof ActionError) && error instanceof Error && error.stack) log.debug(error.stack);
    // A cancellation is one event for the whole run, told once by the step's failure.
    if (!(error instanceof CancelledError)) log.failed(outcome.message ?? '');
    return outcome;
  } finally {
    // A clip that never got a task has no result; later clips need not wait for its name.
    ctx.names.settle(plan.index, clipBaseName(plan, progress.taskId, ctx.inputs.upscaleFactor));
  }
}

async function upscale(plan: ClipPlan, progress: ClipProgress, ctx: PipelineContext, log: ClipLog): Promise<void> {
  const { inputs, client, signal } = ctx;
  if (signal.aborted) throw new CancelledError('Cancelled.');
  const started = Date.now();
  let task: TaskEnvelope | undefined;
  if (plan.resumeTaskId) {
    log.info(`Resuming task ${plan.resumeTaskId} (no new submission, nothing billed again).`);
  } else {
    const reused = await ctx.unchanged?.reusedTask(plan, client, log);
    if (reused) {
      Object.assign(progress, reused.extras, { taskId: reused.task.id });
      ctx.names.settle(plan.index, clipBaseName(plan, reused.task.id, inputs.upscaleFactor));
      log.taskStarted(reused.task.id);
      applyTask(progress, reused.task);
      return;
    }
    if (started >= inputs.deadline.at) throw new NotStartedError(NOT_STARTED_IN_TIME);
    const source = plan.source as string;
    const title = `Submitting ${source} for ${inputs.upscaleFactor}× upscaling`;
    task = await ctx.timeline.span('upscaling', () => log.phase(title, () => client.submitUpscale(source, inputs.upscaleFactor)));
    progress.taskId = task.id;
    progress.stage = 'running';
    ctx.names.settle(plan.index, clipBaseName(plan, task.id, inputs.upscaleFactor));
    log.info(`Task ${task.id} created (status: ${task.status}).`);
  }
  const taskId = progress.taskId as string;
  log.taskStarted(taskId);

  if (!inputs.wait) {
    applyTask(progress, task ?? (await client.getTask(taskId)));
    log.info(`wait is false: not waiting. ${progress.stage === 'running' ? resumeHint(taskId) : ''}`.trim());
    return;
  }
  const initial = task;
  const title = `Waiting for task ${taskId} (timeout ${formatElapsed(inputs.deadline.timeoutMs)})`;
  applyTask(progress, await ctx.timeline.span('upscaling', () => log.phase(title, () => ctx.poller.watch(taskId, initial))));
  log.info(`Task ${taskId} completed in ${formatElapsed(Date.now() - started)}: ${progress.videoUrls.join(', ')}`);
}

/** Takes a task's current state into the clip's progress; a failed task or an empty result is an error. */
function applyTask(progress: ClipProgress, task: TaskEnvelope): void {
  const status = normalStatus(task.status);
  if (status === 'failed') {
    progress.stage = 'failed';
    throw new ActionError(taskFailedMessage(task));
  }
  if (status !== 'completed') return;
  const urls = task.output?.video_urls ?? [];
  // Only absolute http(s) URLs are output or fetched (not javascript:, file:, relative, blank…); a bad one fails the clip, unretried.
  const bad = urls.findIndex((url) => resultUrlProblem(url) !== undefined);
  if (bad >= 0) {
    progress.stage = 'failed';
    const url = urls[bad] as string;
    throw new ActionError(
      badResultUrlMessage(task.id, quoted(redact(url)), resultUrlProblem(url) ?? '', urls.length > 1 ? ` ${bad + 1} of ${urls.length}` : ''),
    );
  }
  if (urls.length === 0) {
    progress.stage = 'failed';
    throw new ActionError(emptyOutputMessage(task.id));
  }
  progress.stage = 'completed';
  progress.videoUrls = urls;
}

/** Downloads the clip's result(s); each file is listed as soon as it is saved, so a later one that fails leaves the earlier reported. */
async function deliver(plan: ClipPlan, progress: ClipProgress, ctx: PipelineContext, log: ClipLog): Promise<void> {
  const { inputs, signal } = ctx;
  if (signal.aborted) throw new CancelledError('Cancelled.');
  const names = resultFileNames(await ctx.names.finalBase(plan.index, signal), progress.videoUrls.length);
  const existing = await checkTargets(inputs.downloadPath, names);
  const count = names.length > 1 ? `${names.length} results` : 'the result';
  const options = { signal, log: (m: string) => log.info(m), debug: (m: string) => log.debug(m), warn: (m: string) => log.warning(m) };
  await ctx.timeline.span('download', () =>
    log.phase(`Downloading ${count} to ${inputs.downloadPath}`, async () => {
      for (const [index, url] of progress.videoUrls.entries()) {
        const name = names[index] as string;
        const cached = await ctx.unchanged?.cachedResult(plan, index, url, inputs.downloadPath, name, log);
        const file = cached ?? (await downloadFile(url, inputs.downloadPath, name, options));
        progress.files.push(file);
        log.info(`Saved ${file.path} (${formatBytes(file.bytes)}).`);
        if (existing.has(file.name)) log.warning(replacedWarning(file.path));
      }
    }),
  );
  // Read from the saved file (no request), and before the release upload: under verify: fail a wrong result is not published.
  await verifyClip(plan, progress, ctx, log);
  if (ctx.release) await uploadToRelease(ctx.release, progress, log, ctx.timeline);
}
