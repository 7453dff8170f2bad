import { join } from 'node:path';
import * as core from '@actions/core';
import { ReapiClient, type TaskEnvelope } from './api';
import { checkArtifactRuntime, uploadResultArtifact, type UploadedArtifact } from './artifact';
import {
  batchFailureMessage,
  buildClips,
  clipLabel,
  clipResults,
  overallStatus,
  resumableTaskIds,
  tally,
  taskIdInput,
  totalBillable,
  type Clip,
} from './batch';
import { downloadFile, formatBytes, prepareDownloadDir } from './download';
import { checkTargets, inTheWayMessage, replacedWarning, targetState } from './download-targets';
import { ActionError, CancelledError, InputError, errorText, isActionError } from './errors';
import { closeDispatcher } from './http';
import { isInsecureApiBase, parseInputs, type ActionInputs } from './inputs';
import { ResultNameBook, resultBaseName, resultFileNames } from './naming';
import { TaskPoller, WaitTimeoutError, formatElapsed } from './poll';
import { CostGuardError, checkCostGuard, describeProbe, displayUrl, probeSources } from './preflight';
import { renderBatchSummary, renderSummary, writeSummary, type Phase } from './summary';

/** What is known so far, so a failure can still report every task and its status. */
interface RunState {
  inputs?: ActionInputs;
  clips: Clip[];
  /** Each clip's file name, unique in source order once its task id is known. */
  names: ResultNameBook;
  artifact?: UploadedArtifact;
  /** Wall-clock window of each phase; in a batch, clips overlap inside one window. */
  phases: Map<string, { start: number; end: number }>;
  started: number;
}

/** Everything a clip's pipeline needs. */
interface Context {
  state: RunState;
  inputs: ActionInputs;
  client: ReapiClient;
  poller: TaskPoller;
  signal: AbortSignal;
  deadline: number;
  /** More than one clip: log lines are prefixed with the clip instead of grouped per phase. */
  batch: boolean;
}

/** A clip whose turn came after the timeout had run out: never submitted. */
class NotStartedError extends ActionError {
  override name = 'NotStartedError';
}

/** Runs `work`, widening the phase's window to cover it (for the summary). */
async function span<T>(state: RunState, name: string, work: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await work();
  } finally {
    const window = state.phases.get(name);
    state.phases.set(name, { start: Math.min(window?.start ?? start, start), end: Date.now() });
  }
}

/** Runs `work` inside a collapsible log group. */
async function group<T>(title: string, work: () => Promise<T>): Promise<T> {
  core.startGroup(title);
  try {
    return await work();
  } finally {
    core.endGroup();
  }
}

function log(ctx: Context, clip: Clip, message: string): void {
  core.info(ctx.batch ? `[${clipLabel(clip, ctx.state.clips.length)}] ${message}` : message);
}

/** One phase of one clip: its own log group for a single clip; in a batch, a prefixed line (groups cannot interleave). */
function phase<T>(ctx: Context, clip: Clip, title: string, work: () => Promise<T>): Promise<T> {
  if (ctx.batch) {
    log(ctx, clip, title);
    return work();
  }
  return group(title, work);
}

function resumeHint(taskId: string): string {
  return `Resume it without paying again with task-id: ${taskId}.`;
}

/** task-id (the first clip's) and task-ids are set as soon as a task exists, so a step that later fails or is killed still hands them on. */
function publishTaskIds(clips: readonly Clip[]): void {
  const ids = clips.map((clip) => clip.taskId).filter((id): id is string => id !== undefined);
  if (ids[0]) core.setOutput('task-id', ids[0]);
  core.setOutput('task-ids', JSON.stringify(ids));
}

/** Cancels the run when the runner stops the step (workflow cancelled, job timeout). */
function onStopSignals(controller: AbortController): () => void {
  const stop = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) core.info(`Received ${signal}: stopping.`);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
}

