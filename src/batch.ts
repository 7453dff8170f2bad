/**
 * The clips of one run (one in the common case, up to 256 in batch mode) and
 * the pure bookkeeping around them: what each became, the outputs that sum
 * them up, and one sentence for the step when some did not complete.
 */
import type { DownloadedFile } from './download';
import type { ActionInputs } from './inputs';
import { sourceName, totalBillableSeconds } from './preflight';

/**
 * Where a clip ended. `skipped`: never submitted (preflight or the cost guard
 * refused the batch, or the timeout ran out before its turn); `dry-run`:
 * checked, not submitted on purpose.
 */
export type ClipStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'skipped' | 'dry-run';

/** One source (or resumed task) and what became of it. */
export interface Clip {
  /** Position in the input, from 0. */
  index: number;
  /** Source URL; undefined for a resumed task whose source was not named. */
  source?: string;
  taskId?: string;
  /** True when this run submitted the task (false when resuming one). */
  submitted: boolean;
  status: ClipStatus;
  videoUrls: string[];
  files: DownloadedFile[];
  /** `ceil(duration)` from preflight, when it was read. */
  billableSeconds?: number;
  /** One line: why the clip failed, timed out or was skipped. */
  error?: string;
}

/** One entry of the `results` output. */
export interface ClipResult {
  source: string | null;
  task_id: string | null;
  status: ClipStatus;
  video_urls: string[];
  video_path: string | null;
  billable_seconds: number | null;
  error: string | null;
}

/** The clips of a run, in input order: resumed tasks (named by `video-url` when it lists their sources) or sources to submit. */
export function buildClips(inputs: Pick<ActionInputs, 'videoUrls' | 'taskIds'>): Clip[] {
  return inputs.taskIds.length > 0
    ? inputs.taskIds.map((taskId, index) => ({ ...emptyClip(index), taskId, source: inputs.videoUrls[index], status: 'processing' }))
    : inputs.videoUrls.map((source, index) => ({ ...emptyClip(index), source, submitted: true }));
}

function emptyClip(index: number): Clip {
  return { index, submitted: false, status: 'pending', videoUrls: [], files: [] };
}

/**
 * The `status` output for the whole run: `failed` when any clip failed or
 * was skipped, else `processing` when any is still running, else
 * `completed` (or `dry-run`). For one clip it is simply that clip's status.
 */
export function overallStatus(clips: readonly Clip[]): 'processing' | 'completed' | 'failed' | 'dry-run' {
  if (clips.some((clip) => clip.status === 'failed' || clip.status === 'skipped')) return 'failed';
  if (clips.length > 0 && clips.every((clip) => clip.status === 'dry-run')) return 'dry-run';
  if (clips.some((clip) => clip.status === 'processing' || clip.status === 'pending')) return 'processing';
  return 'completed';
}

/** The `results` output: one object per clip, in input order. */
export function clipResults(clips: readonly Clip[]): ClipResult[] {
  return clips.map((clip) => ({
    source: clip.source ?? null,
    task_id: clip.taskId ?? null,
    status: clip.status === 'pending' ? 'skipped' : clip.status,
    video_urls: clip.videoUrls,
    video_path: clip.files[0]?.path ?? null,
    billable_seconds: clip.billableSeconds ?? null,
    error: clip.error ?? null,
  }));
}

/** Sum of the clips' billable seconds; undefined when any is unknown. */
export const totalBillable: (clips: readonly Clip[]) => number | undefined = totalBillableSeconds;

/** How many times each label occurs, in first-seen order ("3 completed, 1 failed"). */
export function tally(labels: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return counts;
}

/** "#3 clip.mp4", or "#3 task_abc" for a resumed task: how messages name a clip. */
export function clipLabel(clip: Clip, total: number): string {
  const name = clip.source ? sourceName(clip.source) : (clip.taskId ?? 'unknown');
  return total > 1 ? `#${clip.index + 1} ${name}` : name;
}

/** Task ids that can still be picked up without paying again: running ones, and completed ones whose delivery failed. */
export function resumableTaskIds(clips: readonly Clip[]): string[] {
  return clips
    .filter((clip) => clip.taskId && (clip.status === 'processing' || (clip.status === 'completed' && clip.error !== undefined)))
    .map((clip) => clip.taskId as string);
}

/** How to give several task ids back to the action on one line: a JSON array, which `task-id` accepts. */
export function taskIdInput(ids: readonly string[]): string {
  return ids.length === 1 ? `task-id: ${ids[0]}` : `task-id: '${JSON.stringify(ids)}'`;
}

const LISTED_FAILURES = 5;

/** The step's one sentence when some clips of a batch did not complete. */
export function batchFailureMessage(clips: readonly Clip[]): string {
  const unfinished = clips.filter((clip) => clip.error !== undefined);
  const counts = tally(
    unfinished.map((clip) => (clip.status === 'processing' ? 'still processing' : clip.status === 'completed' ? 'not delivered' : clip.status)),
  );
  const how = [...counts].map(([what, count]) => `${count} ${what}`).join(', ');
  const listed = unfinished
    .slice(0, LISTED_FAILURES)
    .map((clip) => `${clipLabel(clip, clips.length)}${clip.taskId ? ` (task ${clip.taskId})` : ''}: ${(clip.error ?? clip.status).replace(/\.$/, '')}`);
  if (unfinished.length > LISTED_FAILURES) listed.push(`and ${unfinished.length - LISTED_FAILURES} more`);
  const resumable = resumableTaskIds(clips);
  const resume = resumable.length > 0 ? ` Pick up the unfinished tasks without paying again with ${taskIdInput(resumable)}.` : '';
  return `${unfinished.length} of ${clips.length} clips did not complete (${how}; see the results output): ${listed.join('; ')}.${resume}`;
}
