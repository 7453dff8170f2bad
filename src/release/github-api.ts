/**
 * The JSON side of release delivery, through Octokit (`@actions/github`): the
 * client, retried calls, and GitHub's answers checked and decoded. Used by assets.ts and step.ts.
 */
import { context, getOctokit } from '@actions/github';
import { CancelledError, InputError, ReleaseError, errorText } from '../shared/errors';
import { getDispatcher, parseRetryAfter } from '../http/transport';
import { apiOnlyFetch, githubText, originOf } from './upload';
import { withRetries, type RetryLoop, type RetryPolicy } from '../http/retry';
import { SILENT, type Log } from '../shared/log';

/** A GitHub hiccup is retried a few times with backoff; each upload attempt resends the whole file. */
export const RELEASE_RETRY: RetryPolicy = { maxAttempts: 4, baseMs: 2000, capMs: 30_000, retryAfterCapMs: 120_000, maxFormatErrors: 0 };

export interface ReleaseClientOptions {
  /** Needs `contents: write`. Register it as a secret before calling. */
  token: string;
  /** The repository; defaults to `context.repo` (GITHUB_REPOSITORY). */
  owner?: string;
  repo?: string;
  /** Defaults to GITHUB_API_URL, then https://api.github.com. */
  apiUrl?: string;
  signal?: AbortSignal;
  /** Progress, skips and retries (info); cleanup that failed and GitHub notices (warning). */
  log?: Log;
  retry?: RetryPolicy;
  random?: () => number;
}

export interface ReleaseClient {
  octokit: ReturnType<typeof getOctokit>;
  token: string;
  owner: string;
  repo: string;
  apiUrl: string;
  signal?: AbortSignal;
  log: Log;
  retry: RetryPolicy;
  random?: () => number;
}

/** A release found by tag. */
export interface ReleaseInfo {
  id: number;
  tag: string;
  htmlUrl: string;
  /** RFC 6570 template, `…/assets{?name,label}`. */
  uploadUrl: string;
  draft: boolean;
  immutable: boolean;
}

/** An asset as GitHub lists it. */
export interface AssetRecord {
  id: number;
  name: string;
  state: string;
  digest: string | null;
  browserDownloadUrl: string;
}

