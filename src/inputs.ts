import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from './errors';

/** The three factors the API accepts, as the strings it expects. */
export type UpscaleFactor = '1' | '2' | '4';

/** Every input of the action, validated and typed. */
export interface ActionInputs {
  apiKey: string;
  /** Source video URL; undefined when resuming by task id. */
  videoUrl?: string;
  upscaleFactor: UpscaleFactor;
  /** API origin without a trailing slash. */
  apiBaseUrl: string;
  wait: boolean;
  /** Existing task to resume instead of submitting. */
  taskId?: string;
  timeoutMs: number;
  pollIntervalMs: number;
  /** Download the result(s); true when `download` is true or `artifact-name` is set. */
  download: boolean;
  /** Absolute directory the results are downloaded to. */
  downloadPath: string;
  /** Upload the downloaded file(s) as a workflow artifact with this name. */
  artifactName?: string;
  /** Artifact retention in days; undefined means the repository default. */
  retentionDays?: number;
}

/** Reads one raw input; in the action it is `core.getInput`. */
export type InputReader = (name: string) => string;

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses "90", "90s", "1.5m", "500ms", "1h" into milliseconds.
 * Returns undefined when the text is not a positive duration.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?$/i.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = (match[2] ?? 's').toLowerCase();
  const ms = value * (DURATION_UNITS[unit] ?? 1000);
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : undefined;
}

export function parseUpscaleFactor(text: string): UpscaleFactor | undefined {
  const normalised = text.trim().toLowerCase().replace(/x$/, '');
  return normalised === '1' || normalised === '2' || normalised === '4' ? normalised : undefined;
}

export function parseBoolean(text: string): boolean | undefined {
  const normalised = text.trim().toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(normalised)) return true;
  if (['false', 'no', 'off', '0'].includes(normalised)) return false;
  return undefined;
}

/** Shows a value in an error message without flooding the log (data: URIs can be megabytes). */
export function preview(text: string, max = 80): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return JSON.stringify(oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine);
}

/** Validates a source URL: absolute, http(s), with a host. Returns the reason it is not, or undefined. */
export function checkSourceUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `uses the ${url.protocol.replace(/:$/, '')}: scheme`;
  }
  if (!url.hostname) return 'has no host';
  return undefined;
}

/** A task id goes into a URL path: keep it to the characters real ids use. */
export function checkTaskId(text: string): boolean {
  return /^[A-Za-z0-9_-]{1,128}$/.test(text);
}

function parseApiBaseUrl(text: string): string {
  const reason = checkSourceUrl(text);
  if (reason) {
    throw new InputError(`Input 'api-base-url' ${reason} (got ${preview(text)}); expected an http(s) origin such as https://reapi.ai.`);
  }
  return text.replace(/\/+$/, '');
}

function requireDuration(name: string, text: string, example: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new InputError(
      `Input '${name}' must be a positive duration: seconds as a number, or with a unit ms, s, m or h (e.g. ${example}); got ${preview(text)}.`,
    );
  }
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
  if (text) return resolve(text);
  return join(env.RUNNER_TEMP || tmpdir(), 'reapi-upscaled');
}

/** Reads and validates every input, or throws one InputError naming the first bad one. */
export function parseInputs(read: InputReader, env: NodeJS.ProcessEnv = process.env): ActionInputs {
  const get = (name: string) => read(name).trim();

  const apiKey = get('api-key');
  if (!apiKey) {
    throw new InputError("Input 'api-key' is required: pass your reApi key from a secret, e.g. api-key: ${{ secrets.REAPI_API_KEY }}.");
  }

  const videoUrl = get('video-url') || undefined;
  const taskId = get('task-id') || undefined;
  if (!videoUrl && !taskId) {
    throw new InputError("Input 'video-url' is required (a public http(s) URL of an MP4, MOV or MKV), unless 'task-id' is given to resume a task.");
  }
  if (videoUrl) {
    const reason = checkSourceUrl(videoUrl);
    if (reason) {
      throw new InputError(
        `Input 'video-url' ${reason} (got ${preview(videoUrl)}); it must be a public http(s) URL of an MP4, MOV or MKV (data: URIs and local files are not accepted).`,
      );
    }
  }
  if (taskId && !checkTaskId(taskId)) {
    throw new InputError(`Input 'task-id' must be a reApi task id such as task_018f5a3a… (letters, digits, _ and -); got ${preview(taskId)}.`);
  }

  const factorText = get('upscale-factor') || '2';
  const upscaleFactor = parseUpscaleFactor(factorText);
  if (!upscaleFactor) {
    throw new InputError(`Input 'upscale-factor' must be 1, 2 or 4 (1x, 2x, 4x also accepted); got ${preview(factorText)}.`);
  }

  const waitText = get('wait') || 'true';
  const wait = parseBoolean(waitText);
  if (wait === undefined) {
    throw new InputError(`Input 'wait' must be true or false; got ${preview(waitText)}.`);
  }

  const downloadText = get('download') || 'false';
  const downloadRequested = parseBoolean(downloadText);
  if (downloadRequested === undefined) {
    throw new InputError(`Input 'download' must be true or false; got ${preview(downloadText)}.`);
  }
  const artifactName = get('artifact-name') || undefined;
  if (artifactName) {
    const reason = checkArtifactName(artifactName);
    if (reason) {
      throw new InputError(`Input 'artifact-name' ${reason} (got ${preview(artifactName)}); artifact names cannot contain " : < > | * ? \\ / or line breaks.`);
    }
  }
  const retentionDays = parseRetentionDays(get('retention-days'));
  const download = downloadRequested || artifactName !== undefined;
  if (download && !wait) {
    const which = artifactName ? 'artifact-name' : 'download';
    throw new InputError(`Input '${which}' needs wait: true, because there is nothing to download until the task completes (got wait: false).`);
  }

  return {
    apiKey,
    videoUrl,
    taskId,
    upscaleFactor,
    apiBaseUrl: parseApiBaseUrl(get('api-base-url') || 'https://reapi.ai'),
    wait,
    timeoutMs: requireDuration('timeout', get('timeout') || '30m', '90, 90s, 30m, 1h'),
    pollIntervalMs: requireDuration('poll-interval', get('poll-interval') || '5s', '5, 5s, 0.5, 500ms'),
    download,
    downloadPath: resolveDownloadPath(get('download-path'), env),
    artifactName,
    retentionDays,
  };
}
