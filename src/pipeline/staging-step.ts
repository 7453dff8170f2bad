/**
 * Staging a workspace file (`video-file`) for reApi, which only fetches
 * URLs: one signed PUT into `source-bucket` under a key no other run, job or
 * file uses, then a presigned GET URL for the submission (a bearer
 * credential: its signature is registered with the redactor before the URL
 * exists anywhere else). Once the task has completed or failed the object is
 * deleted; while the task may still fetch it (wait: false, cancelled, timed
 * out) it is kept. The S3 client is loaded only when `source-bucket` is set.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename, extname } from 'node:path';
import type { S3Client } from '../bucket/client';
import { MAX_PRESIGN_SECONDS } from '../bucket/addressing';
import { objectUri, type S3Location, type S3Settings } from '../inputs/bucket';
import type { Deadline } from '../inputs/parse';
import type { ClipEvent, ClipPlan, Stage, WorkspaceFile } from '../model/clip';
import { sanitizeStem } from '../delivery/naming';
import { ActionError, ApiError, BucketError, errorClause } from '../shared/errors';
import type { Log } from '../shared/log';

/** Beyond the remaining timeout, so the URL outlives the job by a margin (reApi fetches again while rendering). */
const URL_MARGIN_SECONDS = 3600;
/** Session credentials last 1 h by default for an assumed role (configure-aws-credentials' role-duration-seconds). */
const DEFAULT_SESSION_SECONDS = 3600;

/** One staged object. */
export interface StagedObject {
  readonly bucket: string;
  readonly key: string;
  /** `s3://bucket/key`: what the log names. */
  readonly uri: string;
  /** The presigned GET URL handed to reApi: never logged, never an output. */
  readonly url: string;
}

/** Where a run's objects go: `<prefix><run>/<clip>-<hash>/<name>`; `run` is unique to this step (run, attempt, job and a nonce). */
export function runFolder(env: NodeJS.ProcessEnv, nonce = randomBytes(6).toString('hex')): string {
  const part = (value: string | undefined, fallback: string) => sanitizeStem(value ?? '', 64) || fallback;
  return [part(env.GITHUB_RUN_ID, 'local'), part(env.GITHUB_RUN_ATTEMPT, '1'), part(env.GITHUB_JOB, 'job'), nonce].join('-');
}

/** The object key of one clip's file: a matrix leg, a re-run or a second file of the same bytes never shares it. */
export function stagingKey(prefix: string, folder: string, index: number, file: Pick<WorkspaceFile, 'path' | 'sha256'>): string {
  const extension = extname(file.path).toLowerCase();
  const stem = sanitizeStem(basename(file.path, extname(file.path)), 100) || 'video';
  const safeExtension = /^\.[a-z0-9]{1,5}$/.test(extension) ? extension : '';
  return `${prefix}${folder}/${index + 1}-${file.sha256.slice(0, 16)}/${stem}${safeExtension}`;
}

/** How long the presigned URL lives: the remaining timeout plus an hour, within SigV4's 7 days. */
export function urlLifetimeSeconds(deadline: Deadline, now = Date.now()): number {
  const remaining = Math.max(0, Math.ceil((deadline.at - now) / 1000));
  return Math.min(MAX_PRESIGN_SECONDS, remaining + URL_MARGIN_SECONDS);
}

/** The warning for session credentials that may end before the job does, or undefined. */
export function sessionWarning(settings: S3Settings, deadline: Deadline): string | undefined {
  if (!settings.credentials.sessionToken || deadline.timeoutMs <= DEFAULT_SESSION_SECONDS * 1000) return undefined;
  return (
    "Input 'timeout' is longer than an hour, but the AWS credentials are session credentials (AWS_SESSION_TOKEN): the presigned URL of a " +
    'staged video-file stops working when the session ends (1 h by default for an assumed role), and a task that fetches it later fails. ' +
    'Raise role-duration-seconds in aws-actions/configure-aws-credentials, or shorten timeout.'
  );
}

/** A clip's staging, told as events: the Reporter lays them out. */
export type TellStaging = (event: ClipEvent) => void;

/** Stages the files of a run and cleans up after them; one per run. */
export class Staging {
  private readonly folder: string;

  constructor(
    private readonly client: Pick<S3Client, 'put' | 'delete' | 'presignGet'>,
    private readonly location: S3Location,
    private readonly deadline: Deadline,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.folder = runFolder(env);
  }

  /** Uploads the clip's file and returns its object with a presigned URL; a refused upload fails the clip before anything is submitted. */
  async stage(plan: ClipPlan, log: Log, tell: TellStaging): Promise<StagedObject> {
    const file = plan.file as WorkspaceFile;
    const { bucket } = this.location;
    const key = stagingKey(this.location.prefix, this.folder, plan.index, file);
    const uri = objectUri(bucket, key);
    const started = Date.now();
    try {
      await log.group(`Staging ${file.path} in ${uri}`, () =>
        this.client.put({
          bucket,
          key,
          contentType: file.contentType,
          // Each attempt reads the file again from the start.
          open: () => ({ stream: createReadStream(file.absolutePath), length: file.sizeBytes }),
        }),
      );
    } catch (error) {
      if (!(error instanceof BucketError)) throw error;
      // The store's answer names S3's code (AccessDenied, SignatureDoesNotMatch…) when it gave one.
      throw new ActionError(`Staging ${file.path} in bucket ${bucket} failed: ${errorClause(error)}; nothing was submitted.`);
    }
    const url = await this.client.presignGet(bucket, key, urlLifetimeSeconds(this.deadline));
    tell({ type: 'staged', path: file.path, object: uri, bytes: file.sizeBytes, elapsedMs: Date.now() - started });
    return { bucket, key, uri, url };
  }

  /**
   * After the clip: deletes the object once its task has completed or failed, or when reApi refused the submission
   * (no task will fetch it); keeps it while a task may still fetch it. Never throws: a failed delete is a warning.
   */
  async settle(object: StagedObject, clip: { stage: Stage; taskId?: string }, error: unknown, log: Log, tell: TellStaging, aborted: boolean): Promise<void> {
    const refused = clip.taskId === undefined && error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429;
    const done = clip.taskId !== undefined && (clip.stage === 'completed' || clip.stage === 'failed');
    if (aborted || !(done || refused)) {
      tell({ type: 'staged-kept', object: object.uri, taskId: clip.taskId });
      return;
    }
    try {
      await this.client.delete(object.bucket, object.key);
      tell({ type: 'staged-deleted', object: object.uri });
    } catch (deleteError) {
      log.warning(`Could not delete the staged ${object.uri} (${errorClause(deleteError)}); a lifecycle rule on the staging prefix removes it later.`);
    }
  }
}

/** The run's staging, with the S3 client loaded now (only runs with video-file get here). */
export async function openStaging(settings: S3Settings, location: S3Location, deadline: Deadline, signal: AbortSignal, log: Log): Promise<Staging> {
  const { S3Client } = await import('../bucket/client');
  return new Staging(new S3Client({ settings, signal, log }), location, deadline);
}
