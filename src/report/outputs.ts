/** What a run did, as the outputs and the job summary tell it: pure functions over the clips' outcomes. */
import type { UploadedArtifact } from '../delivery/artifact';
import type { MediaResultFields } from '../media/result-check';
import type { ClipOutcome, ClipStatus } from '../model/clip';
import type { Phase } from '../shared/timeline';

export interface RunReport {
  upscaleFactor: string;
  concurrency: number;
  dryRun: boolean;
  outcomes: readonly ClipOutcome[];
  /** Total billable seconds of the submitted sources, from preflight; undefined when unknown. */
  billableSeconds?: number;
  artifact?: UploadedArtifact;
  /** The release the results went to (release-tag). */
  release?: { url: string };
  elapsedMs: number;
  phases: Phase[];
  /** The step's one failure line, when it failed. */
  failure?: string;
  /** The run stopped before any clip got anywhere: no status to report. */
  noStatus?: boolean;
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
}

/**
 * The `status` output for the whole run: `failed` when any clip failed or
 * was skipped, else `processing` when any is still running, else `completed`
 * (or `dry-run`). For one clip it is simply that clip's status. Nothing when
 * the run stopped before any clip got anywhere.
 */
export function overallStatus(outcomes: readonly ClipOutcome[], noStatus = false): 'processing' | 'completed' | 'failed' | 'dry-run' | undefined {
  if (noStatus) return undefined;
  if (outcomes.some((outcome) => outcome.status === 'failed' || outcome.status === 'skipped')) return 'failed';
  if (outcomes.length > 0 && outcomes.every((outcome) => outcome.status === 'dry-run')) return 'dry-run';
  if (outcomes.some((outcome) => outcome.status === 'processing')) return 'processing';
  return 'completed';
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
    release_asset_url: outcome.releaseAssetUrl ?? null,
    width: outcome.media?.width ?? null,
    height: outcome.media?.height ?? null,
    duration: outcome.media?.duration ?? null,
    source_width: outcome.media?.sourceWidth ?? null,
    source_height: outcome.media?.sourceHeight ?? null,
    source_duration: outcome.media?.sourceDuration ?? null,
  }));
}
