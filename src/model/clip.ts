/**
 * One clip of a run (a source to submit, or a task to resume): what the run is
 * asked to do with it (ClipPlan, fixed before any clip runs) and what became of
 * it (ClipOutcome, returned once by the pipeline and never changed).
 */
import type { DownloadedFile } from '../delivery/download';
import { CancelledError, NotStartedError, VerifyError, errorText } from '../shared/errors';
import type { MediaFacts } from '../media/result-check';
import type { Container } from '../media/container';
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

/** A source file from the workspace (`video-file`), checked on disk before any request. */
export interface WorkspaceFile {
  /** Relative to the workspace, `/`-separated: `results[].source` and what the log shows. */
  readonly path: string;
  /** Where it is read from (symbolic links resolved, inside the workspace). */
  readonly absolutePath: string;
  readonly sizeBytes: number;
  readonly container: Container;
  /** What it is staged as: video/mp4, video/quicktime or video/x-matroska. */
  readonly contentType: string;
  /** SHA-256 (hex) of its bytes: part of its staged key, and its identity for re-run records. */
  readonly sha256: string;
}

export interface ClipPlan {
  /** Position in the input, from 0. */
  readonly index: number;
  /** Source URL, or a workspace file's path; undefined for a resumed task whose source was not named. */
  readonly source?: string;
  /** Set for a workspace file (`source` is then its path): staged in source-bucket and submitted by a presigned URL. */
  readonly file?: WorkspaceFile;
  /** The task to resume; undefined when this run submits the source. */
  readonly resumeTaskId?: string;
  /** `ceil(duration)` from preflight, when it was read. */
  readonly billableSeconds?: number;
  /** The source's duration and video track as preflight read them (for the verify step), where the container said. */
  readonly sourceMedia?: MediaFacts;
}

/** What the run learnt about a clip beyond its task: filled by the optional steps (reuse, verify, release). */
export interface ClipExtras {
  /** Set when an earlier task was reused (skip-unchanged) instead of submitting: when that task completed. */
  reusedFrom?: { completedAt: string };
  /** Set when the task an earlier attempt of this workflow run submitted was picked up instead of submitting: that attempt. */
  resumedFrom?: { attempt: number };
  /** Every result's release asset, in the order of the results (release-tag). */
  releaseAssets?: readonly ReleaseAssetLink[];
  /** What the verify step read: the source's facts (from preflight) and the first result's, where the containers said. */
  media?: ClipMedia;
  /** Every stored result's `s3://bucket/key`, in the order of the results (result-bucket). */
  bucketObjects?: readonly string[];
}

/** One result as an asset of the release. */
export interface ReleaseAssetLink {
  name: string;
  /** Its browser_download_url. */
  url: string;
  /** The release already held these exact bytes under this name: nothing was uploaded. */
  unchanged: boolean;
}

