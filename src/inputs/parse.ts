import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { canonicalUrl } from '../shared/canonical-url';
import { InputError } from '../shared/errors';
import { checkDownloadPath } from './paths';
import { MAX_DURATION_TEXT } from '../shared/timers';
import {
  checkDurationRange,
  checkSourceUrl,
  checkTaskId,
  parseBoolean,
  parseDuration,
  parseList,
  parseUpscaleFactor,
  preview,
  type UpscaleFactor,
} from './values';
import { hasControlCharacters } from '../shared/text';
import { TASK_ID_RULE } from '../shared/validate';
import { parseS3Location, parseS3Settings, type S3Location, type S3Settings } from './bucket';
import { inputsWithoutEffect, type InputWithoutEffect } from './without-effect';

/** How results are checked against their sources. */
export type VerifyMode = 'warn' | 'fail' | 'off';

/** When the step's time is up: `timeout` after the inputs were read. Everything that waits takes this one value. */
export interface Deadline {
  /** Epoch ms after which nothing new is started and no wait goes on. */
  readonly at: number;
  /** The `timeout` input, for messages and for sizing one request's share. */
  readonly timeoutMs: number;
}

/** Every input of the action, validated and typed. */
export interface ActionInputs {
  apiKey: string;
  /** Source video URLs, in order (one in the common case). Empty when resuming by task id without naming the sources. */
  videoUrls: string[];
  /** `video-file`: workspace paths and globs, in input order (expanded and checked by source/local-file.ts); submitted after the URLs. */
  videoFiles: string[];
  /** `source-bucket`: where workspace files are staged; set whenever `videoFiles` is not empty. */
  sourceBucket?: S3Location;
  upscaleFactor: UpscaleFactor;
  /** API origin without a trailing slash. */
  apiBaseUrl: string;
  wait: boolean;
  /** Existing tasks to resume instead of submitting (when given, `videoUrls` is empty or names their sources, in order). */
  taskIds: string[];
  deadline: Deadline;
  pollIntervalMs: number;
  /** Download the result(s); true when `download` is true or `artifact-name` is set. */
  download: boolean;
  /** Absolute directory the results are downloaded to. */
  downloadPath: string;
  /** Upload the downloaded file(s) as a workflow artifact with this name. */
  artifactName?: string;
  /** Artifact retention in days; undefined means the repository default. */
  retentionDays?: number;
  /** Inputs set to no effect (retention-days without artifact-name…): warned of, not refused. */
  inputsWithoutEffect: InputWithoutEffect[];
  /** Most tasks submitted and polled at once (and sources probed at once). */
  concurrency: number;
  /** Check each source (reachable, size, type, duration) before submitting. */
  preflight: boolean;
  /** Refuse to submit when the sources add up to more billable seconds than this. */
  maxBillableSeconds?: number;
  /** Validate and preflight only; submit nothing. */
  dryRun: boolean;
  /** Upload every result as an asset of the release with this tag (implies download). */
  releaseTag?: string;
  /** The token for the release; registered as a secret before anything else runs. */
  githubToken?: string;
  /** Reuse an earlier completed task for a source with the same bytes, factor and model. */
  skipUnchanged: boolean;
  /** On a re-run of the workflow, pick up the tasks earlier attempts submitted instead of submitting again. */
  resumeReruns: boolean;
  /** What a result that does not match its source does: a warning, a failed step, or no probe at all. */
  verify: VerifyMode;
  /** The S3-compatible store, when a bucket input is set (credentials from the environment). */
  s3?: S3Settings;
  /** Store each result there as `<prefix><result name>`. */
  resultBucket?: S3Location;
}

export const MAX_CONCURRENCY = 32;

/** Reads one raw input; in the action it is `core.getInput`. */
export type InputReader = (name: string) => string;

