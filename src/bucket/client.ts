/**
 * The one client of S3-compatible storage: signed PUT and DELETE of objects
 * and presigned GET URLs, path-style, SigV4 by aws4fetch, bodies streamed by
 * undici. It is the only holder of the AWS credentials on the wire: they go to
 * the endpoint's origin and nowhere else (redirects are not followed). Loaded
 * with a dynamic import() only when a bucket input is set.
 */
import { sha256Hex } from '../shared/sha256';
import type { Readable } from 'node:stream';
import { AwsV4Signer } from 'aws4fetch';
import { request } from 'undici';
import type { S3Settings } from '../inputs/bucket';
import { objectUri } from '../inputs/bucket';
import { BucketError, CancelledError, DownloadError, NetworkError, errorClause } from '../shared/errors';
import { registerSecret } from '../shared/redact';
import { SILENT, type Log } from '../shared/log';
import { formatSeconds } from '../shared/format';
import { USER_AGENT, getDispatcher, parseRetryAfter, readLimitedText, toNetworkError } from '../http/transport';
import { withRetries, type RetryPolicy } from '../http/retry';
import { MAX_PRESIGN_SECONDS, MIN_PRESIGN_SECONDS, objectUrl, parseS3Error } from './addressing';

/** A store's hiccup (5xx, 429, a reset) is tried again a few times; each try resends the whole body. */
export const BUCKET_RETRY: RetryPolicy = { maxAttempts: 4, baseMs: 1000, capMs: 10_000, retryAfterCapMs: 30_000, maxFormatErrors: 0 };

/** A single PUT takes up to 5 GB; more needs a multipart upload, which this client does not do. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1000 ** 3;

/** Longest wait for S3's answer once the last byte is sent, and longest silence while it arrives. */
const ANSWER_TIMEOUT_MS = 120_000;
const BODY_TIMEOUT_MS = 60_000;
/** S3 error answers are small XML documents. */
const MAX_ERROR_BYTES = 64 * 1024;

/** The bytes of one attempt: a buffer, or a fresh stream with its exact length (S3 needs Content-Length). */
export type PutBody = Buffer | { stream: Readable; length: number };

export interface PutObject {
  bucket: string;
  key: string;
  contentType: string;
  /**
   * Opens the body for one attempt. A retry calls it again, so a stream
   * restarts from its source; a DownloadError it throws is retried when transient.
   */
  open: () => Promise<PutBody> | PutBody;
}

