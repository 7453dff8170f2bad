import { EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { CancelledError, NetworkError, ResponseFormatError } from '../shared/errors';
import { formatSeconds } from '../shared/format';
import { MAX_TIMER_MS } from '../shared/timers';

/** How every request of the action introduces itself. */
export const USER_AGENT = 'reapi-topaz-video-upscaler-action';

/** Statuses that redirect, and how many redirects one request follows (CDNs use one or two). */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
export const MAX_REDIRECTS = 5;

/** Time to open a connection (through the proxy, when there is one). */
export const CONNECT_TIMEOUT_MS = 15_000;

let sharedDispatcher: Dispatcher | undefined;
let freshDispatcher: Dispatcher | undefined;

/**
 * The connection pool for every request, honouring HTTPS_PROXY, HTTP_PROXY and
 * NO_PROXY as self-hosted runners behind a proxy expect.
 *
 * `fresh` gives each request a new connection (no keep-alive). Submissions use
 * it: a POST written to a pooled connection the server has just closed fails
 * with a reset whose outcome cannot be told apart from a lost answer, and a
 * submission with an unknown outcome cannot be retried. A new connection per
 * submission costs one handshake and removes that case.
 */
export function getDispatcher(kind: 'pooled' | 'fresh' = 'pooled'): Dispatcher {
  if (kind === 'fresh') {
    freshDispatcher ??= new EnvHttpProxyAgent({ connect: { timeout: CONNECT_TIMEOUT_MS }, pipelining: 0 });
    return freshDispatcher;
  }
  sharedDispatcher ??= new EnvHttpProxyAgent({ connect: { timeout: CONNECT_TIMEOUT_MS } });
  return sharedDispatcher;
}

/** Closes idle connections so the process can exit at once. */
export async function closeDispatcher(): Promise<void> {
  const dispatchers = [sharedDispatcher, freshDispatcher];
  sharedDispatcher = undefined;
  freshDispatcher = undefined;
  for (const dispatcher of dispatchers) await dispatcher?.destroy().catch(() => undefined);
}

/** Error codes that mean the request never left this machine, so sending it again cannot duplicate it. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  // undici refused to build the request (e.g. an invalid header value): nothing left this machine.
  'UND_ERR_INVALID_ARG',
]);

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string') codes.push(code);
    current = cause;
  }
  return codes;
}

/** undici's message when the proxy refuses the CONNECT tunnel: the request itself never left. */
const TUNNEL_REFUSED = /when HTTP Tunneling/;

/**
 * Turns whatever undici threw into a typed error. `signal` tells a cancellation
 * (the step is stopping) from a per-request timeout of `timeoutMs`.
 */
export function toNetworkError(error: unknown, what: string, signal?: AbortSignal, timeoutMs?: number): Error {
  if (error instanceof NetworkError || error instanceof ResponseFormatError || error instanceof CancelledError) return error;
  if (signal?.aborted) return new CancelledError(`${what} was cancelled.`, true);
  const codes = errorCodes(error);
  const message = error instanceof Error ? error.message : String(error);
  const tunnelRefused = TUNNEL_REFUSED.test(message);
  const notSent = tunnelRefused || codes.some((code) => NOT_SENT_CODES.has(code));
  const name = error instanceof Error ? error.name : '';
  let reason: string;
  if (tunnelRefused) {
    reason = `failed (the proxy did not open a tunnel to the API: ${message})`;
  } else if (codes.includes('UND_ERR_CONNECT_TIMEOUT')) {
    reason = 'failed (could not connect in time: UND_ERR_CONNECT_TIMEOUT)';
  } else if (name === 'TimeoutError' || codes.some((c) => c.endsWith('_TIMEOUT'))) {
    reason = `timed out${timeoutMs === undefined ? '' : ` (no complete answer within ${formatSeconds(timeoutMs / 1000)}s)`}`;
  } else {
    reason = `failed (${[...new Set(codes)].join(', ') || message || name || 'no reason given'})`;
  }
  return new NetworkError(`${what} ${reason}.`, notSent);
}

/** A response header's value (the first, when it came more than once). */
export function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads a response body as text, refusing bodies larger than `limit` bytes. */
export async function readLimitedText(body: AsyncIterable<Uint8Array> & { destroy?: () => unknown }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy?.();
      throw new ResponseFormatError(`The response was larger than ${Math.round(limit / 1024)} KiB, which no API answer should be.`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a Retry-After header (delta seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Waits `ms`, or rejects with CancelledError as soon as `signal` aborts. A
 * wait past Node's timer limit is taken in steps, since one timer that long
 * would fire at once (with a TimeoutOverflowWarning).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    const wait = (left: number) => {
      const step = Math.min(Math.max(0, left), MAX_TIMER_MS);
      timer = setTimeout(() => {
        if (left > step) return wait(left - step);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, step);
    };
    wait(ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
