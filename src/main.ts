/** The action's run: parse → plan → run the clips → report. */
import { ReapiClient } from './reapi/client';
import { uploadResultArtifact, type UploadedArtifact } from './delivery/artifact';
import { unrunClip, type ClipOutcome } from './model/clip';
import { RunRefusedError, isActionError } from './shared/errors';
import { closeDispatcher } from './http/transport';
import { parseInputs, type ActionInputs } from './inputs/parse';
import { runClip } from './pipeline/run-clip';
import type { ResultNameBook } from './delivery/naming';
import { buildClipPlans, checkDelivery, dryRun, planResultNames, preflight, type RunPlan } from './plan/plan';
import { TaskPoller } from './reapi/poller';
import { createPool, type Pool } from './shared/pool';
import { openRelease, type ReleaseTarget } from './release/step';
import { Reporter, coreIO, type ActionIO } from './report/reporter';
import { Timeline } from './shared/timeline';
import { onStopSignals } from './signals';
import { runFailureMessage } from './shared/wording';

/** What is known so far, so a failure can still report every clip. */
interface RunState {
  inputs?: ActionInputs;
  outcomes: ClipOutcome[];
  billableSeconds?: number;
  artifact?: UploadedArtifact;
  /** Preflight or the cost guard refused the run: its failure says it all. */
  refused?: boolean;
  /** The clips were started (or listed, in a dry run). */
  clipsRan?: boolean;
  release?: { url: string };
}

/** Runs the action; resolves true when the step was cancelled (the caller should then exit at once). */
export async function run(io: ActionIO = coreIO()): Promise<boolean> {
  // Masked before anything else can print it.
  for (const secret of ['api-key', 'github-token']) {
    const value = io.getInput(secret).trim();
    if (value) io.setSecret(value);
  }
  const startedAt = Date.now();
  const controller = new AbortController();
  const stopListening = onStopSignals(controller, io);
  const reporter = new Reporter(io, startedAt);
  const timeline = new Timeline();
  const state: RunState = { outcomes: [] };
  let runError: unknown;
  try {
    await execute(state, reporter, timeline, controller.signal);
  } catch (error) {
    runError = error;
    if (!isActionError(error) && error instanceof Error && error.stack) io.debug(error.stack);
  } finally {
    stopListening();
    await closeDispatcher();
  }
  const { inputs, outcomes } = state;
  // A run stopped before any clip got anywhere (cancelled in preflight, a download path that cannot be made) has no status.
  const noStatus = runError !== undefined && !state.refused && !state.clipsRan && !outcomes.some((outcome) => outcome.taskId);
  const runFailure = runError === undefined ? undefined : runFailureMessage(runError, outcomes);
  const failure = reporter.failureLine(outcomes, runFailure, state.refused === true);
  if (!inputs) {
    if (failure) io.setFailed(failure);
    return controller.signal.aborted;
  }
  await reporter.report({
    ...state,
    upscaleFactor: inputs.upscaleFactor,
    concurrency: inputs.concurrency,
    dryRun: inputs.dryRun,
    elapsedMs: Date.now() - startedAt,
    phases: timeline.phases(),
    failure,
    noStatus,
  });
  return controller.signal.aborted;
}

async function execute(state: RunState, reporter: Reporter, timeline: Timeline, signal: AbortSignal): Promise<void> {
  const inputs = parseInputs((name) => reporter.io.getInput(name));
  state.inputs = inputs;
  const plans = buildClipPlans(inputs);
  reporter.setClips(plans);
  // Until a clip runs, it has not been submitted (a resumed task keeps running on reApi).
  state.outcomes = plans.map((plan) => unrunClip(plan, plan.resumeTaskId ? 'processing' : 'skipped'));
  const names = planResultNames(plans, inputs.upscaleFactor);
  await checkDelivery(inputs, reporter, names);
  const release = await openRelease(inputs, reporter, signal);
  if (release) state.release = { url: release.release.htmlUrl };

  const slots = createPool(inputs.concurrency);
  const plan = await preflight(plans, inputs, reporter, signal, slots, timeline);
  state.billableSeconds = plan.billableSeconds;
  if (plan.refusal) {
    state.outcomes = plan.refusal.outcomes;
    state.refused = true;
    throw new RunRefusedError(plan.refusal.message);
  }
  state.clipsRan = true;
  if (inputs.dryRun) {
    state.outcomes = await dryRun(plan, inputs, reporter);
    return;
  }

  state.outcomes = await runClips(plan, inputs, reporter, timeline, signal, slots, names, release);
  if (plan.unchanged) state.billableSeconds = plan.unchanged.billableAfterRun(plan.billableSeconds);
  const files = state.outcomes.flatMap((outcome) => outcome.files.map((file) => file.path));
  const name = inputs.artifactName;
  if (name && files.length > 0 && !signal.aborted) {
    const upload = () => uploadResultArtifact(files, { name, retentionDays: inputs.retentionDays, signal });
    const artifact = await timeline.span('artifact upload', () => reporter.section(`Uploading artifact ${name}`, upload));
    state.artifact = artifact;
    reporter.info(`Artifact ${artifact.name} (id ${artifact.id})${artifact.url ? `: ${artifact.url}` : ''}`);
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
  release?: ReleaseTarget,
) {
  const { apiBaseUrl: baseUrl, apiKey, deadline, pollIntervalMs } = inputs;
  const client = new ReapiClient({ baseUrl, apiKey, signal, deadline, pollIntervalMs, log: (message) => reporter.info(message) });
  const poller = new TaskPoller(client, { deadline, pollIntervalMs, signal, onProgress: (...progress) => reporter.pollProgress(...progress) });
  const ctx = { inputs, client, poller, signal, slots, downloads: createPool(inputs.concurrency), timeline, names, release, unchanged };
  const stopProgress = reporter.startClips(inputs.concurrency);
  try {
    return await Promise.all(
      plans.map(async (plan) => {
        const outcome = await runClip(plan, ctx, reporter.clipLog(plan));
        reporter.clipSettled(outcome);
        return outcome;
      }),
    );
  } finally {
    stopProgress();
  }
}
