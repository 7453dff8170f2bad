/** The action's run: parse → plan → run the clips → report. */
import { ReapiClient } from './reapi/client';
import { uploadResultArtifact, type UploadedArtifact } from './delivery/artifact';
import { notRunClips, type ClipOutcome, type WorkspaceFile } from './model/clip';
import { billedSeconds } from './model/billing';
import { RunRefusedError, isActionError } from './shared/errors';
import { closeDispatcher } from './http/transport';
import { parseInputs, type ActionInputs } from './inputs/parse';
import { awsSecretsOf } from './inputs/bucket';
import { runClip } from './pipeline/run-clip';
import { openStaging } from './pipeline/staging-step';
import type { ResultNameBook } from './delivery/naming';
import { buildClipPlans, checkDelivery, dryRun, planResultNames, preflight, type RunPlan } from './plan/plan';
import { TaskPoller } from './reapi/poller';
import { createPool, type Pool } from './shared/pool';
import { openRelease, type ReleaseTarget } from './release/step';
import { Reporter, coreIO, type ActionIO } from './report/reporter';
import { stepFailure, type RunEnd } from './report/outputs';
import { Timeline } from './shared/timeline';
import { onStopSignals } from './signals';
import { findWorkspaceFiles } from './source/local-file';
import { SharedActionsCache } from './skip-unchanged/shared-store';
import { resumingReruns } from './rerun/reruns';

/** What the run did, for the report: how it ended, and what it made on the way. */
interface RunDone extends RunEnd {
  billableSeconds?: number;
  artifact?: UploadedArtifact;
  release?: { url: string };
  actionsCache?: SharedActionsCache; // an abandoned Actions cache call may hold a socket open
}

/** What the entry point needs once the run has reported: whether it was cancelled, and must exit now (nothing may hold it open). */
export type RunExit = { cancelled: boolean; mustExit: boolean };

/** Runs the action and reports it. */
export async function run(io: ActionIO = coreIO()): Promise<RunExit> {
  // Masked before anything else can print it.
  for (const secret of ['api-key', 'github-token']) {
    const value = io.getInput(secret).trim();
    if (value) io.setSecret(value);
  }
  for (const secret of awsSecretsOf(process.env)) io.setSecret(secret);
  const startedAt = Date.now();
  const controller = new AbortController();
  const stopListening = onStopSignals(controller, io);
  const reporter = new Reporter(io, startedAt);
  const timeline = new Timeline();
  let inputs: ActionInputs | undefined;
  let done: RunDone;
  try {
    const parsed = parseInputs((name) => io.getInput(name));
    // video-file: the files are found and checked on disk as part of reading the inputs, before any request.
    const files = await findWorkspaceFiles(parsed.videoFiles, process.env.GITHUB_WORKSPACE || process.cwd(), parsed.videoUrls.length);
    inputs = parsed;
    done = await execute(inputs, files, reporter, timeline, controller.signal);
  } catch (error) {
    // Only reading the inputs fails the run before it starts: nothing ran, the failure says why.
    done = { outcomes: [], error };
  } finally {
    stopListening();
    await closeDispatcher();
  }
  const { error } = done;
  if (!isActionError(error) && error instanceof Error && error.stack) io.debug(error.stack);
  if (!inputs) io.setFailed(stepFailure(done) ?? '');
  else {
    const { upscaleFactor, concurrency, dryRun } = inputs;
    await reporter.report({ ...done, upscaleFactor, concurrency, dryRun, elapsedMs: Date.now() - startedAt, phases: timeline.phases() });
  }
  return { cancelled: controller.signal.aborted, mustExit: controller.signal.aborted || done.actionsCache?.abandoned === true };
}

