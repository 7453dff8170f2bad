/**
 * One clip of a run (a source to submit, or a task to resume): what the run is
 * asked to do with it (ClipPlan, fixed before any clip runs) and what became of
 * it (ClipOutcome, returned once by the pipeline and never changed).
 */
import type { DownloadedFile } from '../delivery/download';
import { CancelledError, NotStartedError, VerifyError, errorText } from '../shared/errors';
import type { VideoTrackFacts } from '../media/container';
import {
  CANCELLED_BEFORE_SUBMITTING,
  cancelledWhileDelivering,
  cancelledWhileWaiting,
  closeSentence,
  failureText,
  partlySaved,
  redeliverHint,
  withTaskHint,
} from '../shared/wording';

/**
 * Where a clip ended. `skipped`: never submitted (preflight or the cost guard
 * refused the run, the timeout ran out before its turn, or the step was
 * cancelled first); `dry-run`: checked, not submitted on purpose.
 */
export type ClipStatus = 'processing' | 'completed' | 'failed' | 'skipped' | 'dry-run';

export interface ClipPlan {
  /** Position in the input, from 0. */
  readonly index: number;
  /** Source URL; undefined for a resumed task whose source was not named. */
  readonly source?: string;
  /** The task to resume; undefined when this run submits the source. */
  readonly resumeTaskId?: string;
  /** `ceil(duration)` from preflight, when it was read. */
  readonly billableSeconds?: number;
  /** The source's duration and video track as preflight read them (for the verify step), where the container said. */
  readonly sourceMedia?: SourceMedia;
}

/** What preflight read of a source's container. */
export interface SourceMedia {
  readonly durationSeconds?: number;
  readonly video?: VideoTrackFacts;
}

/** What the run learnt about a clip beyond its task: filled by the optional steps (reuse, verify, release). */
export interface ClipExtras {
  /** Set when an earlier task was reused (skip-unchanged) instead of submitting: when that task completed. */
  reusedFrom?: { completedAt: string };
  /** The result's release asset, when release-tag is set: the first result's, when a task has several. */
  releaseAssetUrl?: string;
  /** Every result's release asset, in the order of the results. */
  releaseAssets?: readonly ReleaseAssetLink[];
  /** Width, height and duration of the source and the first result, where the containers said. */
  media?: MediaSummary;
}

/** One result as an asset of the release. */
export interface ReleaseAssetLink {
  name: string;
  /** Its browser_download_url. */
  url: string;
  /** The release already held these exact bytes under this name: nothing was uploaded. */
  unchanged: boolean;
}

/** The facts the verify step read, and its one-line description ("854×480 → 1708×960 (2.0×) · 3.2 s → 3.2 s · H.264"). */
export interface MediaSummary {
  width?: number;
  height?: number;
  duration?: number;
  sourceWidth?: number;
  sourceHeight?: number;
  sourceDuration?: number;
  description?: string;
}

export interface ClipOutcome extends Readonly<ClipExtras> {
  readonly plan: ClipPlan;
  readonly status: ClipStatus;
  readonly taskId?: string;
  readonly videoUrls: readonly string[];
  readonly files: readonly DownloadedFile[];
  /** One line: why the clip did not complete (or was not delivered). */
  readonly message?: string;
}

/** How far a clip got before it stopped, for better or worse. */
export type Stage = 'queued' | 'running' | 'completed' | 'failed';

/** What the pipeline learnt on the way; turned into an outcome once, by `settleClip`. */
export interface ClipProgress extends ClipExtras {
  stage: Stage;
  taskId?: string;
  videoUrls: string[];
  files: DownloadedFile[];
}

/** The one place a clip's status is decided: from how far it got, and what stopped it. */
export function clipStatus(stage: Stage, error?: unknown): ClipStatus {
  // Paid for and delivered, but not what was asked for (verify: fail): the step must not pass it on as done.
  if (error instanceof VerifyError) return 'failed';
  if (stage === 'completed') return 'completed';
  if (stage === 'failed') return 'failed';
  if (stage === 'running') return 'processing';
  const neverSent = error instanceof NotStartedError || (error instanceof CancelledError && !error.requestInFlight);
  return neverSent ? 'skipped' : 'failed';
}

/** One clear sentence for the user, always naming the task when there is one. */
export function clipMessage(plan: ClipPlan, progress: ClipProgress, error: unknown): string {
  const { taskId } = progress;
  if (error instanceof CancelledError) {
    if (taskId) return progress.stage === 'completed' ? cancelledWhileDelivering(taskId, savedSoFar(progress)) : cancelledWhileWaiting(taskId);
    if (error.requestInFlight) return errorText(error);
    return plan.resumeTaskId ? failureText(error) : CANCELLED_BEFORE_SUBMITTING;
  }
  const message = failureText(error);
  if (!taskId) return message;
  // A completed task is paid for; only delivering its result failed.
  if (progress.videoUrls.length > 0) {
    const saved = savedSoFar(progress);
    // A release upload's message already says how to resume.
    const hint = message.includes(`task-id: ${taskId}`) ? '' : ` ${redeliverHint([taskId])}`;
    return `${saved ? `${message.replace(/[.!?]$/, '')}${saved}.` : closeSentence(message)}${hint}`;
  }
  return withTaskHint(message, taskId);
}

/** What a clip whose delivery stopped part-way left on disk (listed in its files), for its message. */
function savedSoFar(progress: ClipProgress): string {
  return partlySaved(progress.files.length, progress.videoUrls.length);
}

/** The clip's outcome: how far it got, and (when something stopped it) why. */
export function settleClip(plan: ClipPlan, progress: ClipProgress, error?: unknown): ClipOutcome {
  const { reusedFrom, releaseAssetUrl, releaseAssets, media } = progress;
  const outcome: ClipOutcome = {
    plan,
    reusedFrom,
    releaseAssetUrl,
    releaseAssets,
    media,
    status: clipStatus(progress.stage, error),
    taskId: progress.taskId,
    videoUrls: [...progress.videoUrls],
    files: [...progress.files],
    message: error === undefined ? undefined : clipMessage(plan, progress, error),
  };
  return Object.freeze(outcome);
}

/** A clip that did not run: refused with the run, checked in a dry run, or not reached (a resumed task still runs on reApi). */
export function unrunClip(plan: ClipPlan, status: ClipStatus, message?: string): ClipOutcome {
  return Object.freeze({ plan, status, taskId: plan.resumeTaskId, videoUrls: [], files: [], message });
}

/** A task that can still be picked up without paying again: running, or completed but not delivered. */
export function isResumable(outcome: ClipOutcome): boolean {
  return outcome.taskId !== undefined && (outcome.status === 'processing' || (outcome.status === 'completed' && outcome.message !== undefined));
}
