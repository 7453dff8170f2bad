/**
 * The sentences that tell how a clip or the run ended and how to pick it up
 * again: failure, cancellation and not-submitted lines, resume hints
 * (`task-id`), the unknown-outcome warning, and the skip-unchanged notices.
 * Not every message: one about a single input or answer stays beside the
 * check that raises it (inputs/, reapi/, source/, release/…). The error table
 * in docs/troubleshooting.md quotes these words (a test checks): change both.
 */
import { errorText, isActionError } from './errors';
import { clause, oneLine, truncate } from './text';

/** How several task ids are given back to the action on one line: a JSON array, which `task-id` accepts. */
export function taskIdInput(ids: readonly string[]): string {
  return ids.length === 1 ? `task-id: ${ids[0]}` : `task-id: '${JSON.stringify(ids)}'`;
}

/** Appended to a failure that leaves a running task behind. */
export function resumeHint(taskId: string): string {
  return `Resume it without paying again with task-id: ${taskId}.`;
}

/**
 * The timeout message: the task, why the wait ended (the last poll's failure,
 * or a status the action does not know, named), and how to pick it up later.
 */
export function timedOutMessage(taskId: string, timeoutText: string, why: { lastProblem?: string; unknownStatus?: string } = {}): string {
  const reason = why.lastProblem
    ? `; the last poll failed: ${clause(why.lastProblem)}. The task may still be processing on reApi. `
    : why.unknownStatus !== undefined
      ? `, whose last status was ${JSON.stringify(why.unknownStatus.slice(0, 60))} (not one the action knows); it may still be processing on reApi. `
      : ', which is still processing on reApi. ';
  return `Timed out after ${timeoutText} waiting for task ${taskId}${reason}${resumeLaterHint(taskId)}`;
}

/** The end of a timeout message. */
export function resumeLaterHint(taskId: string): string {
  return `To pick it up later without paying again, run the action with task-id: ${taskId} (and a longer timeout if needed).`;
}

/** Appended to a failure after the task completed (so it is paid for): only delivering its result failed. */
export function redeliverHint(taskIds: readonly string[]): string {
  const ids = taskIds.length === 1 ? `Task ${taskIds[0]} is` : `Tasks ${taskIds.join(', ')} are`;
  return `${ids} completed, so re-running with ${taskIdInput(taskIds)} delivers ${taskIds.length === 1 ? 'it' : 'them'} again without paying.`;
}

/** The end of the summary's resume row (one clip) and resume line (several clips). */
export const SUMMARY_RESUME_TASK = 'to pick the task up without paying again.';
export const SUMMARY_RESUME_UNFINISHED = 'to pick up the unfinished tasks without paying again.';

/** The step's closing advice when some tasks of several can still be picked up. */
export function unfinishedResumeHint(taskIds: readonly string[]): string {
  return `Pick up the unfinished tasks without paying again with ${taskIdInput(taskIds)}.`;
}

/** Advice for a submission that may have been taken without the action hearing of it. */
export const UNKNOWN_OUTCOME_ADVICE =
  'Check your tasks on the reApi dashboard (https://reapi.ai) before re-running; if the task is there, re-run with the task-id input to pick it up without paying twice.';

export function unknownOutcomeMessage(cause: string): string {
  return `The submission's outcome is unknown: ${cause} The job may have been created (and billed), so it was not sent again. ${UNKNOWN_OUTCOME_ADVICE}`;
}

export function unusableTaskIdMessage(idText: string, problem: string): string {
  return (
    `reApi took the submission but answered with a task id that cannot be used safely (${idText} ${problem}), so it was not polled or published. ` +
    'The job may have been created (and billed): check your tasks on the reApi dashboard (https://reapi.ai) before re-running, and report the id to reApi support.'
  );
}

export const CANCELLED_IN_FLIGHT = `Cancelled while the submission was in flight, so its outcome is unknown: the job may have been created (and billed). ${UNKNOWN_OUTCOME_ADVICE}`;

export const CANCELLED_BEFORE_ANY_TASK = 'Cancelled before any task was created; nothing was billed.';
export const CANCELLED_BEFORE_SUBMITTING = 'Cancelled before it was submitted; nothing was billed.';
export const NOT_STARTED_IN_TIME = 'Not submitted: the timeout ran out before its turn.';
export const NOT_SUBMITTED_PREFLIGHT = 'Not submitted: preflight refused another source of this run.';
export const NOT_SUBMITTED_COST_GUARD = 'Not submitted: the run is over max-billable-seconds.';
export const NOT_SUBMITTED_UNANSWERED = 'Not submitted: its host did not answer preflight before the timeout ran out.';
export const NOT_SUBMITTED_PREFLIGHT_TIMEOUT = 'Not submitted: preflight used up the timeout.';

