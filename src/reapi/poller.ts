import type { ReapiClient, TaskEnvelope } from './client';
import { CancelledError, ResponseFormatError, UnreadableAnswersError, WaitTimeoutError, errorText } from '../shared/errors';
import { formatElapsed } from '../shared/format';
import type { Deadline } from '../inputs/parse';
import { redact } from '../shared/redact';
import { isRetryable } from '../http/retry';
import { quoted } from '../shared/text';
import { timedOutMessage } from '../shared/wording';

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

/** A task status as compared: case and surrounding spaces do not matter (`COMPLETED`, `Failed`). */
export function normalStatus(status: string): string {
  return status.trim().toLowerCase();
}

export function isTerminal(status: string): boolean {
  const normal = normalStatus(status);
  return normal === 'completed' || normal === 'failed';
}

/** Statuses that mean "still running": the documented one, and the usual queue words. */
const RUNNING_STATUSES = new Set(['processing', 'queued', 'pending', 'running', 'in_progress']);

/** Whether the action knows `status` (a running or terminal one); an unknown one is named when the wait times out. */
export function isKnownStatus(status: string): boolean {
  return isTerminal(status) || RUNNING_STATUSES.has(normalStatus(status));
}

function timedOut(taskId: string, timeoutMs: number, lastProblem?: string, lastStatus?: string): WaitTimeoutError {
  const unknownStatus = lastStatus !== undefined && !isKnownStatus(lastStatus) ? lastStatus : undefined;
  return new WaitTimeoutError(timedOutMessage(taskId, formatElapsed(timeoutMs), { lastProblem, unknownStatus }), taskId);
}

/** Share of a poll wait that is randomised, so runners started together do not poll in step. */
const POLL_JITTER = 0.2;

export interface PollerOptions {
  /** No task is polled after it; its timeout is named in the timeout message. */
  deadline: Deadline;
  pollIntervalMs: number;
  signal?: AbortSignal;
  /** Called after every poll that finds a task still running. */
  onProgress?: (task: TaskEnvelope, elapsedMs: number, polls: number) => void;
  random?: () => number;
}

interface Watched {
  taskId: string;
  /** When watching began: the schedule grows with the time since. */
  started: number;
  dueAt: number;
  polls: number;
  /** The status the last answer gave (the submission's, before the first poll). */
  lastStatus?: string;
  inFlight: boolean;
  resolve: (task: TaskEnvelope) => void;
  reject: (error: unknown) => void;
}

/**
 * One poll loop for any number of tasks. Each task keeps its own schedule
 * (`nextPollDelayMs` from when it was first watched, with jitter), and a
 * single timer wakes the loop for whichever task is due first, so a batch
 * of tasks costs one timer, not one per task. A slow or retried poll of one
 * task does not hold up the others.
 */
export class TaskPoller {
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;
  private readonly random: () => number;

  constructor(
    private readonly client: Pick<ReapiClient, 'getTask'>,
    private readonly options: PollerOptions,
  ) {
    this.random = options.random ?? Math.random;
    options.signal?.addEventListener('abort', () => this.cancelAll(), { once: true });
  }

  /** Tasks being waited for right now. */
  get size(): number {
    return this.watched.size;
  }

  /**
   * Resolves with the task once it is completed or failed; rejects with
   * WaitTimeoutError at the deadline, CancelledError when the step stops, or
   * the client's error when a poll fails for good. With `initial` (the task as
   * the submission returned it), the first poll waits one interval.
   */
  watch(taskId: string, initial?: TaskEnvelope): Promise<TaskEnvelope> {
    if (initial && isTerminal(initial.status)) return Promise.resolve(initial);
    if (this.options.signal?.aborted) return Promise.reject(new CancelledError());
    return new Promise<TaskEnvelope>((resolve, reject) => {
      const now = Date.now();
      const entry: Watched = { taskId, started: now, dueAt: now, polls: 0, lastStatus: initial?.status, inFlight: false, resolve, reject };
      this.watched.add(entry);
      if (initial) this.reschedule(entry, now);
      this.arm();
    });
  }

  /** After a poll (or the submission) found the task running: the next poll, or the timeout. */
  private reschedule(entry: Watched, now: number): void {
    const { deadline, pollIntervalMs } = this.options;
    if (now >= deadline.at) return this.settle(entry, timedOut(entry.taskId, deadline.timeoutMs, undefined, entry.lastStatus));
    const pause = nextPollDelayMs(now - entry.started, pollIntervalMs) * (1 - POLL_JITTER / 2 + this.random() * POLL_JITTER);
    // The last poll happens at the deadline, so the timeout means what it says.
    entry.dueAt = Math.min(now + Math.round(pause), deadline.at);
  }

  /** Sets the one timer for the earliest due task. */
  private arm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    let next = Infinity;
    for (const entry of this.watched) if (!entry.inFlight) next = Math.min(next, entry.dueAt);
    if (next === Infinity) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, next - Date.now()));
  }

  private tick(): void {
    this.timer = undefined;
    const now = Date.now();
    for (const entry of this.watched) if (!entry.inFlight && entry.dueAt <= now) void this.poll(entry);
    this.arm();
  }

  private async poll(entry: Watched): Promise<void> {
    entry.inFlight = true;
    let task: TaskEnvelope;
    try {
      task = await this.client.getTask(entry.taskId);
    } catch (error) {
      // The client retries transient failures until the deadline; one still failing then is a timeout.
      const gaveUp = isRetryable(error, 'poll') && !(error instanceof UnreadableAnswersError);
      return this.settle(entry, gaveUp ? timedOut(entry.taskId, this.options.deadline.timeoutMs, errorText(error)) : error);
    }
    if (!this.watched.has(entry)) return; // cancelled meanwhile
    entry.inFlight = false;
    entry.polls++;
    entry.lastStatus = task.status;
    if (task.id !== entry.taskId) {
      return this.settle(
        entry,
        new ResponseFormatError(`The API answered a poll for task ${entry.taskId} with a different task (${quoted(redact(task.id))}).`),
      );
    }
    if (isTerminal(task.status)) return this.settle(entry, undefined, task);
    const now = Date.now();
    this.options.onProgress?.(task, now - entry.started, entry.polls);
    this.reschedule(entry, now);
    if (this.watched.has(entry)) this.arm();
  }

  private settle(entry: Watched, error: unknown, task?: TaskEnvelope): void {
    if (!this.watched.delete(entry)) return;
    if (task) entry.resolve(task);
    else entry.reject(error);
    this.arm();
  }

  private cancelAll(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const entry of [...this.watched]) this.settle(entry, new CancelledError());
  }
}