/** Plans the run and runs its clips; never throws: what stopped it is part of how it ended. */
async function execute(inputs: ActionInputs, files: WorkspaceFile[], reporter: Reporter, timeline: Timeline, signal: AbortSignal): Promise<RunDone> {
  const plans = buildClipPlans(inputs, files);
  const actionsCache = new SharedActionsCache(reporter);
  reporter.setClips(plans);
  let release: ReleaseTarget | undefined;
  let plan: RunPlan | undefined;
  const slots = createPool(inputs.concurrency);
  try {
    const names = planResultNames(plans, inputs.upscaleFactor);
    await checkDelivery(inputs, reporter, names, signal);
    release = await openRelease(inputs, reporter, signal);
    plan = await preflight(plans, inputs, reporter, signal, slots, timeline, actionsCache);
    const known = { release: release && { url: release.release.htmlUrl }, billableSeconds: plan.billableSeconds, actionsCache };
    if (plan.refusal) return { ...known, outcomes: plan.refusal.outcomes, refused: true, error: new RunRefusedError(plan.refusal.message) };
    if (inputs.dryRun) return { ...known, outcomes: await dryRun(plan, inputs, reporter), clipsRan: true };

    const outcomes = await runClips(plan, inputs, reporter, timeline, signal, slots, names, release, actionsCache);
    // A reused clip whose earlier task could not be delivered after all was submitted: billed by what the clips did.
    const ran = { ...known, outcomes, clipsRan: true, billableSeconds: billedSeconds(outcomes) };
    try {
      return { ...ran, artifact: await uploadArtifact(outcomes, inputs, reporter, timeline, signal) };
    } catch (error) {
      return { ...ran, error };
    }
  } catch (error) {
    return { outcomes: notRunClips(plans), error, release: release && { url: release.release.htmlUrl }, billableSeconds: plan?.billableSeconds, actionsCache };
  }
}

/** Submits (or resumes), waits for and delivers every clip, at most `concurrency` at a time. */
async function runClips(
  { clips: plans, unchanged }: RunPlan,
  inputs: ActionInputs,
  reporter: Reporter,
  timeline: Timeline,
  signal: AbortSignal,
  slots: Pool,
  names: ResultNameBook,
  release: ReleaseTarget | undefined,
  actionsCache: SharedActionsCache,
): Promise<ClipOutcome[]> {
  const { apiBaseUrl: baseUrl, apiKey, deadline, pollIntervalMs } = inputs;
  const client = new ReapiClient({ baseUrl, apiKey, signal, deadline, pollIntervalMs, log: reporter });
  const poller = new TaskPoller(client, { deadline, pollIntervalMs, signal, onProgress: (...progress) => reporter.pollProgress(...progress) });
  const { s3, sourceBucket } = inputs;
  const staging = s3 && sourceBucket ? await openStaging(s3, sourceBucket, deadline, signal, reporter) : undefined;
  const reruns = resumingReruns(inputs, reporter, actionsCache);
  const ctx = { inputs, client, poller, signal, slots, downloads: createPool(inputs.concurrency), timeline, names, release, unchanged, staging, reruns };
  const stopProgress = reporter.startClips(inputs.concurrency);
  try {
    return await Promise.all(
      plans.map(async (plan) => {
        const log = reporter.clipLog(plan);
        const outcome = await runClip(plan, ctx, log, (event) => reporter.clipEvent(plan, event, log));
        reporter.clipSettled(outcome);
        return outcome;
      }),
    );
  } finally {
    stopProgress();
    await reruns?.settled(); // records still being saved, each within the store's time limit, cancelled or not
  }
}

/** artifact-name: the saved results as one workflow artifact, unless the step is being cancelled. */
async function uploadArtifact(outcomes: readonly ClipOutcome[], inputs: ActionInputs, reporter: Reporter, timeline: Timeline, signal: AbortSignal) {
  const files = outcomes.flatMap((outcome) => outcome.files.map((file) => file.path));
  const name = inputs.artifactName;
  if (!name || files.length === 0 || signal.aborted) return undefined;
  const upload = () => uploadResultArtifact(files, { name, retentionDays: inputs.retentionDays, signal });
  const artifact = await timeline.span('artifact upload', () => reporter.group(`Uploading artifact ${name}`, upload));
  reporter.info(`Artifact ${artifact.name} (id ${artifact.id})${artifact.url ? `: ${artifact.url}` : ''}`);
  return artifact;
}
