import * as core from '@actions/core';
import { ReapiClient, type TaskEnvelope } from './api';
import { ActionError, CancelledError, errorText, isActionError } from './errors';
import { closeDispatcher } from './http';
import { parseInputs, type ActionInputs } from './inputs';
import { formatElapsed, isTerminal, waitForTask } from './poll';
import { writeSummary, type RunReport } from './summary';

/** What is known so far, so a failure can still report the task and its status. */
interface RunState {
  inputs?: ActionInputs;
  taskId?: string;
  status: string;
  videoUrls: string[];
  started: number;
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

  core.startGroup(`Waiting for task ${state.taskId} (timeout ${formatElapsed(inputs.timeoutMs)})`);
  try {
    task = await waitForTask(client, state.taskId as string, {
      timeoutMs: inputs.timeoutMs,
      deadline,
      pollIntervalMs: inputs.pollIntervalMs,
      signal,
      initial: task,
      onProgress: (current, elapsedMs, polls) => core.info(`Task ${current.id}: ${current.status} after ${formatElapsed(elapsedMs)} (poll ${polls})`),
    });
  } finally {
    core.endGroup();
  }
  setStatus(state, task.status);
  if (task.status === 'failed') throw taskFailure(task);
  setResults(state, task);
  core.info(`Task ${task.id} completed: ${state.videoUrls.join(', ')}`);
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
      ? `Cancelled while waiting for task ${state.taskId}; the task keeps running on reApi. ${resumeHint(state.taskId)}`
      : error.requestInFlight
        ? errorText(error)
        : 'Cancelled before any task was created.';
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
  const state: RunState = { status: 'processing', videoUrls: [], started: Date.now() };
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
      error,
    };
    await writeSummary(report);
  }
}
