/** What a run will be billed, from the sources' durations, and the cost guard that caps it. */
import { CostGuardError } from '../shared/errors';
import { sourceName } from '../shared/urls';
import type { ClipPlan, ClipStatus } from './clip';

/**
 * A clip as the billing rule sees it: its plan, the earlier task reused for it
 * (skip-unchanged) or resumed from an earlier attempt of the workflow run, if
 * any, and its status once it ran.
 */
export interface BilledClip {
  readonly plan: ClipPlan;
  readonly reusedFrom?: unknown;
  readonly resumedFrom?: unknown;
  readonly status?: ClipStatus;
}

/**
 * The one rule for which clips a run submits, and so is billed for: a source
 * (not a task to resume) that no earlier task is reused for nor resumed from
 * an earlier attempt, and that was not skipped (never sent: refused by the
 * cost guard, or out of time).
 */
export function isSubmitted(clip: BilledClip): boolean {
  return !clip.plan.resumeTaskId && clip.reusedFrom === undefined && clip.resumedFrom === undefined && clip.status !== 'skipped';
}

/**
 * The run's `billable-seconds`: the submitted clips' billable seconds, summed
 * (a reused clip was billed when its task first ran). Undefined when any of
 * them is unknown, and for a run that only resumes tasks.
 */
export function billedSeconds(clips: readonly BilledClip[]): number | undefined {
  if (clips.every((clip) => clip.plan.resumeTaskId)) return undefined;
  return totalBillableSeconds(clips.filter(isSubmitted).map((clip) => clip.plan));
}

/**
 * Seconds billed for a clip: `ceil(duration)`, as the API documents. The
 * duration is first rounded to the microsecond (the precision ffprobe reports
 * durations in), so float noise such as 3.0000000000000004 from a timescale
 * division bills 3 seconds, not 4, while 3.000001 still bills 4.
 */
export function billableSeconds(durationSeconds: number): number {
  if (!Number.isFinite(durationSeconds) || durationSeconds < 0) throw new RangeError(`Not a duration: ${durationSeconds}`);
  const microseconds = Math.round(durationSeconds * 1_000_000);
  return Math.ceil(microseconds / 1_000_000);
}

/** Sum of the sources' billable seconds; undefined when any source's duration is unknown. */
export function totalBillableSeconds(sources: ReadonlyArray<{ billableSeconds?: number }>): number | undefined {
  let total = 0;
  for (const source of sources) {
    if (source.billableSeconds === undefined) return undefined;
    total += source.billableSeconds;
  }
  return total;
}

const LISTED_SOURCES = 10;

function listSources(sources: ReadonlyArray<{ url: string; billableSeconds?: number }>): string {
  const listed = sources.slice(0, LISTED_SOURCES).map((s) => `${sourceName(s.url)}: ${s.billableSeconds === undefined ? 'unknown' : s.billableSeconds}`);
  if (sources.length > LISTED_SOURCES) listed.push(`and ${sources.length - LISTED_SOURCES} more`);
  return listed.join(', ');
}

/**
 * The cost guard: throws CostGuardError when the sources' billable seconds add
 * up to more than `maxBillableSeconds`, or when some duration is unknown (the
 * limit could not be enforced). Returns the total otherwise.
 */
export function checkCostGuard(sources: ReadonlyArray<{ url: string; billableSeconds?: number }>, maxBillableSeconds: number): number {
  const total = totalBillableSeconds(sources);
  if (total === undefined) {
    const unknown = sources.filter((s) => s.billableSeconds === undefined).map((s) => sourceName(s.url));
    throw new CostGuardError(
      `max-billable-seconds is ${maxBillableSeconds}, but the duration of ${unknown.join(', ')} could not be read in preflight, so the total cannot be checked against it ` +
        `(billable seconds per source: ${listSources(sources)}).`,
      undefined,
      maxBillableSeconds,
    );
  }
  if (total > maxBillableSeconds) {
    throw new CostGuardError(
      `The sources add up to ${total} billable seconds, over max-billable-seconds (${maxBillableSeconds}); billable seconds per source: ${listSources(sources)}.`,
      total,
      maxBillableSeconds,
    );
  }
  return total;
}

/**
 * The cost guard for a clip submitted after all because the earlier task it
 * was to reuse cannot be (skip-unchanged): preflight counted it as free, so it
 * is submitted only when the run, with it, stays within `maxBillableSeconds`.
 * Returns the run's billable seconds with it; throws CostGuardError, naming
 * the clip and the numbers, when it would not.
 */
export function checkFallbackCost(clip: { url: string; billableSeconds?: number }, committed: number, maxBillableSeconds: number): number {
  const name = sourceName(clip.url);
  if (clip.billableSeconds === undefined) {
    throw new CostGuardError(
      `the duration of ${name} is unknown, so it cannot be checked against max-billable-seconds (${maxBillableSeconds}); ${name} was not submitted.`,
      undefined,
      maxBillableSeconds,
    );
  }
  const total = committed + clip.billableSeconds;
  if (total > maxBillableSeconds) {
    throw new CostGuardError(
      `its ${clip.billableSeconds} billable seconds would bring the run to ${total}, over max-billable-seconds (${maxBillableSeconds}); ${name} was not submitted.`,
      total,
      maxBillableSeconds,
    );
  }
  return total;
}
