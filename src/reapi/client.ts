import { request } from 'undici';
import {
  ActionError,
  ApiError,
  CancelledError,
  NetworkError,
  ResponseFormatError,
  UnreadableAnswersError,
  UnusableTaskIdError,
  errorText,
} from '../shared/errors';
import { formatElapsed } from '../shared/format';
import { USER_AGENT, getDispatcher, parseRetryAfter, readLimitedText, toNetworkError } from '../http/transport';
import type { Deadline } from '../inputs/parse';
import type { UpscaleFactor } from '../inputs/values';
import { redact } from '../shared/redact';
import {
  POLL_REQUEST_TIMEOUT_MAX_MS,
  POLL_RETRY,
  SUBMIT_REQUEST_TIMEOUT_MS,
  SUBMIT_RETRY,
  isRetryable,
  pollRequestTimeoutMs,
  withRetries,
  type Operation,
  type RetryPolicy,
} from '../http/retry';
import { oneLine, quoted, truncate } from '../shared/text';
import { isObject, taskIdProblem } from '../shared/validate';
import { CANCELLED_IN_FLIGHT, unknownOutcomeMessage, unusableTaskIdMessage } from '../shared/wording';
import type { Log } from '../shared/log';

export const MODEL = 'topaz-video-upscaler';

// ---- Wire types (the API contract) ----------------------------------------

/** Body of POST /api/v1/videos/generations. */
export interface UpscaleRequest {
  model: typeof MODEL;
  video_url: string;
  upscale_factor: UpscaleFactor;
}

/** The task envelope shared by submit and poll answers. */
export interface TaskEnvelope {
  id: string;
  model?: string;
  status: string;
  created_at?: number;
  output?: { video_urls?: string[] } | null;
  error?: { code?: string | number; message?: string } | null;
}

/** The error envelope of 4xx/5xx answers. */
export interface ErrorEnvelope {
  error: { code?: string | number; message?: string; request_id?: string };
}

// ---- Decoding ---------------------------------------------------------------

const MAX_JSON_BYTES = 1024 * 1024;

function optionalCode(value: unknown): string | number | undefined {
  return typeof value === 'string' || typeof value === 'number' ? value : undefined;
}

/** A free text of an answer (message, code, request id), scrubbed of the run's secrets as soon as it is read. */
function serverText(value: unknown): string | undefined {
  return typeof value === 'string' ? redact(value) : undefined;
}

/** A code as sent (string or number), a string one scrubbed. */
function serverCode(value: unknown): string | number | undefined {
  const code = optionalCode(value);
  return typeof code === 'string' ? redact(code) : code;
}

/** Checks a 2xx body against the task envelope; throws ResponseFormatError when it is not one. */
export function decodeTaskEnvelope(text: string): TaskEnvelope {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Scrubbed before it is cut: a cut key is a prefix no mask catches.
    throw new ResponseFormatError(`The API answered with something that is not JSON: ${quoted(redact(text), 60)}.`);
  }
  if (!isObject(data) || typeof data.id !== 'string' || !data.id || typeof data.status !== 'string') {
    throw new ResponseFormatError('The API answered with JSON that is not a task (no string id and status).');
  }
  const task: TaskEnvelope = { id: data.id, status: data.status };
  if (typeof data.model === 'string') task.model = data.model;
  if (typeof data.created_at === 'number') task.created_at = data.created_at;
  if (isObject(data.output)) {
    const urls = data.output.video_urls;
    if (urls !== undefined && urls !== null && !(Array.isArray(urls) && urls.every((u) => typeof u === 'string'))) {
      throw new ResponseFormatError('The API answered with a task whose output.video_urls is not a list of URLs.');
    }
    task.output = { video_urls: urls ?? undefined };
  } else if (data.output === null) {
    task.output = null;
  }
  if (isObject(data.error)) {
    task.error = {
      code: serverCode(data.error.code),
      message: serverText(data.error.message),
    };
  } else if (data.error === null) {
    task.error = null;
  }
  return task;
}

/** Reads the error envelope when the body is one; tolerates anything else (proxies answer HTML). */
export function decodeErrorEnvelope(text: string): ErrorEnvelope['error'] | undefined {
  try {
    const data: unknown = JSON.parse(text);
    if (isObject(data) && isObject(data.error)) {
      return {
        code: serverCode(data.error.code),
        message: serverText(data.error.message),
        request_id: serverText(data.error.request_id),
      };
    }
  } catch {
    // not JSON: described by status alone
  }
  return undefined;
}

/** What the user should do about each documented code, matched on the code (never on the message). */
const CODE_HINTS: Record<string, string> = {
  '20002': 'the request is missing video_url',
  '20003': 'video_url must be a public http(s) URL (no data: URIs) and upscale-factor 1, 2 or 4',
  '30002': 'reApi could not probe the source video (unreachable or not a readable MP4/MOV/MKV); nothing was charged',
  '80007': 'the upscaling provider rejected the source (over 50 MB or an unsupported format); re-encode or split it, failed jobs are refunded',
};