export function createReleaseClient(options: ReleaseClientOptions): ReleaseClient {
  if (!options.token)
    throw new InputError("Input 'github-token' is empty; a release upload needs a token with `contents: write` (the default is `${{ github.token }}`).");
  const apiUrl = (options.apiUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
  const { owner, repo } = options.owner && options.repo ? { owner: options.owner, repo: options.repo } : repositoryFromContext();
  const log = options.log ?? SILENT;
  const octokit = getOctokit(options.token, {
    baseUrl: apiUrl,
    request: { fetch: apiOnlyFetch(originOf(apiUrl), getDispatcher()), signal: options.signal },
    log: { debug: () => undefined, info: () => undefined, warn: (m: string) => log.warning(githubText(m)), error: () => undefined },
  });
  return {
    octokit,
    token: options.token,
    owner,
    repo,
    apiUrl,
    signal: options.signal,
    log,
    retry: options.retry ?? RELEASE_RETRY,
    random: options.random,
  };
}

function repositoryFromContext(): { owner: string; repo: string } {
  try {
    return context.repo;
  } catch {
    throw new InputError('GITHUB_REPOSITORY is not set (expected owner/repo, as the runner sets it); the release cannot be found without it.');
  }
}

export async function isNowImmutable(client: ReleaseClient, release: ReleaseInfo): Promise<boolean> {
  const { octokit, owner, repo } = client;
  try {
    const now = parseRelease((await octokit.rest.repos.getRelease({ owner, repo, release_id: release.id })).data, release.tag);
    return now.immutable && !now.draft;
  } catch {
    return false;
  }
}

export async function listAssets(client: ReleaseClient, release: ReleaseInfo): Promise<AssetRecord[]> {
  const { octokit, owner, repo } = client;
  const raw = await listPages(client, `Listing the assets of release ${release.tag}`, () =>
    octokit.rest.repos.listReleaseAssets({ owner, repo, release_id: release.id, per_page: PER_PAGE }),
  );
  return raw.map(parseAsset);
}

/** Items asked for per page of a list (GitHub's largest). */
export const PER_PAGE = 100;

/**
 * Most pages a list is read to: a release holds at most 1000 assets (10 pages), and a draft release is among the
 * newest. Past this, the list stops with a ReleaseError rather than reading on.
 */
export const MAX_LIST_PAGES = 50;

interface ListPage {
  data: unknown;
  headers: { link?: string };
  url: string;
}

/**
 * The items of a paginated list, page after page along GitHub's `Link: rel="next"`, each page retried as callApi
 * does. Bounded: a next page already read (a Link that loops) or more than MAX_LIST_PAGES pages stop it with a
 * ReleaseError; `enough` ends it early once a page holds what is looked for.
 */
export async function listPages(
  client: ReleaseClient,
  what: string,
  firstPage: () => Promise<ListPage>,
  enough?: (page: unknown[]) => boolean,
): Promise<unknown[]> {
  const items: unknown[] = [];
  const seen = new Set<string>();
  let call = firstPage;
  for (let count = 1; ; count++) {
    const page = await callApi(client, what, call);
    if (!Array.isArray(page.data)) throw new ReleaseError(`${what} failed: GitHub answered a page with something other than a list.`);
    items.push(...(page.data as unknown[]));
    if (enough?.(page.data as unknown[])) return items;
    seen.add(pageKey(page.url));
    const next = /<([^<>]+)>;\s*rel="next"/.exec(page.headers.link ?? '')?.[1];
    if (!next) return items;
    if (seen.has(pageKey(next))) {
      throw new ReleaseError(
        `${what} stopped: GitHub's Link header leads back to a page already read (${githubText(next, 160)}), so the list would never end.`,
      );
    }
    if (count >= MAX_LIST_PAGES) throw new ReleaseError(`${what} stopped after ${MAX_LIST_PAGES} pages of ${PER_PAGE}: GitHub still named a next page.`);
    call = () => client.octokit.request({ method: 'GET', url: next } as unknown as 'GET /');
  }
}

/** A page's URL with its query in a fixed order, so the same page is known however its link spells it. */
function pageKey(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.searchParams.sort();
    parsed.hash = '';
    return parsed.href;
  } catch {
    return url;
  }
}

/** Deletes an asset; one that is already gone counts as deleted. */
export async function deleteAsset(client: ReleaseClient, id: number, name: string): Promise<void> {
  const { octokit, owner, repo } = client;
  try {
    await callApi(client, `Deleting ${name}`, () => octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: id }));
  } catch (error) {
    if (!(error instanceof ReleaseError) || error.status !== 404) throw error;
  }
}

export async function removeQuietly(client: ReleaseClient, id: number, name: string): Promise<void> {
  await deleteAsset(client, id, name).catch((error: unknown) =>
    client.log.warning(`Could not remove ${githubText(name, 120)} from the release: ${errorText(error)} Delete it by hand.`),
  );
}

export async function renameAsset(client: ReleaseClient, id: number, name: string): Promise<AssetRecord> {
  const { octokit, owner, repo } = client;
  const response = await callApi(client, `Renaming the new upload to ${name}`, () =>
    octokit.rest.repos.updateReleaseAsset({ owner, repo, asset_id: id, name }),
  );
  return parseAsset(response.data);
}

/** Runs an Octokit call, retrying 5xx, 429, rate-limit 403s and network failures a few times; failures become ReleaseError. */
export async function callApi<T>(client: ReleaseClient, what: string, call: () => Promise<T>): Promise<T> {
  return withRetries(
    async () => {
      try {
        return await call();
      } catch (error) {
        throw fromOctokit(error, client, what);
      }
    },
    releaseRetries(client, (failure, delay, next) =>
      client.log.info(`${(failure as ReleaseError).message} Retrying in ${(delay / 1000).toFixed(1)}s (attempt ${next} of ${client.retry.maxAttempts}).`),
    ),
  );
}