async function execute(state: RunState, signal: AbortSignal): Promise<void> {
  const inputs = parseInputs((name) => core.getInput(name));
  state.inputs = inputs;
  state.clips = buildClips(inputs);
  state.names = new ResultNameBook(state.clips.length);
  for (const clip of state.clips) {
    // A source without a usable file name is named after its task id, known once it is submitted.
    const base = baseName(clip, inputs);
    if (base !== undefined) state.names.settle(clip.index, base);
  }
  // Checked before submitting, so a job whose result cannot be kept is not paid for.
  if (inputs.artifactName) checkArtifactRuntime();
  if (inputs.download) {
    await prepareDownloadDir(inputs.downloadPath);
    await checkNothingInTheWay(state.names, inputs.downloadPath);
  }
  if (inputs.retentionDays !== undefined && !inputs.artifactName) core.warning("Input 'retention-days' has no effect without 'artifact-name'.");
  if (isInsecureApiBase(inputs.apiBaseUrl)) {
    core.warning(`Input 'api-base-url' is plain http to another machine (${inputs.apiBaseUrl}): the API key would cross the network unencrypted; use https.`);
  }

  const toSubmit = state.clips.filter((clip) => clip.submitted);
  if (inputs.preflight && toSubmit.length > 0) await span(state, 'preflight', () => preflight(toSubmit, inputs, signal));
  if (inputs.dryRun) return dryRun(state, inputs);

  const client = new ReapiClient({
    baseUrl: inputs.apiBaseUrl,
    apiKey: inputs.apiKey,
    signal,
    timeoutMs: inputs.timeoutMs,
    pollIntervalMs: inputs.pollIntervalMs,
    log: (message) => core.info(message),
  });
  const batch = state.clips.length > 1;
  const byTask = new Map<string, Clip>();
  // `timeout` bounds the whole step: preflight, submission retries and waiting alike.
  const deadline = state.started + inputs.timeoutMs;
  const ctx: Context = {
    state,
    inputs,
    client,
    signal,
    batch,
    deadline,
    poller: new TaskPoller(client, {
      timeoutMs: inputs.timeoutMs,
      deadline,
      pollIntervalMs: inputs.pollIntervalMs,
      signal,
      onProgress: (task, elapsedMs, polls) => {
        const line = `Task ${task.id}: ${task.status} after ${formatElapsed(elapsedMs)} (poll ${polls})`;
        const clip = byTask.get(task.id);
        if (!batch || !clip) core.info(line);
        else core.debug(`[${clipLabel(clip, state.clips.length)}] ${line}`);
      },
    }),
  };
  for (const clip of state.clips) if (clip.taskId) byTask.set(clip.taskId, clip);

  const slots = limiter(inputs.concurrency);
  const downloads = limiter(inputs.concurrency);
  const stopProgress = batch ? reportProgressEvery(30_000, state) : () => undefined;
  if (batch) core.info(`Upscaling ${state.clips.length} clips, at most ${inputs.concurrency} at a time.`);
  try {
    await Promise.all(
      state.clips.map(async (clip) => {
        try {
          const done = await slots(() => upscaleClip(ctx, clip, byTask));
          if (done && inputs.download) await downloads(() => deliverClip(ctx, clip));
        } catch (error) {
          recordFailure(ctx, clip, error);
        } finally {
          // A clip that never got a task has no result; later clips need not wait for its name.
          state.names.settle(clip.index, baseName(clip, inputs));
        }
      }),
    );
  } finally {
    stopProgress();
  }
  if (batch) core.info(progressLine(state));

  const files = state.clips.flatMap((clip) => clip.files);
  const artifactName = inputs.artifactName;
  if (artifactName && files.length > 0 && !signal.aborted) {
    state.artifact = await span(state, 'artifact upload', () =>
      group(`Uploading artifact ${artifactName}`, () =>
        uploadResultArtifact(
          files.map((file) => file.path),
          { name: artifactName, retentionDays: inputs.retentionDays, signal },
        ),
      ),
    );
    core.setOutput('artifact-id', String(state.artifact.id));
    core.setOutput('artifact-url', state.artifact.url ?? '');
    core.info(`Artifact ${state.artifact.name} (id ${state.artifact.id})${state.artifact.url ? `: ${state.artifact.url}` : ''}`);
  }
}

/**
 * Checks every source before anything is submitted: reachable, within 50 MB,
 * a video, and its duration (so the billable seconds are known). One bad
 * source or a total over max-billable-seconds stops the whole run unpaid.
 */
