/** What a run did, as the outputs and the job summary tell it: pure functions over the clips' outcomes. */
import type { UploadedArtifact } from '../delivery/artifact';
import { mediaResultFields, type MediaResultFields } from '../media/result-check';
import { isResumable, runStatus, type ClipOutcome, type ClipPlan, type ClipStatus, type RunStatus } from '../model/clip';
import type { Phase } from '../shared/timeline';
import { sourceName } from '../shared/urls';
import { CancelledError } from '../shared/errors';
import { CANCELLED_BEFORE_ANY_TASK, clipsFailedMessage, closeSentence, failureText, redeliverHint } from '../shared/wording';

export interface RunReport extends RunEnd {
  upscaleFactor: string;
  concurrency: number;
  dryRun: boolean;
  /** Total billable seconds of the submitted sources, from preflight (billedSeconds); undefined when unknown. */
  billableSeconds?: number;
  artifact?: UploadedArtifact;
  /** The release the results went to (release-tag). */
  release?: { url: string };
  elapsedMs: number;
  phases: Phase[];
}

/** One entry of the `results` output. */
export interface ClipResult extends MediaResultFields {
  source: string | null;
  task_id: string | null;
  status: ClipStatus;
  video_urls: string[];
  video_path: string | null;
  billable_seconds: number | null;
  error: string | null;
  /** True when an earlier task was reused instead of submitting (skip-unchanged). */
  cached: boolean;
  release_asset_url: string | null;
  /** The first result's `s3://bucket/key` (result-bucket). */
  bucket_object: string | null;
}

/** How a run ended: every clip's outcome, and what stopped the run as a whole, if anything. */
export interface RunEnd {
  outcomes: readonly ClipOutcome[];
  /** What stopped the run (inputs, a check before paying, the artifact upload, cancellation); undefined when it went through. */
  error?: unknown;
  /** Preflight, the cost guard or the release check refused the run: its failure says it all. */
  refused?: boolean;
  /** The clips were started (or listed, in a dry run). */
  clipsRan?: boolean;
}

/** The `status` output at the end: the clips' (runStatus), or nothing when the run stopped before any clip got anywhere. */
export function finalStatus({ outcomes, error, refused, clipsRan }: RunEnd): RunStatus | undefined {
  // Cancelled in preflight, a download path that cannot be made…: no clip has a status worth reporting.
  if (error !== undefined && !refused && !clipsRan && !outcomes.some((outcome) => outcome.taskId)) return undefined;
  return runStatus(outcomes.map((outcome) => outcome.status));
}

/** "#3 clip.mp4" among several clips, "clip.mp4" alone; a resumed task without a source by its id. */
export function clipLabel(plan: ClipPlan, many: boolean): string {
  const name = plan.source ? sourceName(plan.source) : (plan.resumeTaskId ?? 'unknown');
  return many ? `#${plan.index + 1} ${name}` : name;
}

/**
 * The one rule for whether the step failed, and its one line: every clip
 * that did not complete (its own message alone, or counted and listed among
 * several), then what stopped the run, with how to get back what was already
 * paid for. Undefined when the step passed.
 */
export function stepFailure({ outcomes, error, refused }: RunEnd): string | undefined {
  const parts: string[] = [];
  const unfinished = outcomes.filter((outcome) => outcome.message !== undefined);
  // A refused run's failure already names every clip.
  if (unfinished.length > 0 && !refused) parts.push(outcomes.length > 1 ? clipsFailed(outcomes, unfinished) : (unfinished[0]?.message ?? ''));
  if (error !== undefined) parts.push(runFailure(error, outcomes));
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function clipsFailed(outcomes: readonly ClipOutcome[], unfinished: readonly ClipOutcome[]): string {
  const listed = unfinished.map((outcome) => ({
    label: clipLabel(outcome.plan, true),
    taskId: outcome.taskId,
    what: outcome.status === 'processing' ? 'still processing' : outcome.status === 'completed' ? 'not delivered' : outcome.status,
    error: outcome.message ?? outcome.status,
  }));
  return clipsFailedMessage(listed, outcomes.length, resumableTaskIds(outcomes));
}

/** A failure of the run as a whole, with how to get back the tasks that completed. */
function runFailure(error: unknown, outcomes: readonly ClipOutcome[]): string {
  if (error instanceof CancelledError && !outcomes.some((outcome) => outcome.taskId)) return CANCELLED_BEFORE_ANY_TASK;
  const message = failureText(error);
  const completed = outcomes.filter((outcome) => outcome.status === 'completed' && outcome.taskId).map((outcome) => outcome.taskId as string);
  if (completed.length === 0 || error instanceof CancelledError) return message;
  return `${closeSentence(message)} ${redeliverHint(completed)}`;
}

/** Task ids that can still be picked up without paying again. */
export function resumableTaskIds(outcomes: readonly ClipOutcome[]): string[] {
  return outcomes.filter(isResumable).map((outcome) => outcome.taskId as string);
}

/** The `results` output: one object per clip, in input order. */
export function clipResults(outcomes: readonly ClipOutcome[]): ClipResult[] {
  return outcomes.map((outcome) => ({
    source: outcome.plan.source ?? null,
    task_id: outcome.taskId ?? null,
    status: outcome.status,
    video_urls: [...outcome.videoUrls],
    video_path: outcome.files[0]?.path ?? null,
    billable_seconds: outcome.plan.billableSeconds ?? null,
    error: outcome.message ?? null,
    cached: outcome.reusedFrom !== undefined,
    // The first result's, when a task has several.
    release_asset_url: outcome.releaseAssets?.[0]?.url ?? null,
    bucket_object: outcome.bucketObjects?.[0] ?? null,
    // The media facts become the public snake_case fields here, at the edge; null where unknown or not verified.
    ...mediaResultFields(outcome.media?.source, outcome.media?.result),
  }));
}
