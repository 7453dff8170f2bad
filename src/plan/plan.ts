/**
 * The plan of a run, before anything is paid for: the clips in input order,
 * each source checked on its host (preflight), the cost guard, and the dry run
 * that prints the plan instead of carrying it out.
 */
import { checkArtifactRuntime } from '../delivery/artifact';
import { unrunClip, type ClipOutcome, type ClipPlan, type WorkspaceFile } from '../model/clip';
import type { MediaFacts } from '../media/result-check';
import { join } from 'node:path';
import { prepareDownloadDir } from '../delivery/download';
import { inTheWayMessage, targetState } from '../delivery/targets';
import { CostGuardError, InputError, errorText } from '../shared/errors';
import { formatElapsed } from '../shared/format';
import { isInsecureApiBase, type ActionInputs } from '../inputs/parse';
import { ResultNameBook, clipBaseName, resultFileNames } from '../delivery/naming';
import type { Pool } from '../shared/pool';
import { billedSeconds, checkCostGuard, isSubmitted, totalBillableSeconds } from '../model/billing';
import { describeProbe, type SourceCheck } from '../source/preflight';
import { checkSourcesAndFiles } from '../source/local-file';
import { sessionWarning } from '../pipeline/staging-step';
import { displayUrl } from '../shared/urls';
import { SkipUnchanged, reuseDate, type KnownSource } from '../skip-unchanged/reuse';
import type { Reporter } from '../report/reporter';
import type { SharedActionsCache } from '../skip-unchanged/shared-store';
import type { Timeline } from '../shared/timeline';
import {
  NOT_SUBMITTED_COST_GUARD,
  NOT_SUBMITTED_PREFLIGHT,
  NOT_SUBMITTED_PREFLIGHT_TIMEOUT,
  NOT_SUBMITTED_UNANSWERED,
  costGuardMessage,
  preflightDeadlineMessage,
  preflightRefusedMessage,
  unchangedSourceInfo,
  wouldReuseInfo,
} from '../shared/wording';

export interface RunPlan {
  clips: ClipPlan[];
  /** Total billable seconds of the sources to submit, when preflight read every duration. */
  billableSeconds?: number;
  /** skip-unchanged: the sources' fingerprints and the earlier tasks found for them. */
  unchanged?: SkipUnchanged;
  /** Set when preflight or the cost guard refused the run: every clip's outcome, and the step's failure. */
  refusal?: { outcomes: ClipOutcome[]; message: string };
}

/**
 * The clips of a run, in input order: tasks to resume (named by `video-url` when it lists their sources) or sources
 * to submit, the URLs first, then the workspace files (`video-file`, found and checked before this).
 */
export function buildClipPlans(inputs: Pick<ActionInputs, 'videoUrls' | 'taskIds' | 'upscaleFactor'>, files: readonly WorkspaceFile[] = []): ClipPlan[] {
  if (inputs.taskIds.length > 0) return inputs.taskIds.map((resumeTaskId, index) => ({ index, resumeTaskId, source: inputs.videoUrls[index] }));
  const urls: ClipPlan[] = inputs.videoUrls.map((source, index) => ({ index, source }));
  return [...urls, ...files.map((file, at) => ({ index: urls.length + at, source: file.path, file }))];
}

/** The run's result names: each clip's, unique in source order once its task id is known (names known now are settled now). */
export function planResultNames(plans: readonly ClipPlan[], upscaleFactor: string): ResultNameBook {
  const names = new ResultNameBook(plans.length);
  for (const plan of plans) {
    // A source without a usable file name is named after its task id, known once it is submitted.
    const base = clipBaseName(plan, undefined, upscaleFactor);
    if (base !== undefined) names.settle(plan.index, base);
  }
  return names;
}

/**
 * Checks every source before anything is submitted: reachable, within 50 MB,
 * a video, and its duration (so the billable seconds are known). One bad
 * source or a total over max-billable-seconds refuses the whole run unpaid.
 */