async function preflight(clips: Clip[], inputs: ActionInputs, signal: AbortSignal): Promise<void> {
  await group(`Preflight: checking ${clips.length === 1 ? 'the source' : `${clips.length} sources`}`, async () => {
    const checks = await probeSources(
      clips.map((clip) => clip.source as string),
      { signal, concurrency: inputs.concurrency },
    );
    checks.forEach((check, index) => {
      const clip = clips[index] as Clip;
      if (check.probe) {
        core.info(describeProbe(check.probe));
        for (const warning of check.probe.warnings) core.warning(warning);
        clip.billableSeconds = check.probe.billableSeconds;
      }
      if (check.error) {
        clip.status = 'failed';
        clip.error = errorText(check.error);
        core.info(`${displayUrl(clip.source as string)}: ${clip.error}`);
      }
    });
  });

  const total = totalBillable(clips);
  if (total !== undefined) {
    core.setOutput('billable-seconds', String(total));
    core.info(`Billable seconds: ${total} (ceil of each source's duration${clips.length > 1 ? ', summed' : ''}).`);
  }

  const refused = clips.filter((clip) => clip.error);
  if (refused.length > 0) {
    for (const clip of clips) {
      if (clip.error) continue;
      clip.status = 'skipped';
      clip.error = 'Not submitted: preflight refused another source of this run.';
    }
    if (clips.length === 1) throw new ActionError(`${refused[0]?.error ?? ''} Nothing was submitted.`);
    const listed = refused.map((clip) => `${clipLabel(clip, clips.length)}: ${clip.error?.replace(/\.$/, '')}`).join('; ');
    throw new ActionError(`Preflight refused ${refused.length} of ${clips.length} sources, so nothing was submitted: ${listed}.`);
  }

  if (inputs.maxBillableSeconds !== undefined) {
    try {
      checkCostGuard(
        clips.map((clip) => ({ url: clip.source as string, billableSeconds: clip.billableSeconds })),
        inputs.maxBillableSeconds,
      );
    } catch (error) {
      if (!(error instanceof CostGuardError)) throw error;
      for (const clip of clips) {
        clip.status = 'skipped';
        clip.error = 'Not submitted: the run is over max-billable-seconds.';
      }
      throw new ActionError(`${errorText(error)} Nothing was submitted.`);
    }
    core.info(`Within max-billable-seconds (${total ?? 0} of ${inputs.maxBillableSeconds}).`);
  }
}

/** Prints what a real run would do; submits and polls nothing. */
async function dryRun(state: RunState, inputs: ActionInputs): Promise<void> {
  await group('Dry run: nothing is submitted', () => {
    for (const clip of state.clips) {
      clip.status = 'dry-run';
      const label = clipLabel(clip, state.clips.length);
      if (!clip.submitted) {
        core.info(`Would pick up task ${clip.taskId as string} (${label}); nothing is billed again.`);
        continue;
      }
      const billable = clip.billableSeconds === undefined ? 'billable seconds unknown' : `${clip.billableSeconds} billable seconds`;
      core.info(`Would submit ${displayUrl(clip.source as string)} for ${inputs.upscaleFactor}× upscaling (${billable}).`);
    }
    const submitted = state.clips.filter((clip) => clip.submitted);
    if (submitted.length > 0) {
      const total = totalBillable(submitted);
      core.info(
        `${submitted.length} submission${submitted.length === 1 ? '' : 's'}, ${total === undefined ? 'billable seconds unknown' : `${total} billable seconds`} at ${inputs.upscaleFactor}×.`,
      );
    }
    return Promise.resolve();
  });
}