function statusHint(status: number): string {
  if (status === 401) return 'the API key was refused; check the api-key secret';
  if (status === 403) return 'the API key is not allowed to use this model; check the key and your reApi plan';
  if (status === 404) return 'not found; check the task id and api-base-url';
  if (status === 429) return 'rate limited by reApi';
  if (status >= 500) return 'reApi had a server error';
  return 'the request was rejected';
}

/** One sentence for an API error answer: the hint, the server's message, and the request id. */
export function describeApiError(status: number, envelope: ErrorEnvelope['error'] | undefined): string {
  // Server text is scrubbed, then made one line, then cut: in that order, so no part of a key survives.
  const shown = (text: string, max: number) => truncate(oneLine(redact(text)), max);
  const code = envelope?.code === undefined ? undefined : String(envelope.code);
  const hint = (code && CODE_HINTS[code]) || statusHint(status);
  const parts = [`reApi error ${code === undefined ? `HTTP ${status}` : shown(code, 40)}: ${hint}`];
  if (envelope?.message) parts.push(`(server said: ${JSON.stringify(shown(envelope.message, 300))})`);
  parts.push(`[HTTP ${status}, request_id: ${envelope?.request_id === undefined ? 'none' : shown(envelope.request_id, 100)}]`);
  return `${parts.join(' ')}.`.replace(/\s+/g, ' ');
}

/**
 * A submission whose answer was lost (reset or timeout after the body left, a
 * garbled 2xx, a 5xx other than 503, a cancellation while it was in flight)
 * may still have created a billed job.
 */
export function explainUncertainSubmission(error: unknown): unknown {
  if (error instanceof CancelledError) return error.requestInFlight ? new CancelledError(CANCELLED_IN_FLIGHT, true) : error;
  const uncertain =
    (error instanceof NetworkError && !error.notSent) ||
    error instanceof ResponseFormatError ||
    (error instanceof ApiError && error.status >= 500 && error.status !== 503);
  if (!uncertain) return error;
  return new ActionError(unknownOutcomeMessage(errorText(error)));
}

// ---- The client -------------------------------------------------------------

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Cancels everything in flight and every wait (the step is stopping). */
  signal?: AbortSignal;
  /** When the step's time is up: no retry starts after it, and one poll gets a share of the timeout (see pollRequestTimeoutMs). */
  deadline?: Deadline;
  /** The poll interval; retries of a failed poll start no slower than it. */
  pollIntervalMs?: number;
  /** Where retry notices go (info). */
  log?: Log;
  random?: () => number;
}

export class ReapiClient {
  private readonly pollPolicy: RetryPolicy;

  constructor(private readonly options: ClientOptions) {
    const pollIntervalMs = options.pollIntervalMs ?? POLL_RETRY.baseMs;
    this.pollPolicy = { ...POLL_RETRY, baseMs: Math.max(10, Math.min(POLL_RETRY.baseMs, pollIntervalMs)) };
  }

  /** Submits one upscale job. Never sends it twice unless the server certainly did not take it. */
  async submitUpscale(videoUrl: string, upscaleFactor: UpscaleFactor): Promise<TaskEnvelope> {
    const body: UpscaleRequest = { model: MODEL, video_url: videoUrl, upscale_factor: upscaleFactor };
    let task: TaskEnvelope;
    try {
      task = await this.call('submit', 'POST', '/api/v1/videos/generations', body);
    } catch (error) {
      throw explainUncertainSubmission(error);
    }
    const problem = taskIdProblem(task.id);
    if (problem) throw new UnusableTaskIdError(unusableTaskIdMessage(quoted(redact(task.id)), problem));
    return task;
  }

  /** Reads a task; transient failures are retried until the deadline. */
  async getTask(taskId: string): Promise<TaskEnvelope> {
    // Ids are checked where they enter (inputs, submission); this keeps a poll on /api/v1/tasks/ whatever the caller.
    const problem = taskIdProblem(taskId);
    if (problem) throw new ActionError(`Task id ${quoted(redact(taskId))} ${problem}, so it was not polled.`);
    return this.call('poll', 'GET', `/api/v1/tasks/${encodeURIComponent(taskId)}`, undefined);
  }

  /**
   * Reads a task whose id an earlier run or attempt recorded: the task, or
   * why it cannot be used (gone, refused, not a task). Only reApi's answers
   * become a reason; a network failure or a cancel still throws.
   */
  async getRecordedTask(taskId: string): Promise<{ task: TaskEnvelope } | { unusable: string }> {
    try {
      return { task: await this.getTask(taskId) };
    } catch (error) {
      if (error instanceof ApiError) {
        const gone = error.status === 404 || error.status === 410;
        return { unusable: `${gone ? 'can no longer be fetched' : 'could not be fetched'} (HTTP ${error.status})` };
      }
      if (error instanceof ResponseFormatError) return { unusable: 'was answered with something that is not a task' };
      throw error;
    }
  }