export async function preflight(
  plans: ClipPlan[],
  inputs: ActionInputs,
  reporter: Reporter,
  signal: AbortSignal,
  pool: Pool,
  timeline: Timeline,
  actionsCache?: SharedActionsCache,
): Promise<RunPlan> {
  const toCheck = plans.filter((plan) => !plan.resumeTaskId);
  if (!inputs.preflight || toCheck.length === 0) return { clips: plans };
  return timeline.span('preflight', () => checkSources(plans, toCheck, inputs, reporter, signal, pool, actionsCache));
}

async function checkSources(
  plans: ClipPlan[],
  toCheck: ClipPlan[],
  inputs: ActionInputs,
  reporter: Reporter,
  signal: AbortSignal,
  pool: Pool,
  actionsCache?: SharedActionsCache,
): Promise<RunPlan> {
  const title = `Preflight: checking ${toCheck.length === 1 ? 'the source' : `${toCheck.length} sources`}`;
  const refused = new Map<number, string>();
  const late = new Map<number, 'unanswered' | 'not-checked'>();
  const measured = new Map<number, number>();
  const media = new Map<number, MediaFacts>();
  const unchanged = inputs.skipUnchanged ? new SkipUnchanged(reporter, inputs.upscaleFactor, actionsCache) : undefined;
  await reporter.group(title, async () => {
    // skip-unchanged: a source its host shows unchanged (304 to the recorded ETag) is not probed; its facts are its record's.
    // Workspace files (video-file) are read from disk, never revalidated on a host.
    await unchanged?.revalidate(hostedOnly(toCheck), { signal, pool, deadline: inputs.deadline }, reporter);
    const probed = toCheck.filter((plan) => !unchanged?.knownSource(plan.index));
    const checks = await checkSourcesAndFiles(probed, { signal, pool, deadline: inputs.deadline });
    const checkOf = new Map(checks.map((check, position) => [(probed[position] as ClipPlan).index, check]));
    for (const plan of toCheck) {
      const known = unchanged?.knownSource(plan.index);
      if (known) {
        const { billableSeconds, sourceMedia } = known.record;
        reporter.info(knownSourceLine(plan.source as string, known));
        if (billableSeconds !== null) measured.set(plan.index, billableSeconds);
        if (sourceMedia) media.set(plan.index, sourceMedia);
        continue;
      }
      const check = checkOf.get(plan.index) as SourceCheck;
      if (check.probe) {
        reporter.info(describeProbe(check.probe));
        for (const warning of check.probe.warnings) reporter.warning(warning);
        if (check.probe.billableSeconds !== undefined) measured.set(plan.index, check.probe.billableSeconds);
        const { durationSeconds, video } = check.probe;
        if (durationSeconds !== undefined || video !== undefined) media.set(plan.index, { durationSeconds, video });
      }
      if (check.deadline) late.set(plan.index, check.deadline);
      if (check.error) {
        refused.set(plan.index, errorText(check.error));
        reporter.info(`${displayUrl(plan.source as string)}: ${errorText(check.error)}`);
      }
    }
  });
  if (unchanged && refused.size + late.size === 0) await findUnchanged(unchanged, toCheck, inputs, reporter, signal, pool);
  const clips = plans.map((plan) =>
    measured.has(plan.index) || media.has(plan.index) ? { ...plan, billableSeconds: measured.get(plan.index), sourceMedia: media.get(plan.index) } : plan,
  );
  const checked = clips.filter((plan) => !plan.resumeTaskId);
  // Reused clips are not submitted: the billable seconds and the cost guard count only what this run submits.
  const billed = clips.map((plan) => ({ plan, reusedFrom: unchanged?.reuse(plan.index) }));
  const submitted = billed.filter(isSubmitted).map((clip) => clip.plan);
  const billableSeconds = billedSeconds(billed);
  if (billableSeconds !== undefined) {
    reporter.info(`Billable seconds: ${billableSeconds} (ceil of each source's duration${submitted.length > 1 ? ', summed' : ''}).`);
  }

  // The deadline came during preflight: nothing may be submitted now, and the message says where the time went.
  if (late.size > 0 || (!inputs.dryRun && Date.now() >= inputs.deadline.at)) {
    const why = (plan: ClipPlan) =>
      refused.get(plan.index) ?? (late.get(plan.index) === 'unanswered' ? NOT_SUBMITTED_UNANSWERED : NOT_SUBMITTED_PREFLIGHT_TIMEOUT);
    const outcomes = clips.map((plan) => unrunClip(plan, refused.has(plan.index) ? 'failed' : 'skipped', why(plan)));
    const named = (kind: string) => checked.filter((plan) => late.get(plan.index) === kind).map((plan) => reporter.label(plan));
    const also =
      refused.size > 0
        ? ` Preflight also refused ${[...refused.keys()].map((index) => reporter.label(clips[index] as ClipPlan)).join(', ')} (see the results output).`
        : '';
    const message = `${preflightDeadlineMessage(formatElapsed(inputs.deadline.timeoutMs), named('unanswered'), named('not-checked'))}${also}`;
    return { clips, billableSeconds, unchanged, refusal: { outcomes, message } };
  }
  if (refused.size > 0) {
    const outcomes = clips.map((plan) => unrunClip(plan, refused.has(plan.index) ? 'failed' : 'skipped', refused.get(plan.index) ?? NOT_SUBMITTED_PREFLIGHT));
    const listed = [...refused].map(([index, error]) => ({ label: reporter.label(clips[index] as ClipPlan), error }));
    return { clips, billableSeconds, refusal: { outcomes, message: preflightRefusedMessage(listed, checked.length) } };
  }
  if (inputs.maxBillableSeconds !== undefined) {
    try {
      checkCostGuard(
        submitted.map((plan) => ({ url: plan.source as string, billableSeconds: plan.billableSeconds })),
        inputs.maxBillableSeconds,
      );
    } catch (error) {
      if (!(error instanceof CostGuardError)) throw error;
      const outcomes = clips.map((plan) => unrunClip(plan, 'skipped', NOT_SUBMITTED_COST_GUARD));
      return { clips, billableSeconds, unchanged, refusal: { outcomes, message: costGuardMessage(errorText(error)) } };
    }
    reporter.info(`Within max-billable-seconds (${billableSeconds ?? 0} of ${inputs.maxBillableSeconds}).`);
    // A clip counted as reused that must be submitted after all stays within the guard too.
    unchanged?.limitFallbacks(inputs.maxBillableSeconds, billableSeconds);
  }
  return { clips, billableSeconds, unchanged };
}