/** Submits (or resumes) one clip and waits for it. Returns true when it completed and its results can be downloaded. */
async function upscaleClip(ctx: Context, clip: Clip, byTask: Map<string, Clip>): Promise<boolean> {
  const { inputs, client, signal, deadline, state } = ctx;
  if (signal.aborted) throw new CancelledError('Cancelled.');
  const started = Date.now();
  let task: TaskEnvelope | undefined;
  if (clip.submitted) {
    if (started >= deadline) throw new NotStartedError('Not submitted: the timeout ran out before its turn.');
    const source = clip.source as string;
    task = await span(state, 'upscaling', () =>
      phase(ctx, clip, `Submitting ${source} for ${inputs.upscaleFactor}× upscaling`, () => client.submitUpscale(source, inputs.upscaleFactor, { deadline })),
    );
    clip.taskId = task.id;
    clip.status = 'processing';
    state.names.settle(clip.index, baseName(clip, inputs));
    byTask.set(task.id, clip);
    publishTaskIds(state.clips);
    log(ctx, clip, `Task ${task.id} created (status: ${task.status}).`);
  } else {
    clip.status = 'processing';
    log(ctx, clip, `Resuming task ${clip.taskId as string} (no new submission, nothing billed again).`);
  }
  core.setOutput('status', overallStatus(state.clips));
  const taskId = clip.taskId as string;

  if (!inputs.wait) {
    task ??= await client.getTask(taskId, { deadline });
    applyTask(clip, task);
    log(ctx, clip, `wait is false: not waiting. ${clip.status === 'processing' ? resumeHint(taskId) : ''}`.trim());
    return false;
  }

  const initial = task;
  task = await span(state, 'upscaling', () =>
    phase(ctx, clip, `Waiting for task ${taskId} (timeout ${formatElapsed(inputs.timeoutMs)})`, () => ctx.poller.watch(taskId, initial)),
  );
  applyTask(clip, task);
  log(ctx, clip, `Task ${taskId} completed in ${formatElapsed(Date.now() - started)}: ${clip.videoUrls.join(', ')}`);
  return true;
}

/** Takes a task's terminal (or current) state into the clip; a failed task or an empty result is an error. */
function applyTask(clip: Clip, task: TaskEnvelope): void {
  if (task.status === 'failed') {
    clip.status = 'failed';
    const code = task.error?.code === undefined ? 'unknown code' : `code ${task.error.code}`;
    const message = task.error?.message ?? 'no message';
    throw new ActionError(`Task ${task.id} failed on reApi (${code}: ${message}). Failed jobs are refunded automatically.`);
  }
  if (task.status !== 'completed') {
    clip.status = 'processing';
    return;
  }
  const urls = task.output?.video_urls?.filter((url) => url.length > 0) ?? [];
  if (urls.length === 0) {
    clip.status = 'failed';
    throw new ActionError(
      `Task ${task.id} is completed but its output.video_urls is empty, so there is no result to return; contact reApi support with the task id.`,
    );
  }
  clip.status = 'completed';
  clip.videoUrls = urls;
}

/** The name a clip's results are saved under before numbering; undefined while it has no source name and no task. */
function baseName(clip: Clip, inputs: ActionInputs): string | undefined {
  return resultBaseName({ sourceUrl: clip.source, taskId: clip.taskId, upscaleFactor: inputs.upscaleFactor });
}

/** Refuses, before anything is submitted, a directory where a result whose name is already known would be saved. */
async function checkNothingInTheWay(names: ResultNameBook, dir: string): Promise<void> {
  for (const base of names.provisional()) {
    if (base === undefined) continue;
    const [name] = resultFileNames(base, 1) as [string];
    const state = await targetState(join(dir, name));
    if (state === 'directory' || state === 'other') throw new InputError(`${inTheWayMessage(join(dir, name), state)} Nothing was submitted.`);
  }
}

/**
 * Downloads one clip's result(s). Each file is listed on the clip as soon as
 * it is saved, so a later result that fails leaves the earlier ones reported.
 */
async function deliverClip(ctx: Context, clip: Clip): Promise<void> {
  const { inputs, signal, state } = ctx;
  if (signal.aborted) throw new CancelledError('Cancelled.');
  const names = resultFileNames(await state.names.finalBase(clip.index, signal), clip.videoUrls.length);
  const existing = await checkTargets(inputs.downloadPath, names);
  const count = names.length > 1 ? `${names.length} results` : 'the result';
  await span(state, 'download', () =>
    phase(ctx, clip, `Downloading ${count} to ${inputs.downloadPath}`, async () => {
      for (const [index, url] of clip.videoUrls.entries()) {
        const file = await downloadFile(url, inputs.downloadPath, names[index] as string, {
          signal,
          log: (message) => log(ctx, clip, message),
          debug: (message) => core.debug(message),
        });
        clip.files.push(file);
        log(ctx, clip, `Saved ${file.path} (${formatBytes(file.bytes)}).`);
        if (existing.has(file.name)) core.warning(replacedWarning(file.path));
      }
    }),
  );
}

