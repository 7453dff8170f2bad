import * as core from '@actions/core';
import { ReapiClient, type TaskEnvelope } from './api';
import { checkArtifactRuntime, uploadResultArtifact, type UploadedArtifact } from './artifact';
import { downloadResults, formatBytes, prepareDownloadDir, resultFileNames, type DownloadedFile } from './download';
import { ActionError, CancelledError, errorText, isActionError } from './errors';
import { closeDispatcher } from './http';
import { parseInputs, type ActionInputs } from './inputs';
import { formatElapsed, isTerminal, waitForTask } from './poll';
import { writeSummary, type Phase, type RunReport } from './summary';

/** What is known so far, so a failure can still report the task and its status. */
interface RunState {
  inputs?: ActionInputs;
  taskId?: string;
  status: string;
  videoUrls: string[];
  files: DownloadedFile[];
  artifact?: UploadedArtifact;
  phases: Phase[];
  started: number;
}

/** Runs one phase, recording how long it took for the summary. */
async function timed<T>(state: RunState, name: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    state.phases.push({ name, ms: Date.now() - started });
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

/** Outputs use the documented statuses; queued, pending… are all "processing". */
function outputStatus(status: string): string {
  return isTerminal(status) ? status : 'processing';
}

function setTaskId(state: RunState, taskId: string): void {
  state.taskId = taskId;
  // Set at once, so a step that later fails or times out still hands the id on.
  core.setOutput('task-id', taskId);
}

function setStatus(state: RunState, status: string): void {
  state.status = outputStatus(status);
  core.setOutput('status', state.status);
}

function resumeHint(taskId: string): string {
  return `Resume it without paying again with task-id: ${taskId}.`;
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
  // Checked before submitting, so a job whose result cannot be kept is not paid for.
  if (inputs.artifactName) checkArtifactRuntime();
  if (inputs.download) await prepareDownloadDir(inputs.downloadPath);
  if (inputs.retentionDays !== undefined && !inputs.artifactName) core.warning("Input 'retention-days' has no effect without 'artifact-name'.");
  const client = new ReapiClient({
    baseUrl: inputs.apiBaseUrl,
    apiKey: inputs.apiKey,
    signal,
    timeoutMs: inputs.timeoutMs,
    pollIntervalMs: inputs.pollIntervalMs,
    log: (message) => core.info(message),
  });
  // `timeout` bounds the whole step: submission retries and waiting alike.
  const deadline = state.started + inputs.timeoutMs;

  let task: TaskEnvelope | undefined;
  if (inputs.taskId) {
    setTaskId(state, inputs.taskId);
    core.info(`Resuming task ${inputs.taskId} (no new submission, nothing billed again).`);
  } else {
    const videoUrl = inputs.videoUrl as string;
    core.startGroup(`Submitting ${videoUrl} for ${inputs.upscaleFactor}× upscaling`);
    try {
      task = await client.submitUpscale(videoUrl, inputs.upscaleFactor, { deadline });
    } finally {
      core.endGroup();
    }
    setTaskId(state, task.id);
    core.info(`Task ${task.id} created (status: ${task.status}).`);
  }
  setStatus(state, task?.status ?? 'processing');

  if (!inputs.wait) {
    if (!task) task = await client.getTask(state.taskId as string, { deadline });
    setStatus(state, task.status);
    if (task.status === 'completed') setResults(state, task);
    core.info(`wait is false: not waiting. ${state.status === 'processing' ? resumeHint(task.id) : ''}`.trim());
    if (task.status === 'failed') throw taskFailure(task);
    return;
  }

  const initial = task;
  task = await group(`Waiting for task ${state.taskId} (timeout ${formatElapsed(inputs.timeoutMs)})`, () =>
    waitForTask(client, state.taskId as string, {
      timeoutMs: inputs.timeoutMs,
      deadline,
      pollIntervalMs: inputs.pollIntervalMs,
      signal,
      initial,
      onProgress: (current, elapsedMs, polls) => core.info(`Task ${current.id}: ${current.status} after ${formatElapsed(elapsedMs)} (poll ${polls})`),
    }),
  );
  state.phases.push({ name: 'upscaling', ms: Date.now() - state.started });
  setStatus(state, task.status);
  if (task.status === 'failed') throw taskFailure(task);
  setResults(state, task);
  core.info(`Task ${task.id} completed: ${state.videoUrls.join(', ')}`);

  if (inputs.download) await deliver(state, inputs, signal);
}

/** Downloads the result(s) and, when asked, keeps them as a workflow artifact. */
async function deliver(state: RunState, inputs: ActionInputs, signal: AbortSignal): Promise<void> {
  const names = resultFileNames(state.videoUrls.length, { sourceUrl: inputs.videoUrl, taskId: state.taskId as string, upscaleFactor: inputs.upscaleFactor });
  const count = names.length > 1 ? `${names.length} results` : 'the result';
  state.files = await timed(state, 'download', () =>
    group(`Downloading ${count} to ${inputs.downloadPath}`, () =>
      downloadResults(state.videoUrls, inputs.downloadPath, names, { signal, log: (message) => core.info(message), debug: (message) => core.debug(message) }),
    ),
  );
  for (const file of state.files) core.info(`Saved ${file.path} (${formatBytes(file.bytes)}).`);
  core.setOutput('video-path', state.files[0]?.path);
  core.setOutput('video-paths', JSON.stringify(state.files.map((file) => file.path)));

  const artifactName = inputs.artifactName;
  if (!artifactName) return;
  state.artifact = await timed(state, 'artifact upload', () =>
    group(`Uploading artifact ${artifactName}`, () =>
      uploadResultArtifact(
        state.files.map((file) => file.path),
        { name: artifactName, retentionDays: inputs.retentionDays, signal },
      ),
    ),
  );
  core.setOutput('artifact-id', String(state.artifact.id));
  core.setOutput('artifact-url', state.artifact.url ?? '');
  core.info(`Artifact ${state.artifact.name} (id ${state.artifact.id})${state.artifact.url ? `: ${state.artifact.url}` : ''}`);
}

function taskFailure(task: TaskEnvelope): ActionError {
  const code = task.error?.code === undefined ? 'unknown code' : `code ${task.error.code}`;
  const message = task.error?.message ?? 'no message';
  return new ActionError(`Task ${task.id} failed on reApi (${code}: ${message}). Failed jobs are refunded automatically.`);
}

function setResults(state: RunState, task: TaskEnvelope): void {
  const urls = task.output?.video_urls?.filter((url) => url.length > 0) ?? [];
  if (urls.length === 0) {
    throw new ActionError(
      `Task ${task.id} is completed but its output.video_urls is empty, so there is no result to return; contact reApi support with the task id.`,
    );
  }
  state.videoUrls = urls;
  core.setOutput('video-url', urls[0]);
  core.setOutput('video-urls', JSON.stringify(urls));
}

/** One clear sentence for the user, always naming the task when there is one. */
function failureMessage(error: unknown, state: RunState): string {
  let message = isActionError(error) ? errorText(error) : `Unexpected error: ${errorText(error)}`;
  if (error instanceof CancelledError) {
    message = state.taskId
      ? state.status === 'completed'
        ? `Cancelled while delivering the result of task ${state.taskId}; no partial file was left behind. ${resumeHint(state.taskId)}`
        : `Cancelled while waiting for task ${state.taskId}; the task keeps running on reApi. ${resumeHint(state.taskId)}`
      : error.requestInFlight
        ? errorText(error)
        : 'Cancelled before any task was created.';
  } else if (state.taskId && state.videoUrls.length > 0) {
    // The task is done and paid for; only delivering its result failed.
    message = `${message.replace(/[^.!?)]$/, '$&.')} Task ${state.taskId} is completed, so re-running with task-id: ${state.taskId} delivers it again without paying.`;
  } else if (state.taskId && !message.includes(state.taskId)) {
    message += ` (task-id: ${state.taskId}; ${resumeHint(state.taskId)})`;
  }
  return message;
}

export async function run(): Promise<void> {
  // Masked before anything else can print it.
  const rawKey = core.getInput('api-key').trim();
  if (rawKey) core.setSecret(rawKey);

  const controller = new AbortController();
  const removeSignalHandlers = onStopSignals(controller);
  const state: RunState = { status: 'processing', videoUrls: [], files: [], phases: [], started: Date.now() };
  let error: string | undefined;
  try {
    await execute(state, controller.signal);
  } catch (caught) {
    error = failureMessage(caught, state);
    if (!isActionError(caught) && caught instanceof Error && caught.stack) core.debug(caught.stack);
    core.setFailed(error);
  } finally {
    removeSignalHandlers();
    await closeDispatcher();
  }
  if (state.inputs) {
    const report: RunReport = {
      source: state.inputs.videoUrl,
      upscaleFactor: state.inputs.upscaleFactor,
      taskId: state.taskId,
      status: state.status,
      elapsedMs: Date.now() - state.started,
      videoUrls: state.videoUrls,
      phases: state.phases,
      files: state.files,
      artifact: state.artifact,
      error,
      resumeTaskId: error && (state.status === 'processing' || state.videoUrls.length > 0) ? state.taskId : undefined,
    };
    await writeSummary(report);
  }
}