export interface S3ClientOptions {
  settings: S3Settings;
  signal?: AbortSignal;
  /** Retries (info). */
  log?: Log;
  retry?: RetryPolicy;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class S3Client {
  private readonly log: Log;

  constructor(private readonly options: S3ClientOptions) {
    this.log = options.log ?? SILENT;
  }

  /** Stores an object (replacing one with the same key), retrying transient failures. */
  async put(object: PutObject): Promise<void> {
    const { bucket, key, contentType } = object;
    await this.retried(`Storing ${objectUri(bucket, key)}`, async () => {
      const body = await object.open();
      const length = Buffer.isBuffer(body) ? body.length : body.length;
      if (length > MAX_SINGLE_PUT_BYTES) {
        if (!Buffer.isBuffer(body)) body.stream.destroy();
        throw new BucketError(`${objectUri(bucket, key)} would be ${length} bytes; a single PUT takes at most 5 GB.`);
      }
      const payloadHash = Buffer.isBuffer(body) ? sha256Hex(body) : 'UNSIGNED-PAYLOAD';
      const headers = { 'content-type': contentType, 'content-length': String(length), 'x-amz-content-sha256': payloadHash };
      await this.send('PUT', bucket, key, headers, Buffer.isBuffer(body) ? body : body.stream);
    });
  }

  /** Deletes an object (S3 answers 204 whether or not it existed). */
  async delete(bucket: string, key: string): Promise<void> {
    await this.retried(`Deleting ${objectUri(bucket, key)}`, () => this.send('DELETE', bucket, key, { 'x-amz-content-sha256': EMPTY_SHA256 }));
  }

  /**
   * A GET URL anyone can use until it expires (query-string SigV4, no headers
   * needed). Its signature is a bearer credential: it is registered with the
   * run's redactor (and masked) before the URL is returned.
   */
  async presignGet(bucket: string, key: string, expiresSeconds: number): Promise<string> {
    const expires = Math.round(expiresSeconds);
    if (!(expires >= MIN_PRESIGN_SECONDS && expires <= MAX_PRESIGN_SECONDS)) {
      throw new RangeError(`A presigned URL lives ${MIN_PRESIGN_SECONDS} s to ${MAX_PRESIGN_SECONDS} s; asked for ${expiresSeconds}.`);
    }
    const url = new URL(objectUrl(this.options.settings.endpoint, bucket, key));
    url.searchParams.set('X-Amz-Expires', String(expires));
    const signed = await this.signer('GET', url, {}, true).sign();
    const signature = signed.url.searchParams.get('X-Amz-Signature') ?? '';
    registerSecret(signature);
    return signed.url.toString();
  }

  private signer(method: string, url: URL, headers: Record<string, string>, signQuery = false): AwsV4Signer {
    const { credentials, region } = this.options.settings;
    return new AwsV4Signer({ method, url: url.toString(), headers, ...credentials, service: 's3', region, signQuery });
  }

  /** One signed request; a non-2xx answer becomes a BucketError with S3's code. */
  private async send(method: 'PUT' | 'DELETE', bucket: string, key: string, headers: Record<string, string>, body?: Buffer | Readable): Promise<void> {
    const { signal } = this.options;
    const url = new URL(objectUrl(this.options.settings.endpoint, bucket, key));
    const signed = await this.signer(method, url, headers).sign();
    const sent: Record<string, string> = { 'user-agent': USER_AGENT };
    signed.headers.forEach((value, name) => (sent[name] = value));
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(signed.url, {
        method,
        headers: sent,
        body,
        dispatcher: getDispatcher(),
        signal,
        headersTimeout: ANSWER_TIMEOUT_MS,
        bodyTimeout: BODY_TIMEOUT_MS,
      });
    } catch (error) {
      if (body && !Buffer.isBuffer(body)) body.destroy();
      // The body's own failure (the result host broke off, or sent no video) is told as it is, not as the store's.
      if (error instanceof DownloadError) throw error;
      throw toNetworkError(error, `The request to ${url.origin}`, signal);
    }
    const { statusCode } = response;
    let text = '';
    try {
      text = await readLimitedText(response.body, MAX_ERROR_BYTES);
    } catch {
      // An unreadable or huge answer: the status alone says it.
    }
    if (statusCode >= 200 && statusCode < 300) return;
    const { code, message } = parseS3Error(text);
    const transient = statusCode >= 500 || statusCode === 429 || statusCode === 408;
    const said = `S3 answered HTTP ${statusCode}${code ? ` ${code}` : ''}${message ? ` (${message})` : ''}`;
    throw new BucketError(`${said}.`, statusCode, code, transient, parseRetryAfter(response.headers['retry-after']));
  }

  /** Runs one operation through the one retry loop: transient store answers, network failures and transient result-host failures. */
  private retried(what: string, attempt: () => Promise<void>): Promise<void> {
    const policy = this.options.retry ?? BUCKET_RETRY;
    return withRetries(attempt, {
      policy,
      signal: this.options.signal,
      random: this.options.random,
      sleep: this.options.sleep,
      retryable: (error) =>
        !(error instanceof CancelledError) &&
        ((error instanceof BucketError && error.transient) || error instanceof NetworkError || (error instanceof DownloadError && error.transient)),
      retryAfterMs: (error) => (error instanceof BucketError || error instanceof DownloadError ? error.retryAfterMs : undefined),
      onRetry: (error, delayMs, next) =>
        this.log.info(`${what} failed (${errorClause(error)}); trying again in ${formatSeconds(delayMs / 1000)} s (attempt ${next} of ${policy.maxAttempts}).`),
    });
  }
}

/** SHA-256 of no bytes: the payload hash of a DELETE. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
