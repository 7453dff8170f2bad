/**
 * What the Actions cache service answered during one `@actions/cache` call,
 * for src/skip-unchanged/actions-cache-store.ts.
 */
import { subscribe } from 'node:diagnostics_channel';

/**
 * What the cache service answered during one library call, seen through
 * Node's own `http` diagnostics channels (the library's HTTP client is
 * `node:http`; ours is undici, so nothing of the run's own traffic shows up
 * here). The library returns the same value for a miss and a failure, and
 * prints its own warning for most failures; the service's answers tell which
 * happened without touching stdout. Calls run one at a time, so a request
 * started while one is watched is that call's.
 */
export interface ServiceAnswers {
  /** A request failed on the network, or the service answered 4xx/5xx (a 409 "exists" on create included). */
  failed: boolean;
  /** A request other than CreateCacheEntry failed (the library warns of those). */
  otherFailed: boolean;
  /** The last answer to CreateCacheEntry: its status (undefined: a network error), and whether it carried Retry-After. */
  create?: { status?: number; retryAfter: boolean };
}

const CREATE_ENTRY = /\.CacheService\/CreateCacheEntry$/;
let watching: ServiceAnswers | undefined;
const watched = new WeakMap<object, { answers: ServiceAnswers; create: boolean }>();
let subscribed = false;

interface ClientRequestLike {
  path?: string;
}
interface IncomingLike {
  statusCode?: number;
  headers?: Record<string, string | string[] | undefined>;
}

function onRequestStart(message: unknown): void {
  const request = (message as { request?: ClientRequestLike }).request;
  if (!watching || !request) return;
  watched.set(request, { answers: watching, create: CREATE_ENTRY.test((request.path ?? '').split('?')[0] as string) });
}

function onResponse(message: unknown): void {
  const { request, response } = message as { request?: ClientRequestLike; response?: IncomingLike };
  const seen = request && watched.get(request);
  if (!seen || !response) return;
  const status = response.statusCode ?? 0;
  if (status >= 400) fail(seen);
  if (seen.create) seen.answers.create = { status, retryAfter: hasRetryAfter(response.headers?.['retry-after']) };
}

/** The library's rule: a Retry-After it can read as seconds gets its rate-limit warning. */
function hasRetryAfter(header: string | string[] | undefined): boolean {
  return typeof header === 'string' && Number.isFinite(Number.parseInt(header, 10));
}

function fail(seen: { answers: ServiceAnswers; create: boolean }): void {
  seen.answers.failed = true;
  if (!seen.create) seen.answers.otherFailed = true;
}

function onRequestError(message: unknown): void {
  const request = (message as { request?: ClientRequestLike }).request;
  const seen = request && watched.get(request);
  if (!seen) return;
  fail(seen);
  if (seen.create) seen.answers.create = { retryAfter: false };
}

/** Watches the library's HTTP requests until the returned function is called; it returns what was seen (also `answers`, live). */
export function watchServiceAnswers(): (() => ServiceAnswers) & { answers: ServiceAnswers } {
  if (!subscribed) {
    subscribed = true;
    subscribe('http.client.request.start', onRequestStart);
    subscribe('http.client.response.finish', onResponse);
    subscribe('http.client.request.error', onRequestError);
  }
  const answers: ServiceAnswers = { failed: false, otherFailed: false };
  watching = answers;
  const stop = () => {
    if (watching === answers) watching = undefined;
    return answers;
  };
  return Object.assign(stop, { answers });
}

/**
 * Whether @actions/cache printed a warning of its own for a save that
 * returned -1 and was not an existing key. It warns for every failure except
 * a CreateCacheEntry the service refused at the HTTP level (it logs those as
 * info: "another job may be creating this cache"); of those, only a 429 with
 * Retry-After gets its rate-limit warning.
 */
export function libraryWarnedOfSave(answers: ServiceAnswers): boolean {
  const create = answers.create;
  if (!create || answers.otherFailed) return true;
  if (create.status !== undefined && create.status < 300) return true;
  return create.status === 429 && create.retryAfter;
}