function parseApiBaseUrl(text: string): string {
  const reason = checkSourceUrl(text);
  if (reason) {
    throw new InputError(`Input 'api-base-url' ${reason} (got ${preview(text)}); expected an http(s) origin such as https://reapi.ai.`);
  }
  const url = new URL(text);
  if (url.search || url.hash || url.username || url.password) {
    throw new InputError(
      `Input 'api-base-url' must be an origin (and optional path prefix) without credentials, query string or fragment; got ${preview(text)}.`,
    );
  }
  return text.replace(/\/+$/, '');
}

/** True when the key would cross the network unencrypted: plain http to a host other than this machine. */
export function isInsecureApiBase(apiBaseUrl: string): boolean {
  const url = new URL(apiBaseUrl);
  if (url.protocol !== 'http:') return false;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return !(host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host));
}

/** Checks the key's characters without echoing it: a key holds no whitespace and no non-ASCII characters. */
function checkApiKey(key: string): void {
  if (/^[\x21-\x7e]+$/.test(key)) return;
  throw new InputError(
    "Input 'api-key' contains a space, line break or non-ASCII character, which no reApi key has; check the secret's value (a stray newline or a pasted quote?).",
  );
}

function requireDuration(name: string, text: string, example: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new InputError(
      `Input '${name}' must be a positive duration: seconds as a number, or with a unit ms, s, m or h (e.g. ${example}); got ${preview(text)}.`,
    );
  }
  const reason = checkDurationRange(ms);
  if (reason) throw new InputError(`Input '${name}' must be from 1ms to ${MAX_DURATION_TEXT}; ${preview(text)} ${reason}.`);
  return ms;
}

/** Characters the artifact service refuses in a name (they break some file systems). */
const ARTIFACT_NAME_FORBIDDEN = /[":<>|*?\r\n\\/]/;

export function checkArtifactName(name: string): string | undefined {
  const bad = ARTIFACT_NAME_FORBIDDEN.exec(name);
  return bad ? `contains ${JSON.stringify(bad[0])}` : undefined;
}

function parseRetentionDays(text: string): number | undefined {
  if (!text) return undefined;
  const days = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(days >= 1 && days <= 90)) {
    throw new InputError(`Input 'retention-days' must be a whole number of days from 1 to 90, or empty for the repository default; got ${preview(text)}.`);
  }
  return days;
}

/** The download directory: the input (relative to the working directory, the workspace on a runner), else RUNNER_TEMP/reapi-upscaled. */
function resolveDownloadPath(text: string, env: NodeJS.ProcessEnv): string {
  if (text.includes('\0')) throw new InputError(`Input 'download-path' contains a NUL character; got ${preview(text)}.`);
  const path = text ? resolve(text) : join(env.RUNNER_TEMP || tmpdir(), 'reapi-upscaled');
  const reason = checkDownloadPath(path);
  if (reason)
    throw new InputError(`Input 'download-path' ${reason} (got ${preview(text || path)}); give a directory on a disk, e.g. \${{ runner.temp }}/upscaled.`);
  return path;
}

/** video-file needs somewhere to stage the files (the credentials are checked with the other bucket inputs'). */
function parseSourceBucket(videoFiles: readonly string[], taskIds: readonly string[], text: string): S3Location | undefined {
  if (videoFiles.length === 0) return undefined;
  if (taskIds.length > 0) {
    throw new InputError("Inputs 'video-file' and 'task-id' cannot be combined: a resumed task already has its source; pass the files or the task ids.");
  }
  if (!text) {
    throw new InputError("Input 'video-file' needs 'source-bucket' (s3://bucket/prefix/), where the files are staged for the upscaler to fetch.");
  }
  return parseS3Location('source-bucket', text);
}

/** " item 3" when the input lists several values, so a message points at the bad one. */
function which(items: readonly string[], index: number): string {
  return items.length > 1 ? ` item ${index + 1}` : '';
}

function parseBooleanInput(name: string, text: string): boolean {
  const value = parseBoolean(text);
  if (value === undefined) throw new InputError(`Input '${name}' must be true or false; got ${preview(text)}.`);
  return value;
}