/** "; 1 of 2 results was saved (listed in video-paths)": what a clip whose delivery stopped part-way left on disk. */
function savedSoFar(clip: Clip): string {
  const saved = clip.files.length;
  if (saved === 0 || saved >= clip.videoUrls.length) return '';
  return `; ${saved} of ${clip.videoUrls.length} results ${saved === 1 ? 'was' : 'were'} saved (listed in video-paths)`;
}

/** Records why a clip did not complete, in one sentence that names its task when there is one. */
function recordFailure(ctx: Context, clip: Clip, error: unknown): void {
  if (clip.status === 'pending') clip.status = error instanceof NotStartedError || isCancelledBeforeSending(error) ? 'skipped' : 'failed';
  if (error instanceof WaitTimeoutError) clip.status = 'processing';
  clip.error = clipFailureMessage(error, clip);
  if (!isActionError(error) && error instanceof Error && error.stack) core.debug(error.stack);
  // In a batch each failure is its own annotation (a cancellation is one event, told once); the step's final line sums them up.
  if (ctx.batch && !(error instanceof CancelledError)) core.error(`${clipLabel(clip, ctx.state.clips.length)}: ${clip.error}`);
}

function isCancelledBeforeSending(error: unknown): boolean {
  return error instanceof CancelledError && !error.requestInFlight;
}

/** One clear sentence for the user, always naming the task when there is one. */
function clipFailureMessage(error: unknown, clip: Clip): string {
  let message = isActionError(error) ? errorText(error) : `Unexpected error: ${errorText(error)}`;
  const { taskId } = clip;
  if (error instanceof CancelledError) {
    message = taskId
      ? clip.status === 'completed'
        ? `Cancelled while delivering the result of task ${taskId}${savedSoFar(clip)}; no partial file was left behind. ${resumeHint(taskId)}`
        : `Cancelled while waiting for task ${taskId}; the task keeps running on reApi. ${resumeHint(taskId)}`
      : error.requestInFlight
        ? errorText(error)
        : clip.submitted
          ? 'Cancelled before it was submitted; nothing was billed.'
          : message;
  } else if (taskId && clip.videoUrls.length > 0) {
    // The task is done and paid for; only delivering its result failed.
    const saved = savedSoFar(clip);
    if (saved) message = `${message.replace(/[.!?]$/, '')}${saved}.`;
    message = `${message.replace(/[^.!?)]$/, '$&.')} Task ${taskId} is completed, so re-running with task-id: ${taskId} delivers it again without paying.`;
  } else if (taskId && !message.includes(taskId)) {
    message += ` (task-id: ${taskId}; ${resumeHint(taskId)})`;
  }
  return message;
}

/** A failure of the run as a whole (inputs, preflight, cost guard, artifact upload, cancellation before any clip). */
function runFailureMessage(error: unknown, state: RunState): string {
  let message = isActionError(error) ? errorText(error) : `Unexpected error: ${errorText(error)}`;
  if (error instanceof CancelledError && !error.requestInFlight && !state.clips.some((clip) => clip.taskId)) {
    message = 'Cancelled before any task was created; nothing was billed.';
  }
  const delivered = state.clips.filter((clip) => clip.status === 'completed' && clip.taskId).map((clip) => clip.taskId as string);
  if (delivered.length > 0 && !(error instanceof CancelledError)) {
    const ids = delivered.length === 1 ? `Task ${delivered[0]} is` : `Tasks ${delivered.join(', ')} are`;
    message = `${message.replace(/[^.!?)]$/, '$&.')} ${ids} completed, so re-running with ${taskIdInput(delivered)} delivers ${delivered.length === 1 ? 'it' : 'them'} again without paying.`;
  }
  return message;
}