/** Both sides of a verified upscale, in the one media-facts shape; the outputs and the summary derive their fields and text from it. */
export interface ClipMedia {
  readonly source?: MediaFacts;
  readonly result?: MediaFacts;
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

/** The `status` output of a run (a clip's status, or several clips' together). */
export type RunStatus = 'processing' | 'completed' | 'failed' | 'dry-run';

/**
 * The one rule for the `status` output, live (while clips run; a clip not yet
 * settled counts as processing) and final: `failed` when any clip failed or
 * was skipped, else `dry-run` when every clip was only checked, else
 * `processing` when any is still running, else `completed`. For one clip it is
 * simply that clip's status.
 */
export function runStatus(statuses: readonly ClipStatus[]): RunStatus {
  if (statuses.some((status) => status === 'failed' || status === 'skipped')) return 'failed';
  if (statuses.length > 0 && statuses.every((status) => status === 'dry-run')) return 'dry-run';
  if (statuses.some((status) => status === 'processing')) return 'processing';
  return 'completed';
}

/** How far a clip got before it stopped, for better or worse. */
export type Stage = 'queued' | 'running' | 'completed' | 'failed';

/**
 * What the pipeline knows of a clip so far. Only the pipeline holds one: each
 * step returns what it learnt and the pipeline takes a new copy, so when a
 * step throws, this says how far the clip got. Turned into an outcome once,
 * by `settleClip`.
 */
export interface ClipSoFar extends Readonly<ClipExtras> {
  readonly stage: Stage;
  readonly taskId?: string;
  readonly videoUrls: readonly string[];
  readonly files: readonly DownloadedFile[];
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
export function clipMessage(plan: ClipPlan, clip: ClipSoFar, error: unknown): string {
  const { taskId } = clip;
  if (error instanceof CancelledError) {
    if (taskId) return clip.stage === 'completed' ? cancelledWhileDelivering(taskId, savedSoFar(clip)) : cancelledWhileWaiting(taskId);
    if (error.requestInFlight) return errorText(error);
    return plan.resumeTaskId ? failureText(error) : CANCELLED_BEFORE_SUBMITTING;
  }
  const message = failureText(error);
  if (!taskId) return message;
  // A completed task is paid for; only delivering its result failed.
  if (clip.videoUrls.length > 0) {
    const saved = savedSoFar(clip);
    // A release upload's message already says how to resume.
    const hint = message.includes(`task-id: ${taskId}`) ? '' : ` ${redeliverHint([taskId])}`;
    return `${saved ? `${message.replace(/[.!?]$/, '')}${saved}.` : closeSentence(message)}${hint}`;
  }
  return withTaskHint(message, taskId);
}

/** What a clip whose delivery stopped part-way left on disk (listed in its files), for its message. */
function savedSoFar(clip: ClipSoFar): string {
  return partlySaved(clip.files.length, clip.videoUrls.length);
}

/** The clip's outcome: how far it got, and (when something stopped it) why. */
export function settleClip(plan: ClipPlan, clip: ClipSoFar, error?: unknown): ClipOutcome {
  const { reusedFrom, resumedFrom, releaseAssets, media, bucketObjects } = clip;
  const outcome: ClipOutcome = {
    plan,
    reusedFrom,
    resumedFrom,
    releaseAssets: releaseAssets && [...releaseAssets],
    bucketObjects: bucketObjects && [...bucketObjects],
    media,
    status: clipStatus(clip.stage, error),
    taskId: clip.taskId,
    videoUrls: [...clip.videoUrls],
    files: [...clip.files],
    message: error === undefined ? undefined : clipMessage(plan, clip, error),
  };
  return Object.freeze(outcome);
}

/** A clip that did not run: refused with the run, checked in a dry run, or not reached (a resumed task still runs on reApi). */
export function unrunClip(plan: ClipPlan, status: ClipStatus, message?: string): ClipOutcome {
  return Object.freeze({ plan, status, taskId: plan.resumeTaskId, videoUrls: [], files: [], message });
}

/** The clips of a run stopped before they ran: not submitted (a task to resume keeps running on reApi). */
export function notRunClips(plans: readonly ClipPlan[]): ClipOutcome[] {
  return plans.map((plan) => unrunClip(plan, plan.resumeTaskId ? 'processing' : 'skipped'));
}

/** A task that can still be picked up without paying again: running, or completed but not delivered. */
export function isResumable(outcome: ClipOutcome): boolean {
  return outcome.taskId !== undefined && (outcome.status === 'processing' || (outcome.status === 'completed' && outcome.message !== undefined));
}

/**
 * What happens to a clip on its way, as the pipeline tells it; the Reporter
 * turns each event into the user's lines and outputs (prefixed among several
 * clips), so the pipeline never lays out a line about a clip's progress.
 */
export type ClipEvent =
  /** A task to resume: nothing is submitted. */
  | { readonly type: 'resuming'; readonly taskId: string }
  /** The task an earlier attempt of this workflow run submitted is picked up: nothing is submitted. */
  | { readonly type: 'resumed-rerun'; readonly taskId: string; readonly attempt: number }
  /** reApi took the submission. */
  | { readonly type: 'submitted'; readonly taskId: string; readonly status: string }
  /** The clip has a task (submitted, resumed or reused): its id can be handed on at once. */
  | { readonly type: 'task-started'; readonly taskId: string }
  /** The task completed while the run waited for it. */
  | { readonly type: 'task-completed'; readonly taskId: string; readonly elapsedMs: number; readonly videoUrls: readonly string[] }
  /** wait: false: the task is left as it is (still running, or already completed). */
  | { readonly type: 'not-waiting'; readonly taskId: string; readonly running: boolean }
  /** A result was saved; `replaced` when a file of that name was there before. */
  | { readonly type: 'saved'; readonly file: DownloadedFile; readonly replaced: boolean }
  /** A result was stored in the result bucket (`s3://bucket/key`). */
  | { readonly type: 'stored'; readonly object: string; readonly bytes: number }
  /** The clip did not complete, for a reason other than the step being cancelled. */
  | { readonly type: 'failed'; readonly message: string }
  /** video-file: the file was uploaded to source-bucket as `object` (s3://bucket/key). */
  | { readonly type: 'staged'; readonly path: string; readonly object: string; readonly bytes: number; readonly elapsedMs: number }
  /** The staged object was deleted: its task completed or failed, or reApi refused the submission. */
  | { readonly type: 'staged-deleted'; readonly object: string }
  /** The staged object was kept: its task may still fetch it (wait: false, cancelled, timed out, or the submission's fate unknown). */
  | { readonly type: 'staged-kept'; readonly object: string; readonly taskId?: string };
