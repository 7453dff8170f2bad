/**
 * Source fingerprints for `skip-unchanged`: the SHA-256 of a source's bytes,
 * and the cache key that combines it with what else decides the result.
 *
 * The hash is the only proof that two sources are the same: ETag,
 * Last-Modified and the URL are not (presigned URLs change on every signing;
 * hosts send weak or changing ETags). Bytes are hashed as they stream past and
 * are never written to disk or held whole.
 */
import { createHash, type Hash } from 'node:crypto';
import { sha256Hex } from '../shared/sha256';
import { request, type Dispatcher } from 'undici';
import { CancelledError, FingerprintError, SourceTooLargeError, errorClause } from '../shared/errors';
import { MAX_REDIRECTS, REDIRECT_STATUSES, USER_AGENT, getDispatcher, header, toNetworkError } from '../http/transport';
import { MAX_SOURCE_BYTES, hostStatusHint } from '../source/preflight';
import { displayUrl } from '../shared/urls';
import { canonicalUrl } from '../shared/canonical-url';

/** Version of the cached record's format; part of every key, so a new format never reads an old record. */
export const RECORD_FORMAT_VERSION = 1;
/** Longest whole download of one source (50 MB at about 1 MB/s). */
export const HASH_TIMEOUT_MS = 60_000;
/** Longest wait for the headers, or between two chunks of the body. */
export const HASH_IDLE_TIMEOUT_MS = 15_000;

const KEY_PREFIX = 'reapi-topaz-video-upscaler';
const SHA256_HEX = /^[0-9a-f]{64}$/;
const MODEL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const FACTORS = new Set(['1', '2', '4']);

/** What decides an upscaled result: the model, the factor and the source's bytes. */
export interface Fingerprint {
  model: string;
  upscaleFactor: string;
  /** Lowercase hex SHA-256 of the source's bytes. */
  sourceSha256: string;
}

/**
 * The cache key of a fingerprint:
 * `reapi-topaz-video-upscaler-r<format>-<model>-x<factor>-<sha256>`
 * (about 110 characters; at most 512, no commas, as the Actions cache requires).
 * Throws RangeError for a fingerprint that is not well formed.
 */
export function fingerprintKey(fingerprint: Fingerprint): string {
  const { model, upscaleFactor, sourceSha256 } = fingerprint;
  if (!MODEL_NAME.test(model)) throw new RangeError(`Not a model name: ${JSON.stringify(model)}`);
  if (!FACTORS.has(upscaleFactor)) throw new RangeError(`Not an upscale factor: ${JSON.stringify(upscaleFactor)}`);
  if (!SHA256_HEX.test(sourceSha256)) throw new RangeError(`Not a lowercase hex SHA-256: ${JSON.stringify(sourceSha256)}`);
  return `${KEY_PREFIX}-r${RECORD_FORMAT_VERSION}-${model}-x${upscaleFactor}-${sourceSha256}`;
}

/**
 * The Actions cache key prefix of a source's records, looked up by URL before
 * its bytes are read (to revalidate its recorded ETag):
 * `reapi-topaz-video-upscaler-r<format>-<model>-x<factor>-url-<sha256 of the canonical URL>-`.
 * Entries are immutable, so each save appends its time (sourceRecordKey) and a
 * lookup takes the newest entry under the prefix. The URL itself is not in the
 * key: only its hash (a presigned URL's signature stays out of the cache).
 */
export function sourceKeyPrefix(url: string, model: string, upscaleFactor: string): string {
  fingerprintKey({ model, upscaleFactor, sourceSha256: '0'.repeat(64) }); // throws as a fingerprint's key does for a bad model or factor
  const urlHash = sha256Hex(canonicalUrl(url));
  return `${KEY_PREFIX}-r${RECORD_FORMAT_VERSION}-${model}-x${upscaleFactor}-url-${urlHash}-`;
}

/** A new key under a source's prefix: the prefix and the time of the save (base 36 ms); the service answers a prefix with its newest entry. */
export function sourceRecordKey(prefix: string, now = Date.now()): string {
  return `${prefix}${now.toString(36)}`;
}

/**
 * Incremental SHA-256 of one source, capped at `maxBytes`. Preflight can feed
 * it the chunks it already reads, so a source is downloaded once.
 */
export class SourceHasher {
  private readonly hash: Hash = createHash('sha256');
  private count = 0;
  private done = false;

  constructor(
    /** The source, for error messages. */
    readonly url: string,
    readonly maxBytes = MAX_SOURCE_BYTES,
  ) {}

  /** Bytes hashed so far. */
  get bytes(): number {
    return this.count;
  }

  /** Adds the next chunk; throws SourceTooLargeError once the total passes `maxBytes`. */
  update(chunk: Uint8Array): void {
    if (this.done) throw new Error('SourceHasher.update after digest');
    this.count += chunk.length;
    if (this.count > this.maxBytes) {
      this.done = true;
      throw new SourceTooLargeError(
        `${displayUrl(this.url)} is over the upscaler's 50 MB limit (more than ${this.maxBytes} bytes); re-encode or split it.`,
        this.url,
      );
    }
    this.hash.update(chunk);
  }

  /** The lowercase hex SHA-256 of everything added; the hasher cannot be used after. */
  digest(): string {
    if (this.done) throw new Error('SourceHasher.digest called twice or after an error');
    this.done = true;
    return this.hash.digest('hex');
  }
}