/** A list of names for a sentence, at most ten of them: "a, b and 3 more". */
function listNames(names: readonly string[], most = 10): string {
  const listed = names.slice(0, most);
  if (names.length > most) listed.push(`${names.length - most} more`);
  return listed.length > 1 ? `${listed.slice(0, -1).join(', ')} and ${listed.at(-1)}` : (listed[0] ?? '');
}

/**
 * The step's one line when preflight ran into the deadline: what used up the
 * timeout, which sources did not answer or were never checked, and that
 * nothing was submitted.
 */
export function preflightDeadlineMessage(timeoutText: string, unanswered: readonly string[], notChecked: readonly string[]): string {
  const parts: string[] = [];
  if (unanswered.length > 0) parts.push(`${listNames(unanswered)} did not answer in time`);
  if (notChecked.length > 0) parts.push(`${listNames(notChecked)} ${notChecked.length === 1 ? 'was' : 'were'} not checked`);
  const what = parts.length > 0 ? `: ${parts.join(', and ')}` : ' checking the sources';
  return (
    `Preflight used up the whole timeout (${timeoutText})${what}. Nothing was submitted or billed; ` +
    'raise timeout, or check that the source hosts answer (preflight: false skips these checks).'
  );
}

export function cancelledWhileWaiting(taskId: string): string {
  return `Cancelled while waiting for task ${taskId}; the task keeps running on reApi. ${resumeHint(taskId)}`;
}

export function cancelledWhileDelivering(taskId: string, saved = ''): string {
  return `Cancelled while delivering the result of task ${taskId}${saved}; no partial file was left behind. ${resumeHint(taskId)}`;
}

/** "; 1 of 2 results was saved (listed in video-paths)", when delivery stopped part-way; empty otherwise. */
export function partlySaved(saved: number, results: number): string {
  if (saved === 0 || saved >= results) return '';
  return `; ${saved} of ${results} results ${saved === 1 ? 'was' : 'were'} saved (listed in video-paths)`;
}

export function taskFailedMessage(task: { id: string; error?: { code?: string | number; message?: string } | null }): string {
  // Server text (scrubbed when it was read) on one line, cut to a readable length.
  const code = task.error?.code === undefined ? 'unknown code' : `code ${truncate(oneLine(task.error.code), 40)}`;
  const message = task.error?.message === undefined ? 'no message' : truncate(oneLine(task.error.message), 300);
  return `Task ${task.id} failed on reApi (${code}: ${message}). Failed jobs are refunded automatically.`;
}

export function badResultUrlMessage(taskId: string, urlText: string, problem: string, which: string): string {
  return `Task ${taskId} is completed but its result URL${which} ${urlText} ${problem}, so it was not used; contact reApi support with the task id.`;
}

export function emptyOutputMessage(taskId: string): string {
  return `Task ${taskId} is completed but its output.video_urls is empty, so there is no result to return; contact reApi support with the task id.`;
}

/** The text of any thrown value: an expected failure as is, anything else marked as a bug. */
export function failureText(error: unknown): string {
  return isActionError(error) ? errorText(error) : `Unexpected error: ${errorText(error)}`;
}

/** Ends a sentence so another can follow it. */
export function closeSentence(text: string): string {
  return text.replace(/[^.!?)]$/, '$&.');
}

/** A failure that leaves a task behind names it, with how to pick it up. */
export function withTaskHint(message: string, taskId: string): string {
  return message.includes(taskId) ? message : `${message} (task-id: ${taskId}; ${resumeHint(taskId)})`;
}

export function preflightRefusedMessage(refused: ReadonlyArray<{ label: string; error: string }>, total: number): string {
  if (total === 1) return `${refused[0]?.error ?? ''} Nothing was submitted.`;
  const listed = refused.map((clip) => `${clip.label}: ${clause(clip.error)}`).join('; ');
  return `Preflight refused ${refused.length} of ${total} sources, so nothing was submitted: ${listed}.`;
}

