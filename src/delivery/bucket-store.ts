/**
 * result-bucket: each result stored in the user's S3-compatible bucket as
 * `<prefix><result name>` (the names downloads use), streamed from the result
 * host straight into one PUT, or from the saved file when `download` kept it.
 * Writes are proven before anything is paid for. Loaded with import() only
 * when result-bucket is set, since it loads the S3 client.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline as pipelineCallback, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { S3Client, type PutBody } from '../bucket/client';
import { objectUri, type S3Location, type S3Settings } from '../inputs/bucket';
import { ActionError, BucketError, CancelledError, DownloadError, errorClause } from '../shared/errors';
import { MAX_REDIRECTS, REDIRECT_STATUSES, USER_AGENT, getDispatcher, header, parseRetryAfter, toNetworkError } from '../http/transport';
import { notSubmitted } from '../shared/wording';
import type { Log } from '../shared/log';
import { Mp4Inspector, downgradeWarning, type DownloadedFile } from './download';

export const RESULT_CONTENT_TYPE = 'video/mp4';

/** Longest wait for the result host's headers, and longest silence while its body streams. */
const RESULT_STALL_TIMEOUT_MS = 60_000;

/** One result in the bucket. */
export interface StoredObject {
  /** `s3://bucket/key`. */
  uri: string;
  bytes: number;
}

/**
 * Proves the bucket takes writes before anything is paid for: a zero-byte
 * marker under the prefix (a name no result has), then deleted. A refused
 * PUT stops the run unpaid, naming the location and S3's answer; a refused
 * DELETE only warns (the marker stays).
 */
export async function proveBucketWrites(settings: S3Settings, location: S3Location, log: Log, signal?: AbortSignal): Promise<void> {
  const client = new S3Client({ settings, signal, log });
  const { bucket, prefix } = location;
  const key = `${prefix}.reapi-write-check-${randomBytes(8).toString('hex')}`;
  try {
    await client.put({ bucket, key, contentType: 'application/octet-stream', open: () => Buffer.alloc(0) });
  } catch (error) {
    if (error instanceof CancelledError || !(error instanceof ActionError)) throw error;
    const status = error instanceof BucketError ? error.status : undefined;
    const code = error instanceof BucketError ? error.code : undefined;
    throw new BucketError(
      notSubmitted(`Input 'result-bucket': ${objectUri(bucket, prefix)} did not accept a test write: ${errorClause(error)}.`),
      status,
      code,
    );
  }
  try {
    await client.delete(bucket, key);
  } catch (error) {
    if (error instanceof CancelledError || !(error instanceof ActionError)) throw error;
    log.warning(`Could not delete the write check ${objectUri(bucket, key)} (${errorClause(error)}); delete it yourself, or allow deletes under the prefix.`);
  }
  log.info(`Result bucket ${objectUri(bucket, prefix)} accepts writes.`);
}

export interface StoreOptions {
  signal?: AbortSignal;
  log: Log;
  /** Told of each result as soon as it is stored, so one that fails later leaves the earlier reported. */
  onStored?: (object: StoredObject) => void;
}

/**
 * Stores a clip's results, in order: from the saved file when there is one,
 * else streamed from the result host (a retry fetches it again). A failure
 * names the object and S3's answer; the caller adds the task id.
 */
export async function storeResults(
  settings: S3Settings,
  location: S3Location,
  clip: { videoUrls: readonly string[]; files: readonly DownloadedFile[]; names: readonly string[] },
  options: StoreOptions,
): Promise<StoredObject[]> {
  const { signal, log } = options;
  const client = new S3Client({ settings, signal, log });
  const stored: StoredObject[] = [];
  for (const [index, url] of clip.videoUrls.entries()) {
    const file = clip.files[index];
    // The saved file's name, else the name it would have been saved under (the same rule).
    const name = file?.name ?? clip.names[index] ?? '';
    const key = `${location.prefix}${name}`;
    const uri = objectUri(location.bucket, key);
    const spooled: string[] = [];
    let bytes = 0;
    const open = async (): Promise<PutBody> => {
      const body = file ? { stream: createReadStream(file.path), length: (await stat(file.path)).size } : await openResult(url, log, signal, spooled);
      bytes = body.length;
      return body;
    };
    try {
      await client.put({ bucket: location.bucket, key, contentType: RESULT_CONTENT_TYPE, open });
    } catch (error) {
      if (error instanceof CancelledError || !(error instanceof ActionError)) throw error;
      const status = error instanceof BucketError ? error.status : undefined;
      throw new BucketError(`Storing the result as ${uri} failed: ${errorClause(error)}.`, status, error instanceof BucketError ? error.code : undefined);
    } finally {
      await Promise.all(spooled.map((path) => rm(path, { force: true })));
    }
    const object = { uri, bytes };
    stored.push(object);
    options.onStored?.(object);
  }
  return stored;
}

/**
 * One fetch of the result (redirects followed, no credentials on any hop),
 * as a stream with its length. A host that declares no length is spooled to
 * a temporary file first (S3 needs the length before the first byte); its
 * path goes into `spooled` for the caller to remove.
 */
async function openResult(url: string, log: Log, signal: AbortSignal | undefined, spooled: string[]): Promise<{ stream: Readable; length: number }> {
  let current = url;
  for (let hop = 0; ; hop++) {
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(current, {
        method: 'GET',
        dispatcher: getDispatcher(),
        signal,
        headersTimeout: RESULT_STALL_TIMEOUT_MS,
        bodyTimeout: RESULT_STALL_TIMEOUT_MS,
        // Built here, from nothing: neither the API key nor AWS credentials go to the result host.
        headers: { 'user-agent': USER_AGENT, accept: 'video/mp4, */*', 'accept-encoding': 'identity' },
      });
    } catch (error) {
      throw toNetworkError(error, `Fetching the result ${current}`, signal);
    }
    const { statusCode, headers } = response;
    if (REDIRECT_STATUSES.has(statusCode)) {
      await response.body.dump();
      const location = header(headers, 'location');
      if (!location || hop >= MAX_REDIRECTS)
        throw new DownloadError(`The result host answered HTTP ${statusCode} for ${current} and no usable redirect.`, false);
      const next = new URL(location, current);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new DownloadError(`The result host redirected to a ${next.protocol} URL.`, false);
      const downgrade = downgradeWarning(new URL(current), next);
      if (downgrade) log.warning(downgrade);
      current = next.href;
      continue;
    }
    if (statusCode !== 200) {
      await response.body.dump().catch(() => undefined);
      const transient = statusCode >= 500 || statusCode === 408 || statusCode === 429;
      throw new DownloadError(`The result host answered HTTP ${statusCode} for ${current}.`, transient, parseRetryAfter(headers['retry-after']));
    }
    const declared = header(headers, 'content-length');
    const length = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
    const inspector = new Mp4Inspector(header(headers, 'content-type'), length, log);
    // Errors travel down the chain: a result host that breaks off fails the PUT that reads it.
    const stream = pipelineCallback(response.body, inspector, () => undefined);
    if (length !== undefined) return { stream, length };
    const path = join(process.env.RUNNER_TEMP || tmpdir(), `.reapi-result-${randomBytes(6).toString('hex')}.part`);
    spooled.push(path);
    try {
      await pipeline(stream, createWriteStream(path), { signal });
    } catch (error) {
      if (signal?.aborted) throw new CancelledError('Storing the result was cancelled.');
      if (error instanceof DownloadError) throw error;
      throw new DownloadError(`Fetching the result ${current} broke off (${errorClause(error)}).`, true);
    }
    return { stream: createReadStream(path), length: (await stat(path)).size };
  }
}
