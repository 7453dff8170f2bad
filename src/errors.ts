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

/** The API answered with an error status (decoded from the error envelope when present). */
export class ApiError extends ActionError {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly requestId: string | undefined,
    /** Seconds from a Retry-After header, when the server sent one. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}

/** The response could not be decoded: not JSON, too large, or not the documented shape. */
export class ResponseFormatError extends ActionError {
  override name = 'ResponseFormatError';
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
    message: string,
    /** True when a request had already left when the step stopped (a submission may have been taken). */
    readonly requestInFlight = false,
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

export function isActionError(error: unknown): error is ActionError {
  return error instanceof ActionError;
}

/** One line of text for any thrown value, for messages that must stay on one line. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