  private remainingMs(): number {
    const { deadline } = this.options;
    return deadline === undefined ? Infinity : deadline.at - Date.now();
  }

  private requestTimeoutMs(operation: Operation): number {
    if (operation === 'submit') return SUBMIT_REQUEST_TIMEOUT_MS;
    const { deadline } = this.options;
    return pollRequestTimeoutMs(deadline?.timeoutMs ?? POLL_REQUEST_TIMEOUT_MAX_MS * 4, this.remainingMs());
  }

  private async call(operation: Operation, method: 'GET' | 'POST', path: string, body: unknown): Promise<TaskEnvelope> {
    const policy = operation === 'submit' ? SUBMIT_RETRY : this.pollPolicy;
    const started = Date.now();
    let formatErrors = 0;
    return withRetries(() => this.send(method, path, body, this.requestTimeoutMs(operation)), {
      policy,
      retryable: (error) => {
        if (!isRetryable(error, operation)) return false;
        if (!(error instanceof ResponseFormatError)) formatErrors = 0;
        else if (++formatErrors > policy.maxFormatErrors) {
          throw new UnreadableAnswersError(
            `${errorText(error)} (${formatErrors} unreadable answers in a row to ${method === 'GET' ? 'polls' : method}; giving up.)`,
          );
        }
        return true;
      },
      retryAfterMs: (error) => (error instanceof ApiError ? error.retryAfterMs : undefined),
      gaveUp: (error, attempts) => this.gaveUp(operation, error, attempts, started),
      // No retry fits before the deadline: a poll still waits the time out, so the
      // timeout means what it says; a submission has nothing to wait for.
      remainingMs: () => this.remainingMs(),
      waitOutDeadline: operation === 'poll',
      onRetry: (error, delay, next) => this.options.log?.info(`${errorText(error)} Retrying in ${formatElapsed(delay)} (attempt ${next}).`),
      signal: this.options.signal,
      random: this.options.random,
    });
  }

  /** The last error of a submission that was retried in vain says so, and that nothing was billed. */
  private gaveUp(operation: Operation, error: unknown, attempts: number, started: number): unknown {
    if (operation !== 'submit') return error;
    const tries = `${attempts} attempt${attempts === 1 ? '' : 's'} over ${formatElapsed(Date.now() - started)}`;
    if (error instanceof NetworkError) {
      return new NetworkError(
        `Could not reach reApi at ${this.options.baseUrl}: ${errorText(error)} Gave up after ${tries}; the request never reached the server, so nothing was submitted or billed. Check api-base-url and the runner's network and proxy settings.`,
        true,
      );
    }
    if (error instanceof ApiError) {
      return new ApiError(`${errorText(error)} Gave up after ${tries}; reApi did not accept the job, so nothing was billed. Re-run later.`, error);
    }
    return error;
  }

  /** The one place that talks to the API: auth, timeouts, size limit, error decoding. */
  private async send(method: 'GET' | 'POST', path: string, body: unknown, timeoutMs: number): Promise<TaskEnvelope> {
    const { signal } = this.options;
    if (signal?.aborted) throw new CancelledError();
    const url = `${this.options.baseUrl}${path}`;
    const what = `${method} ${path}`;
    const timeout = AbortSignal.timeout(timeoutMs);
    const requestSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let status: number;
    let text: string;
    let retryAfterHeader: string | string[] | undefined;
    try {
      const response = await request(url, {
        method,
        dispatcher: getDispatcher(method === 'POST' ? 'fresh' : 'pooled'),
        signal: requestSignal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        headers: {
          authorization: `Bearer ${this.options.apiKey}`,
          accept: 'application/json',
          'user-agent': USER_AGENT,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      status = response.statusCode;
      retryAfterHeader = response.headers['retry-after'];
      text = await readLimitedText(response.body, MAX_JSON_BYTES);
    } catch (error) {
      throw toNetworkError(error, what, signal, timeoutMs);
    }
    if (status >= 300 && status < 400) {
      // Redirects are not followed: the Authorization header must never reach another origin.
      throw new ApiError(
        `reApi answered ${what} with a redirect (HTTP ${status}), which is not followed so the API key stays with the API origin; check api-base-url.`,
        { status },
      );
    }
    if (status >= 400) {
      const envelope = decodeErrorEnvelope(text);
      const code = envelope?.code === undefined ? undefined : String(envelope.code);
      throw new ApiError(describeApiError(status, envelope), {
        status,
        code,
        retryAfterMs: parseRetryAfter(retryAfterHeader),
      });
    }
    return decodeTaskEnvelope(text);
  }
}