/** Counts per status, for the batch progress line. */
function progressLine(state: RunState): string {
  const counts = tally(state.clips.map((clip) => clip.status));
  const order = ['completed', 'processing', 'pending', 'failed', 'skipped'];
  const parts = order.filter((status) => counts.has(status)).map((status) => `${counts.get(status)} ${status === 'pending' ? 'waiting for a slot' : status}`);
  return `Progress after ${formatElapsed(Date.now() - state.started)}: ${parts.join(', ')}.`;
}

function reportProgressEvery(ms: number, state: RunState): () => void {
  const timer = setInterval(() => core.info(progressLine(state)), ms);
  timer.unref();
  return () => clearInterval(timer);
}

/** At most `max` pieces of work at once, started in the order they ask. */
function limiter(max: number): <T>(work: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await work();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** Sets every output that sums up the clips (task-id is also set early, as soon as it exists). */
function publishOutputs(state: RunState): void {
  const { clips } = state;
  publishTaskIds(clips);
  core.setOutput('status', overallStatus(clips));
  const urls = clips.flatMap((clip) => clip.videoUrls);
  if (urls.length > 0) {
    core.setOutput('video-url', urls[0]);
    core.setOutput('video-urls', JSON.stringify(urls));
  }
  const paths = clips.flatMap((clip) => clip.files.map((file) => file.path));
  if (paths.length > 0) {
    core.setOutput('video-path', paths[0]);
    core.setOutput('video-paths', JSON.stringify(paths));
  }
  core.setOutput('results', JSON.stringify(clipResults(clips)));
}

/** The step's failure, if any: the run's own error, then what the clips left unfinished. */
function stepFailure(state: RunState, runError: unknown): string | undefined {
  const parts: string[] = [];
  const unfinished = state.clips.filter((clip) => clip.error);
  // A run error that refused every clip (preflight, cost guard) already says it all.
  const refusedAll = runError !== undefined && state.clips.every((clip) => clip.status === 'skipped' || clip.status === 'failed');
  if (unfinished.length > 0 && !refusedAll) parts.push(state.clips.length === 1 ? (unfinished[0]?.error ?? '') : batchFailureMessage(state.clips));
  if (runError !== undefined) parts.push(runFailureMessage(runError, state));
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** Runs the action; resolves true when the step was cancelled (the caller should then exit at once). */
export async function run(): Promise<boolean> {
  // Masked before anything else can print it.
  const rawKey = core.getInput('api-key').trim();
  if (rawKey) core.setSecret(rawKey);

  const controller = new AbortController();
  const removeSignalHandlers = onStopSignals(controller);
  const state: RunState = { clips: [], names: new ResultNameBook(0), phases: new Map(), started: Date.now() };
  let runError: unknown;
  try {
    await execute(state, controller.signal);
  } catch (caught) {
    runError = caught;
    if (!isActionError(caught) && caught instanceof Error && caught.stack) core.debug(caught.stack);
  } finally {
    removeSignalHandlers();
    await closeDispatcher();
  }
  if (state.inputs) publishOutputs(state);
  const failure = stepFailure(state, runError);
  if (failure) core.setFailed(failure);
  if (state.inputs) await writeSummary(summaryMarkdown(state, state.inputs, failure));
  return controller.signal.aborted;
}

function phases(state: RunState): Phase[] {
  return [...state.phases].map(([name, window]) => ({ name, ms: window.end - window.start }));
}

/** The job summary: the single-clip card, or a table with one row per clip. */
function summaryMarkdown(state: RunState, inputs: ActionInputs, error: string | undefined): string {
  const common = {
    upscaleFactor: inputs.upscaleFactor,
    status: overallStatus(state.clips),
    elapsedMs: Date.now() - state.started,
    phases: phases(state),
    artifact: state.artifact,
    error,
    dryRun: inputs.dryRun,
  };
  const resumable = error ? resumableTaskIds(state.clips) : [];
  const clip = state.clips[0];
  if (state.clips.length > 1 || !clip) return renderBatchSummary({ ...common, clips: state.clips, concurrency: inputs.concurrency, resumeTaskIds: resumable });
  return renderSummary({
    ...common,
    source: clip.source,
    taskId: clip.taskId,
    videoUrls: clip.videoUrls,
    files: clip.files,
    billableSeconds: clip.billableSeconds,
    resumeTaskId: resumable[0],
  });
}