function parseConcurrency(text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= MAX_CONCURRENCY)) {
    throw new InputError(`Input 'concurrency' must be a whole number from 1 to ${MAX_CONCURRENCY}; got ${preview(text)}.`);
  }
  return value;
}

function parseMaxBillableSeconds(text: string): number | undefined {
  if (!text) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && Number.isSafeInteger(value))) {
    throw new InputError(`Input 'max-billable-seconds' must be a whole number of seconds (1 or more), or empty for no limit; got ${preview(text)}.`);
  }
  return value;
}

function parseVerifyMode(text: string): VerifyMode {
  const mode = text.toLowerCase();
  if (mode === 'warn' || mode === 'fail' || mode === 'off') return mode;
  throw new InputError(`Input 'verify' must be warn, fail or off; got ${preview(text)}.`);
}

/**
 * The defaults of action.yml, for runs outside a runner (the runner passes
 * them as inputs itself). A unit test holds this table and action.yml to the
 * same values; download-path's default is an expression, resolved in
 * resolveDownloadPath.
 */
export const INPUT_DEFAULTS: Readonly<Record<string, string>> = {
  'upscale-factor': '2',
  'api-base-url': 'https://reapi.ai',
  wait: 'true',
  timeout: '30m',
  'poll-interval': '5s',
  download: 'false',
  concurrency: '4',
  preflight: 'true',
  'dry-run': 'false',
  'skip-unchanged': 'false',
  'resume-reruns': 'true',
  verify: 'warn',
};