/** A check before paying (the release of release-tag) refused the run. */
export function notSubmitted(reason: string): string {
  return `${closeSentence(reason)} Nothing was submitted.`;
}

export function costGuardMessage(reason: string): string {
  return `${reason} Nothing was submitted.`;
}

const LISTED_FAILURES = 5;

/** The step's one sentence when some clips of several did not complete. */
export function clipsFailedMessage(
  unfinished: ReadonlyArray<{ label: string; taskId?: string; what: string; error: string }>,
  total: number,
  resumable: readonly string[],
): string {
  const counts = new Map<string, number>();
  for (const clip of unfinished) counts.set(clip.what, (counts.get(clip.what) ?? 0) + 1);
  const how = [...counts].map(([what, count]) => `${count} ${what}`).join(', ');
  const listed = unfinished.slice(0, LISTED_FAILURES).map((clip) => `${clip.label}${clip.taskId ? ` (task ${clip.taskId})` : ''}: ${clause(clip.error)}`);
  if (unfinished.length > LISTED_FAILURES) listed.push(`and ${unfinished.length - LISTED_FAILURES} more`);
  const resume = resumable.length > 0 ? ` ${unfinishedResumeHint(resumable)}` : '';
  return `${unfinished.length} of ${total} clips did not complete (${how}; see the results output): ${listed.join('; ')}.${resume}`;
}

// ---- skip-unchanged ----

/** A source that could not be hashed: its reuse cannot be proven, so it is submitted. */
export function fingerprintFailedWarning(label: string, error: string): string {
  return `skip-unchanged: ${clause(error)}; ${label} is submitted as usual.`;
}

/** The recorded task cannot be delivered any more: the clip is submitted (and billed) again. */
export function reusedTaskGoneWarning(taskId: string, why: string): string {
  return `skip-unchanged: the earlier task ${taskId} for this unchanged source ${why}, so the source is submitted again (billed).`;
}

/** The recorded task cannot be reused, and submitting the clip instead would break the cost guard: it is not submitted. */
export function reusedTaskOverGuardMessage(taskId: string, why: string, guard: string): string {
  return `skip-unchanged: the earlier task ${taskId} for this unchanged source ${why}, so it would have to be submitted again: ${guard}`;
}

export function reusingTaskInfo(taskId: string, date: string): string {
  return `Unchanged since task ${taskId} (completed ${date}): reusing it, nothing is submitted or billed.`;
}

/** Preflight's facts for a source shown unchanged before it was probed come from its record. */
export function unchangedSourceInfo(taskId: string, notModified: boolean): string {
  const how = notModified ? 'its host answered 304 to the recorded ETag' : 'its bytes hash as recorded';
  return `unchanged since task ${taskId} (${how}): facts from its record.`;
}

export function wouldReuseInfo(source: string, taskId: string, date: string): string {
  return `Would reuse task ${taskId} (completed ${date}) for ${source}: unchanged, nothing is billed.`;
}

/** video-file: why a staged object stays in the bucket after the step. */
export function stagedKeptInfo(object: string, taskId: string | undefined): string {
  const why = taskId ? `task ${taskId} may still fetch it, and resuming it needs it` : 'the submission may have created a task that fetches it';
  return `Kept the staged ${object}: ${why}. Delete it later, or let a lifecycle rule on the staging prefix expire it.`;
}

// ---- re-runs ----

/** A clip picked up from the task an earlier attempt of this workflow run submitted. */
export function resumedFromAttemptInfo(taskId: string, attempt: number): string {
  return `Task ${taskId} resumed from an earlier attempt (attempt ${attempt} of this workflow run submitted it): no new submission, nothing billed again.`;
}

/** The summary's words for such a clip. */
export function resumedFromAttemptCell(attempt: number): string {
  return `resumed from an earlier attempt (attempt ${attempt}; nothing submitted or billed again)`;
}

/** The earlier attempt's task failed: reApi refunded it, so the clip is submitted again. */
export function rerunTaskFailedInfo(taskId: string, attempt: number): string {
  return `re-runs: task ${taskId}, submitted by attempt ${attempt} of this workflow run, failed (refunded), so the source is submitted again.`;
}

/** The earlier attempt's task cannot be picked up: the clip is submitted (and billed) again. */
export function rerunTaskUnusableWarning(taskId: string, attempt: number, why: string): string {
  return `re-runs: task ${taskId}, submitted by attempt ${attempt} of this workflow run, ${why}, so the source is submitted again (billed).`;
}