/** The retry loop of a release call: transient ReleaseErrors only, with the client's policy, cancellation and randomness. */
export function releaseRetries(client: ReleaseClient, onRetry: RetryLoop['onRetry']): RetryLoop {
  return {
    policy: client.retry,
    retryable: (error) => error instanceof ReleaseError && error.transient,
    retryAfterMs: (error) => (error as ReleaseError).retryAfterMs,
    onRetry,
    signal: client.signal,
    random: client.random,
  };
}

interface OctokitFailure {
  status?: unknown;
  cause?: unknown;
  response?: { data?: unknown; headers?: Record<string, string | undefined> };
}

function fromOctokit(error: unknown, client: ReleaseClient, what: string): Error {
  if (client.signal?.aborted) return new CancelledError(`${what} was cancelled.`, true);
  if (error instanceof ReleaseError || error instanceof CancelledError) return error;
  const { status, cause, response } = (error ?? {}) as OctokitFailure;
  if (cause instanceof ReleaseError) return cause;
  if (typeof status !== 'number') return new ReleaseError(`${what} failed: ${githubText(errorText(error))}`);
  if (!response) return new ReleaseError(`${what} failed (${githubText(errorText(cause ?? error))}).`, undefined, true);
  const data = (response.data ?? {}) as { message?: unknown; errors?: Array<{ code?: unknown }> };
  const code = typeof data.errors?.[0]?.code === 'string' ? githubText(data.errors[0].code, 80) : undefined;
  const retryAfterMs = parseRetryAfter(response.headers?.['retry-after']);
  const rateLimited = status === 429 || (status === 403 && (retryAfterMs !== undefined || response.headers?.['x-ratelimit-remaining'] === '0'));
  const detail = [githubText(data.message), code].filter(Boolean).join(': ');
  return new ReleaseError(`${what} failed: HTTP ${status}${detail ? ` (${detail})` : ''}.`, status, status >= 500 || rateLimited, retryAfterMs, code);
}

export function safeOrigin(url: string): string {
  try {
    return originOf(url);
  } catch {
    return JSON.stringify(githubText(url, 80));
  }
}

export function httpUrl(value: unknown, field: string): string {
  if (typeof value === 'string' && /^https?:\/\//.test(value)) {
    try {
      return new URL(value).href;
    } catch {
      // reported below
    }
  }
  throw new ReleaseError(`GitHub answered with a ${field} that is not an http(s) URL: ${JSON.stringify(githubText(value, 80))}.`);
}

export function parseRelease(data: unknown, tag: string): ReleaseInfo {
  const release = (data ?? {}) as Record<string, unknown>;
  if (typeof release.id !== 'number' || typeof release.upload_url !== 'string')
    throw new ReleaseError(`GitHub's answer for release ${tag} has no id or upload_url.`);
  return {
    id: release.id,
    // Matched on the tag asked for, so the tag is the caller's text, not GitHub's.
    tag,
    htmlUrl: httpUrl(release.html_url, 'release html_url'),
    uploadUrl: release.upload_url,
    draft: release.draft === true,
    immutable: release.immutable === true,
  };
}

export function parseAsset(data: unknown): AssetRecord {
  const asset = (data ?? {}) as Record<string, unknown>;
  if (typeof asset.id !== 'number' || typeof asset.name !== 'string') throw new ReleaseError('GitHub answered with an asset that has no id or name.');
  return {
    id: asset.id,
    name: asset.name,
    state: typeof asset.state === 'string' ? asset.state : 'uploaded',
    digest: typeof asset.digest === 'string' ? asset.digest : null,
    browserDownloadUrl: typeof asset.browser_download_url === 'string' ? asset.browser_download_url : '',
  };
}