/** Sources on a host: skip-unchanged revalidates those; a workspace file's (video-file) fingerprint is its SHA-256 from disk, at no request. */
function hostedOnly(plans: readonly ClipPlan[]): ClipPlan[] {
  return plans.filter((plan) => !plan.file);
}

/** skip-unchanged: hashes the sources that passed and are not known yet (the runner downloads each once) and looks each up. */
async function findUnchanged(unchanged: SkipUnchanged, toCheck: ClipPlan[], inputs: ActionInputs, reporter: Reporter, signal: AbortSignal, pool: Pool) {
  const rest = toCheck.filter((plan) => !unchanged.knownSource(plan.index));
  if (rest.length === 0) return;
  await reporter.group('skip-unchanged: fingerprinting the sources', () =>
    unchanged.find(rest, { signal, pool, deadline: inputs.deadline }, reporter, (plan) => reporter.label(plan)),
  );
}

/** Preflight's line for a source shown unchanged before it was probed: the recorded facts, and what showing it cost. */
function knownSourceLine(url: string, known: KnownSource): string {
  const { record } = known;
  const probe = {
    url,
    ...record.sourceMedia,
    billableSeconds: record.billableSeconds ?? undefined,
    bytesFetched: known.bytes,
    requests: known.requests,
    warnings: [],
  };
  return `${describeProbe(probe)}; ${unchangedSourceInfo(record.taskId, known.notModified)}`;
}

