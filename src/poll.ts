import { UnreadableAnswersError, type ReapiClient, type TaskEnvelope } from './api';
import { ActionError, ResponseFormatError, errorText } from './errors';
import { sleep } from './http';
import { isRetryable } from './retry';

/** Longest wait between two polls, however long the job has run. */
export const POLL_CAP_MS = 30_000;

/** Share of the time already waited that the next wait may take. */
const POLL_GROWTH = 0.1;

/**
 * Wait before the next poll. It starts at the poll interval and then grows
 * with the time already spent (10 %), up to a cap: a long job is noticed
 * within about a tenth of its length while costing far fewer requests than a
 * fixed loop.
 */
export function nextPollDelayMs(elapsedMs: number, pollIntervalMs: number): number {
  return Math.max(pollIntervalMs, Math.min(POLL_CAP_MS, elapsedMs * POLL_GROWTH));
}

export function isTerminal(status: string): status is 'completed' | 'failed' {
  return status === 'completed' || status === 'failed';
}

/** "1m 05s" style, for logs and the summary. */
export function formatElapsed(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 60) return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${totalSeconds}s`;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = String(totalSeconds % 60).padStart(2, '0');
  return hours ? `${hours}h ${String(minutes).padStart(2, '0')}m ${seconds}s` : `${minutes}m ${seconds}s`;
}

/** The wait ran out while the task was still running (or while reApi could not be asked). */
export class WaitTimeoutError extends ActionError {
  override name = 'WaitTimeoutError';
  constructor(
    readonly taskId: string,
    timeoutMs: number,
    lastProblem?: string,
  ) {
    super(
      `Timed out after ${formatElapsed(timeoutMs)} waiting for task ${taskId}` +
        (lastProblem
          ? `; the last poll failed: ${lastProblem.replace(/\.$/, '')}. The task may still be processing on reApi. `
          : ', which is still processing on reApi. ') +
        `To pick it up later without paying again, run the action with task-id: ${taskId} (and a longer timeout if needed).`,
    );
  }
}

/** Share of a poll wait that is randomised, so runners started together do not poll in step. */
const POLL_JITTER = 0.2;

export interface WaitOptions {
  /** The overall timeout, for messages; the wait ends at `deadline` (default: now + timeoutMs). */
  timeoutMs: number;
  deadline?: number;
  pollIntervalMs: number;
  signal?: AbortSignal;
  /** The task as the submission returned it; when given, the first poll waits one interval. */
  initial?: TaskEnvelope;
  /** Called after every poll that finds the task still running. */
  onProgress?: (task: TaskEnvelope, elapsedMs: number, polls: number) => void;
  random?: () => number;
}

/** Polls a task until it is completed or failed, or the timeout runs out. */
export async function waitForTask(client: ReapiClient, taskId: string, options: WaitOptions): Promise<TaskEnvelope> {
  const started = Date.now();
  const deadline = options.deadline ?? started + options.timeoutMs;
  const random = options.random ?? Math.random;
  let task = options.initial;
  let polls = 0;
  while (!task || !isTerminal(task.status)) {
    if (task) {
      const now = Date.now();
      if (now >= deadline) throw new WaitTimeoutError(taskId, options.timeoutMs);
      const pause = nextPollDelayMs(now - started, options.pollIntervalMs) * (1 - POLL_JITTER / 2 + random() * POLL_JITTER);
      await sleep(Math.min(Math.round(pause), deadline - now), options.signal);
    }
    try {
      task = await client.getTask(taskId, { deadline });
    } catch (error) {
      // The client retries transient failures until the deadline; one still failing then is a timeout.
      if (isRetryable(error, 'poll') && !(error instanceof UnreadableAnswersError)) {
        throw new WaitTimeoutError(taskId, options.timeoutMs, errorText(error));
      }
      throw error;
    }
    polls++;
    if (task.id !== taskId) {
      throw new ResponseFormatError(`The API answered a poll for task ${taskId} with a different task (${task.id}).`);
    }
    if (!isTerminal(task.status)) options.onProgress?.(task, Date.now() - started, polls);
  }
  return task;
}
