/**
 * What a re-run needs to find the task an earlier attempt of the same
 * workflow run submitted for a clip: the key it is saved under in the Actions
 * cache, and the record itself. Pure: no I/O.
 *
 * Keys. Cache entries are immutable and restore keys are never used, so each
 * submission gets a key of its own: the run (GITHUB_RUN_ID), a hash of the job
 * (GITHUB_JOB), the step (GITHUB_ACTION), the source's identity, the factor
 * and the model, then the attempt that submitted (`-a<N>`). Attempt N looks up
 * the exact keys of attempts N-1 down to 1, newest first: when attempt 2
 * submits again after a failed task, its record does not collide with
 * attempt 1's. A new run has another run id, so it never sees these records.
 *
 * Records hold no secret: the source is kept as a SHA-256 of its identity and
 * as a label without its query string (a presigned URL's signature lives
 * there); the API key is never part of a record.
 */
import { sha256Hex } from '../shared/sha256';
import { canonicalUrl } from '../shared/canonical-url';
import { displayUrl } from '../shared/urls';
import { isObject, taskIdProblem } from '../shared/validate';

export const RERUN_RECORD_VERSION = 1;
/** A record is a few hundred bytes; anything much larger is not ours. */
export const MAX_RERUN_RECORD_BYTES = 4096;

/** The workflow run, job and step this run of the action belongs to, and its attempt. */
export interface RunContext {
  readonly runId: string;
  readonly attempt: number;
  readonly job: string;
  readonly action: string;
}

/**
 * The run this step belongs to, from the runner's environment; undefined
 * outside GitHub Actions (no GITHUB_RUN_ID or GITHUB_RUN_ATTEMPT), where there
 * is no re-run to resume.
 */
export function runContext(env: NodeJS.ProcessEnv): RunContext | undefined {
  const runId = env.GITHUB_RUN_ID?.trim() ?? '';
  const attempt = Number(env.GITHUB_RUN_ATTEMPT?.trim() ?? '');
  if (!/^\d{1,20}$/.test(runId) || !Number.isSafeInteger(attempt) || attempt < 1) return undefined;
  return { runId, attempt, job: env.GITHUB_JOB ?? '', action: env.GITHUB_ACTION ?? '' };
}

/**
 * What makes two clips the same source across attempts: `id` is hashed into
 * the key and the record, never stored as text; `label` is what a person
 * reads, with no secret in it.
 */
export interface SourceIdentity {
  readonly id: string;
  readonly label: string;
}

/**
 * Query parameters that sign a URL rather than name the object (S3 and R2
 * SigV4, CloudFront, Google Cloud Storage, Azure SAS): a re-run that signs the
 * same object again gets another signature, and is still the same source.
 */
const SIGNING_PARAM =
  /^(x-amz-.*|x-goog-.*|signature|expires|key-pair-id|policy|googleaccessid|sig|se|st|sp|sv|sr|spr|si|sdd|ss|srt|skoid|sktid|skt|ske|sks|skv|ses)$/i;

/** A source URL's identity: its canonical form without signing parameters. */
export function urlIdentity(url: string): SourceIdentity {
  let id = canonicalUrl(url);
  try {
    const parsed = new URL(id);
    const kept = [...parsed.searchParams].filter(([name]) => !SIGNING_PARAM.test(name));
    parsed.search = new URLSearchParams(kept).toString();
    id = parsed.href;
  } catch {
    // Not a URL: the text itself is the identity.
  }
  return { id: `url:${id}`, label: displayUrl(url) };
}

/** A local file's identity: its bytes' SHA-256 (for `video-file` sources). */
export function fileIdentity(sha256: string, name: string): SourceIdentity {
  return { id: `file:sha256:${sha256.toLowerCase()}`, label: name };
}

/** What a clip is, for the key and the record's check: the same for every attempt of one run. */
export interface ClipIdentity {
  readonly source: SourceIdentity;
  readonly upscaleFactor: string;
  readonly model: string;
}

/** The exact Actions cache key of the record `attempt` saved for this clip. */
export function rerunKey(run: RunContext, clip: ClipIdentity, attempt: number): string {
  const scope = sha256Hex(JSON.stringify([run.job, run.action, clip.source.id, clip.upscaleFactor, clip.model])).slice(0, 40);
  return `reapi-topaz-rerun-v${RERUN_RECORD_VERSION}-${run.runId}-${scope}-a${attempt}`;
}

/** The record of one submission. */
export interface RerunRecord {
  readonly v: typeof RERUN_RECORD_VERSION;
  readonly runId: string;
  /** The attempt that submitted the task. */
  readonly attempt: number;
  readonly taskId: string;
  /** SHA-256 of the source's identity, and a label for people (no query string). */
  readonly sourceSha256: string;
  readonly source: string;
  readonly upscaleFactor: string;
  readonly model: string;
  /** ISO 8601 UTC. */
  readonly submittedAt: string;
}

export function rerunRecord(run: RunContext, clip: ClipIdentity, taskId: string, now = new Date()): RerunRecord {
  return {
    v: RERUN_RECORD_VERSION,
    runId: run.runId,
    attempt: run.attempt,
    taskId,
    sourceSha256: sha256Hex(clip.source.id),
    source: clip.source.label,
    upscaleFactor: clip.upscaleFactor,
    model: clip.model,
    submittedAt: now.toISOString(),
  };
}

const FIELDS = ['v', 'runId', 'attempt', 'taskId', 'sourceSha256', 'source', 'upscaleFactor', 'model', 'submittedAt'];

/**
 * Checks a restored record (untrusted: any job of the repository with cache
 * access could have written an entry) against the clip and the attempt whose
 * key it was found under. Returns the record, or why it is refused.
 */
export function parseRerunRecord(text: string, run: RunContext, clip: ClipIdentity, attempt: number): { record: RerunRecord } | { problem: string } {
  if (Buffer.byteLength(text) > MAX_RERUN_RECORD_BYTES) return { problem: 'it is too large' };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { problem: 'it is not JSON' };
  }
  if (!isObject(data) || Object.keys(data).some((key) => !FIELDS.includes(key))) return { problem: 'it is not a re-run record' };
  if (data.v !== RERUN_RECORD_VERSION) return { problem: 'it is of another version' };
  if (data.runId !== run.runId || data.attempt !== attempt) return { problem: 'it is of another run or attempt' };
  if (typeof data.taskId !== 'string' || taskIdProblem(data.taskId) !== undefined) return { problem: 'its task id is malformed' };
  if (data.sourceSha256 !== sha256Hex(clip.source.id)) return { problem: 'it is of another source' };
  if (data.upscaleFactor !== clip.upscaleFactor || data.model !== clip.model) return { problem: 'it is of another factor or model' };
  if (typeof data.source !== 'string' || typeof data.submittedAt !== 'string') return { problem: 'it is malformed' };
  return { record: data as unknown as RerunRecord };
}