/** Prints what a real run would do; submits and polls nothing. */
export async function dryRun(plan: RunPlan, inputs: ActionInputs, reporter: Reporter): Promise<ClipOutcome[]> {
  await reporter.group('Dry run: nothing is submitted', () => {
    for (const clip of plan.clips) {
      if (clip.resumeTaskId) {
        reporter.info(`Would pick up task ${clip.resumeTaskId} (${reporter.label(clip)}); nothing is billed again.`);
        continue;
      }
      const reused = plan.unchanged?.reuse(clip.index);
      if (reused) {
        reporter.info(wouldReuseInfo(displayUrl(clip.source as string), reused.taskId, reuseDate(reused.completedAt)));
        continue;
      }
      const billable = clip.billableSeconds === undefined ? 'billable seconds unknown' : `${clip.billableSeconds} billable seconds`;
      reporter.info(`Would submit ${displayUrl(clip.source as string)} for ${inputs.upscaleFactor}× upscaling (${billable}).`);
    }
    const submitted = plan.clips.filter((clip) => isSubmitted({ plan: clip, reusedFrom: plan.unchanged?.reuse(clip.index) }));
    if (submitted.length > 0) {
      const total = totalBillableSeconds(submitted);
      reporter.info(
        `${submitted.length} submission${submitted.length === 1 ? '' : 's'}, ${total === undefined ? 'billable seconds unknown' : `${total} billable seconds`} at ${inputs.upscaleFactor}×.`,
      );
    }
    return Promise.resolve();
  });
  return plan.clips.map((clip) => unrunClip(clip, 'dry-run'));
}

/** Checks that need no source: a result that cannot be kept is not paid for. */
export async function checkDelivery(inputs: ActionInputs, reporter: Reporter, names: ResultNameBook, signal?: AbortSignal): Promise<void> {
  if (inputs.artifactName) checkArtifactRuntime();
  if (inputs.download) {
    await prepareDownloadDir(inputs.downloadPath);
    await checkNothingInTheWay(names, inputs.downloadPath);
  }
  // video-file with session credentials: said before anything is staged or paid for, and in a dry run.
  const sessionProblem = inputs.s3 && inputs.sourceBucket ? sessionWarning(inputs.s3, inputs.deadline) : undefined;
  if (sessionProblem) reporter.warning(sessionProblem);
  for (const { input, needs } of inputs.inputsWithoutEffect) reporter.warning(`Input '${input}' has no effect without ${needs}.`);
  if (isInsecureApiBase(inputs.apiBaseUrl)) {
    reporter.warning(
      `Input 'api-base-url' is plain http to another machine (${inputs.apiBaseUrl}): the API key would cross the network unencrypted; use https.`,
    );
  }
  if (inputs.s3 && isInsecureApiBase(inputs.s3.endpoint)) {
    reporter.warning(
      `Input 's3-endpoint' is plain http to another machine (${inputs.s3.endpoint}): objects and signed requests cross the network unencrypted; use https.`,
    );
  }
  if (inputs.s3 && inputs.resultBucket) {
    // Loaded only now: the S3 client would slow every start.
    const { proveBucketWrites } = await import('../delivery/bucket-store');
    await proveBucketWrites(inputs.s3, inputs.resultBucket, reporter, signal);
  }
}

/** Refuses, before anything is submitted, a directory where a result whose name is already known would be saved. */
async function checkNothingInTheWay(names: ResultNameBook, dir: string): Promise<void> {
  for (const base of names.provisional()) {
    if (base === undefined) continue;
    const path = join(dir, resultFileNames(base, 1)[0] as string);
    const state = await targetState(path);
    if (state === 'directory' || state === 'other') throw new InputError(`${inTheWayMessage(path, state)} Nothing was submitted.`);
  }
}