/** Reads and validates every input, or throws one InputError naming the first bad one. */
export function parseInputs(read: InputReader, env: NodeJS.ProcessEnv = process.env, now = Date.now()): ActionInputs {
  const get = (name: string) => read(name).trim() || INPUT_DEFAULTS[name] || '';

  const apiKey = get('api-key');
  if (!apiKey) {
    throw new InputError("Input 'api-key' is required: pass your reApi key from a secret, e.g. api-key: ${{ secrets.REAPI_API_KEY }}.");
  }
  checkApiKey(apiKey);

  // Spellings of one URL (HTTP://Host:80/./a#x and http://host/a) are one source, billed twice if both were sent.
  const videoUrls = parseList('video-url', get('video-url'), canonicalUrl);
  const taskIds = parseList('task-id', get('task-id'));
  const videoFiles = parseList('video-file', get('video-file'));
  if (videoUrls.length === 0 && videoFiles.length === 0 && taskIds.length === 0) {
    throw new InputError(
      "Input 'video-url' is required (a public http(s) URL of an MP4, MOV or MKV), unless 'video-file' names workspace files or 'task-id' is given to resume a task.",
    );
  }
  const sourceBucket = parseSourceBucket(videoFiles, taskIds, get('source-bucket'));
  videoUrls.forEach((videoUrl, index) => {
    // URL parsing drops tabs and line breaks, but the raw text would be sent and logged.
    const reason = hasControlCharacters(videoUrl) ? 'holds a line break, tab or another control character' : checkSourceUrl(videoUrl);
    if (reason) {
      throw new InputError(
        `Input 'video-url'${which(videoUrls, index)} ${reason} (got ${preview(videoUrl)}); it must be a public http(s) URL of an MP4, MOV or MKV (data: URIs and local files are not accepted).`,
      );
    }
  });
  taskIds.forEach((taskId, index) => {
    if (!checkTaskId(taskId)) {
      throw new InputError(`Input 'task-id'${which(taskIds, index)} must be a reApi task id such as task_018f5a3a… (${TASK_ID_RULE}); got ${preview(taskId)}.`);
    }
  });
  if (taskIds.length > 0 && videoUrls.length > 0 && videoUrls.length !== taskIds.length) {
    throw new InputError(
      `Inputs 'task-id' and 'video-url' list ${taskIds.length} and ${videoUrls.length} values; when resuming, video-url may name the source of each task (same count, same order, used for file names) or be left empty.`,
    );
  }

  const factorText = get('upscale-factor');
  const upscaleFactor = parseUpscaleFactor(factorText);
  if (!upscaleFactor) {
    throw new InputError(`Input 'upscale-factor' must be 1, 2 or 4 (1x, 2x, 4x also accepted); got ${preview(factorText)}.`);
  }

  const wait = parseBooleanInput('wait', get('wait'));
  const downloadRequested = parseBooleanInput('download', get('download'));
  const artifactName = get('artifact-name') || undefined;
  if (artifactName) {
    const reason = checkArtifactName(artifactName);
    if (reason) {
      throw new InputError(`Input 'artifact-name' ${reason} (got ${preview(artifactName)}); artifact names cannot contain " : < > | * ? \\ / or line breaks.`);
    }
  }
  const retentionDays = parseRetentionDays(get('retention-days'));
  const releaseTag = get('release-tag') || undefined;
  if (releaseTag !== undefined && (hasControlCharacters(releaseTag) || releaseTag.length > 255)) {
    throw new InputError(`Input 'release-tag' must be a tag name on one line, at most 255 characters; got ${preview(releaseTag)}.`);
  }
  const githubToken = get('github-token') || undefined;
  if (releaseTag && !githubToken) {
    throw new InputError("Input 'release-tag' needs a token: leave github-token at its default (${{ github.token }}) or pass one with contents: write.");
  }
  const download = downloadRequested || artifactName !== undefined || releaseTag !== undefined;
  if (download && !wait) {
    const name = releaseTag ? 'release-tag' : artifactName ? 'artifact-name' : 'download';
    throw new InputError(`Input '${name}' needs wait: true, because there is nothing to download until the task completes (got wait: false).`);
  }

  const concurrency = parseConcurrency(get('concurrency'));
  const preflight = parseBooleanInput('preflight', get('preflight'));
  const maxBillableSeconds = parseMaxBillableSeconds(get('max-billable-seconds'));
  if (maxBillableSeconds !== undefined && !preflight) {
    throw new InputError("Input 'max-billable-seconds' needs preflight: true, because the billable seconds are measured in preflight (got preflight: false).");
  }
  const dryRun = parseBooleanInput('dry-run', get('dry-run'));
  const skipUnchanged = parseBooleanInput('skip-unchanged', get('skip-unchanged'));
  const resumeReruns = parseBooleanInput('resume-reruns', get('resume-reruns'));
  const verify = parseVerifyMode(get('verify'));
  const timeoutMs = requireDuration('timeout', get('timeout'), '90, 90s, 30m, 1h');
  const resultBucket = get('result-bucket') ? parseS3Location('result-bucket', get('result-bucket')) : undefined;
  if (resultBucket && !wait)
    throw new InputError("Input 'result-bucket' needs wait: true, because there is nothing to store until the task completes (got wait: false).");
  const s3 = parseS3Settings(get, env, [...(sourceBucket ? ['video-file'] : []), ...(resultBucket ? ['result-bucket'] : [])]);

  return {
    apiKey,
    videoUrls,
    videoFiles,
    sourceBucket,
    taskIds,
    upscaleFactor,
    apiBaseUrl: parseApiBaseUrl(get('api-base-url')),
    wait,
    deadline: { at: now + timeoutMs, timeoutMs },
    pollIntervalMs: requireDuration('poll-interval', get('poll-interval'), '5, 5s, 0.5, 500ms'),
    download,
    downloadPath: resolveDownloadPath(get('download-path'), env),
    artifactName,
    retentionDays,
    inputsWithoutEffect: inputsWithoutEffect(get, { artifactName, videoFiles, bucketInputSet: s3 !== undefined }),
    concurrency,
    preflight,
    maxBillableSeconds,
    dryRun,
    releaseTag,
    githubToken: releaseTag ? githubToken : undefined,
    skipUnchanged,
    resumeReruns,
    verify,
    s3,
    resultBucket,
  };
}