export interface HashOptions {
  /** Cancels the download (the step is stopping). */
  signal?: AbortSignal;
  /** Longest time for the whole download, redirects included (default 60 s). */
  timeoutMs?: number;
  /** Longest wait for headers or between two chunks (default 15 s). */
  idleTimeoutMs?: number;
  maxRedirects?: number;
  /** Refuse sources larger than this (default 50 MB, the API's limit). */
  maxBytes?: number;
  /** A strong ETag from an earlier read: sent as If-None-Match, and a 304 answer means the bytes are those. */
  ifNoneMatch?: string;
}

export interface SourceHash {
  /** Lowercase hex SHA-256 of the bytes. */
  sha256: string;
  bytes: number;
  /** HTTP requests sent, redirects included. */
  requests: number;
  /** The host's ETag for these bytes, when it is a strong one (a weak `W/` ETag does not promise the same bytes). */
  etag?: string;
  /** The host answered 304 to `ifNoneMatch`: its bytes are still those of that ETag (sha256 is then empty). */
  notModified?: boolean;
}

/** Longest ETag kept (hosts send 34 to about 70 characters); a longer one is treated as absent. */
export const MAX_ETAG_LENGTH = 256;

/** A strong entity tag, as RFC 9110 writes it and at most MAX_ETAG_LENGTH long, or undefined (weak, absent, malformed or too long). */
export function strongEtag(value: string | undefined): string | undefined {
  const etag = value?.trim();
  return etag && etag.length <= MAX_ETAG_LENGTH && /^"[\x21\x23-\x7e]*"$/.test(etag) ? etag : undefined;
}

/**
 * Downloads a source in full with one GET (redirects followed) and returns the
 * SHA-256 of its bytes. Nothing is written to disk. The request carries no
 * credentials, like preflight's: the host is the user's CDN.
 *
 * Throws FingerprintError (SourceTooLargeError past `maxBytes`, announced or
 * counted) and CancelledError when `signal` aborts.
 */
export async function hashSource(url: string, options: HashOptions = {}): Promise<SourceHash> {
  const source = displayUrl(url);
  const maxBytes = options.maxBytes ?? MAX_SOURCE_BYTES;
  const maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
  const idleMs = options.idleTimeoutMs ?? HASH_IDLE_TIMEOUT_MS;
  const timeoutMs = options.timeoutMs ?? HASH_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const fail = (error: unknown): never => {
    if (error instanceof FingerprintError || error instanceof CancelledError) throw error;
    if (options.signal?.aborted) throw new CancelledError(`Reading ${source} was cancelled.`);
    if (deadline.aborted) {
      throw new FingerprintError(`${source} could not be read in full within ${Number((timeoutMs / 1000).toFixed(1))} s to compute its fingerprint.`, url);
    }
    throw new FingerprintError(`${errorClause(toNetworkError(error, `GET ${source}`, options.signal, idleMs))} while computing its fingerprint.`, url);
  };

  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new FingerprintError(`${JSON.stringify(source)} is not a URL.`, url);
  }
  let requests = 0;
  for (let redirects = 0; ; redirects++) {
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new FingerprintError(`${source} ${redirects ? 'redirects to' : 'is'} a ${target.protocol} URL, which the upscaler cannot fetch.`, url);
    }
    if (target.username || target.password) throw new FingerprintError(`${source} carries credentials in the URL; the upscaler needs a public URL.`, url);
    let response: Dispatcher.ResponseData;
    try {
      requests++;
      response = await request(target, {
        method: 'GET',
        dispatcher: getDispatcher(),
        signal,
        headersTimeout: idleMs,
        bodyTimeout: idleMs,
        // Only these headers: the source lives on the user's host, which must never see the API key.
        headers: {
          'user-agent': `${USER_AGENT} (fingerprint)`,
          accept: '*/*',
          'accept-encoding': 'identity',
          ...(options.ifNoneMatch ? { 'if-none-match': options.ifNoneMatch } : {}),
        },
      });
    } catch (error) {
      return fail(error);
    }
    const { statusCode, headers, body } = response;
    const location = header(headers, 'location');
    if (REDIRECT_STATUSES.has(statusCode) && location) {
      await body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      if (redirects >= maxRedirects) throw new FingerprintError(`${source} redirects more than ${maxRedirects} times.`, url, statusCode);
      try {
        target = new URL(location, target);
      } catch {
        throw new FingerprintError(`${source} redirects to something that is not a URL.`, url, statusCode);
      }
      continue;
    }
    if (statusCode === 304 && options.ifNoneMatch) {
      await body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      return { sha256: '', bytes: 0, requests, etag: options.ifNoneMatch, notModified: true };
    }
    if (statusCode !== 200) {
      await body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      throw new FingerprintError(
        `${source} answered GET with HTTP ${statusCode} (${hostStatusHint(statusCode, 'the host did not send the file')}), so its fingerprint is unknown.`,
        url,
        statusCode,
      );
    }
    const hasher = new SourceHasher(url, maxBytes);
    const announced = header(headers, 'content-length');
    try {
      // Refuse at once what the host announces as too large, rather than after 50 MB.
      if (announced && /^\d+$/.test(announced.trim()) && Number(announced) > maxBytes) tooLarge(url, source, Number(announced), maxBytes);
      for await (const chunk of body as AsyncIterable<Buffer>) hasher.update(chunk);
    } catch (error) {
      body.destroy();
      return fail(error);
    }
    const etag = strongEtag(header(headers, 'etag'));
    return { sha256: hasher.digest(), bytes: hasher.bytes, requests, ...(etag ? { etag } : {}) };
  }
}

function tooLarge(url: string, source: string, bytes: number, maxBytes: number): never {
  throw new SourceTooLargeError(`${source} is ${bytes} bytes, over the upscaler's 50 MB limit (${maxBytes} bytes); re-encode or split it.`, url);
}
