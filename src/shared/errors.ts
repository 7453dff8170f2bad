import { clause } from './text';

/**
 * Expected failures. Their message is a complete sentence for the user and is
 * printed as is, without a stack trace. Anything else is a bug.
 */
export class ActionError extends Error {
  override name = 'ActionError';
}

/** An input is missing or malformed; raised before any request is sent. */
export class InputError extends ActionError {
  override name = 'InputError';
}

/** What an API error answer said, beyond its message. */
export interface ApiErrorDetails {
  status: number;
  /** The error envelope's `code`, as a string. */
  code?: string;
  /** From a Retry-After header, when the server sent one. */
  retryAfterMs?: number;
}

/** The API answered with an error status (decoded from the error envelope when present). */
export class ApiError extends ActionError {
  override name = 'ApiError';
  readonly status: number;
  readonly code?: string;
  readonly retryAfterMs?: number;
  constructor(message: string, details: ApiErrorDetails) {
    super(message);
    this.status = details.status;
    this.code = details.code;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** The response could not be decoded: not JSON, too large, or not the documented shape. */
export class ResponseFormatError extends ActionError {
  override name = 'ResponseFormatError';
}

/** A poll kept getting answers that are not a task: reported, not retried further. */
export class UnreadableAnswersError extends ResponseFormatError {
  override name = 'UnreadableAnswersError';
}

/**
 * A submission was taken but answered with an id that fails the task id rule:
 * it is neither polled nor published, and the job may exist and be billed.
 */
export class UnusableTaskIdError extends ActionError {
  override name = 'UnusableTaskIdError';
}

/** The request failed on the network: refused, reset, timed out. */
export class NetworkError extends ActionError {
  override name = 'NetworkError';
  constructor(
    message: string,
    /** True when the request certainly never reached the server (safe to send again). */
    readonly notSent: boolean,
  ) {
    super(message);
  }
}

/** The step was cancelled (SIGINT/SIGTERM from the runner). */
export class CancelledError extends ActionError {
  override name = 'CancelledError';
  constructor(
    message = 'Cancelled.',
    /** True when a request had already left when the step stopped (a submission may have been taken). */
    readonly requestInFlight = false,
  ) {
    super(message);
  }
}

/** The wait ran out while the task was still running (or while reApi could not be asked). */
export class WaitTimeoutError extends ActionError {
  override name = 'WaitTimeoutError';
  constructor(
    message: string,
    readonly taskId: string,
  ) {
    super(message);
  }
}

/** A source failed preflight: unreachable with an HTTP error, too large, or not a video. */
export class PreflightError extends ActionError {
  override name = 'PreflightError';
  constructor(
    message: string,
    readonly url: string,
    /** The HTTP status the host answered, when that is the reason. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * The step's deadline (`timeout`) came while a source was being checked: its
 * host did not answer in time. Not a verdict on the source; the run stops,
 * since nothing may be submitted after the deadline.
 */
export class PreflightDeadlineError extends ActionError {
  override name = 'PreflightDeadlineError';
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message);
  }
}

/** The sources' billable seconds exceed `max-billable-seconds`, or cannot all be known. */
export class CostGuardError extends ActionError {
  override name = 'CostGuardError';
  constructor(
    message: string,
    /** Undefined when some durations could not be read. */
    readonly totalBillableSeconds: number | undefined,
    readonly maxBillableSeconds: number,
  ) {
    super(message);
  }
}

/** A source could not be hashed for skip-unchanged: unreachable, an HTTP error, over 50 MB, or too slow. Its reuse cannot be proven. */
export class FingerprintError extends ActionError {
  override name = 'FingerprintError';
  constructor(
    message: string,
    readonly url: string,
    /** The HTTP status the host answered, when that is the reason. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The source is over the upscaler's 50 MB limit; raised as soon as the byte count passes it. */
export class SourceTooLargeError extends FingerprintError {
  override name = 'SourceTooLargeError';
}

/** A source host answered a range request with the whole file: it ignores Range. */
export class RangesNotSupportedError extends Error {
  override name = 'RangesNotSupportedError';
}

/** A download attempt that failed; `transient` ones are tried again. */
export class DownloadError extends ActionError {
  override name = 'DownloadError';
  constructor(
    message: string,
    readonly transient: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Under `verify: fail`, a result that fails its checks fails the step. */
export class VerifyError extends ActionError {
  override name = 'VerifyError';
  constructor(
    message: string,
    readonly taskId: string,
  ) {
    super(message);
  }
}

/** A clip whose turn came after the timeout had run out: never submitted. */
export class NotStartedError extends ActionError {
  override name = 'NotStartedError';
}

/** Preflight or the cost guard refused the run before anything was submitted. */
export class RunRefusedError extends ActionError {
  override name = 'RunRefusedError';
}

/** An expected failure of a release lookup or upload (release-tag); `transient` ones may be tried again. */
export class ReleaseError extends ActionError {
  override name = 'ReleaseError';
  /** The message already says what happened and what to do: callers add to it, not wrap it. */
  explained = false;
  constructor(
    message: string,
    readonly status?: number,
    readonly transient = false,
    readonly retryAfterMs?: number,
    /** The `code` of GitHub's first validation error (`already_exists`…), when there is one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * S3-compatible storage refused or failed a request (result-bucket,
 * source-bucket). `code` is S3's error code (`AccessDenied`,
 * `SignatureDoesNotMatch`…) when its answer carried a valid one; `transient`
 * ones (5xx, 429, connection failures) may be tried again.
 */
export class BucketError extends ActionError {
  override name = 'BucketError';
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
    readonly transient = false,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export function isActionError(error: unknown): error is ActionError {
  return error instanceof ActionError;
}

/** One line of text for any thrown value, for messages that must stay on one line. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** errorText without its final period, to go inside another sentence. */
export function errorClause(error: unknown): string {
  return clause(errorText(error));
}
