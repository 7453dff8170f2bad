import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from './errors';
import { hasControlCharacters, oneLine } from './text';
import { TASK_ID_RULE, isTaskId } from './validate';

/** The three factors the API accepts, as the strings it expects. */
export type UpscaleFactor = '1' | '2' | '4';

/** Every input of the action, validated and typed. */
export interface ActionInputs {
  apiKey: string;
  /** Source video URLs, in order (one in the common case). Empty when resuming by task id without naming the sources. */
  videoUrls: string[];
  upscaleFactor: UpscaleFactor;
  /** API origin without a trailing slash. */
  apiBaseUrl: string;
  wait: boolean;
  /** Existing tasks to resume instead of submitting (when given, `videoUrls` is empty or names their sources, in order). */
  taskIds: string[];
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
  /** Most tasks submitted and polled at once (and sources probed at once). */
  concurrency: number;
  /** Check each source (reachable, size, type, duration) before submitting. */
  preflight: boolean;
  /** Refuse to submit when the sources add up to more billable seconds than this. */
  maxBillableSeconds?: number;
  /** Validate and preflight only; submit nothing. */
  dryRun: boolean;
}

/** Most sources or task ids one step takes. */
export const MAX_ITEMS = 256;
export const MAX_CONCURRENCY = 32;

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
  const oneLineText = text.replace(/\s+/g, ' ');
  // oneLine: JSON.stringify leaves C1 controls and U+2028/2029 as they are.
  return oneLine(JSON.stringify(oneLineText.length > max ? `${oneLineText.slice(0, max)}…` : oneLineText));
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

/** A task id goes into a URL path: the same rule as for the ids the action takes from reApi and publishes (validate.ts). */
export function checkTaskId(text: string): boolean {
  return isTaskId(text);
}

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

/**
 * Splits a list input into its items: one per line, blank lines and lines
 * starting with `#` ignored (the multi-line convention of official actions).
 * A JSON array of strings, such as this action's own `task-ids` output, is
 * accepted too.
 */
export function parseList(name: string, text: string): string[] {
  const trimmed = text.trim();
  let items: string[];
  if (trimmed.startsWith('[')) {
    let data: unknown;
    try {
      data = JSON.parse(trimmed);
    } catch {
      throw new InputError(
        `Input '${name}' starts with "[" but is not a JSON array (got ${preview(trimmed)}); give one value per line, or a JSON array of strings.`,
      );
    }
    if (!Array.isArray(data) || !data.every((item) => typeof item === 'string')) {
      throw new InputError(
        `Input '${name}' is JSON but not an array of strings (got ${preview(trimmed)}); give one value per line, or a JSON array of strings.`,
      );
    }
    items = data.map((item) => item.trim()).filter(Boolean);
  } else {
    items = trimmed
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
  }
  if (items.length > MAX_ITEMS) {
    throw new InputError(`Input '${name}' lists ${items.length} values; at most ${MAX_ITEMS} are taken in one step (split them over a matrix).`);
  }
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const first = seen.get(item);
    if (first !== undefined) {
      throw new InputError(
        `Input '${name}' lists ${preview(item)} twice (items ${first + 1} and ${index + 1})` +
          (name === 'video-url' ? '; every submission is billed, so remove the duplicate.' : '; remove the duplicate.'),
      );
    }
    seen.set(item, index);
  });
  return items;
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

/** Reads and validates every input, or throws one InputError naming the first bad one. */
export function parseInputs(read: InputReader, env: NodeJS.ProcessEnv = process.env): ActionInputs {
  const get = (name: string) => read(name).trim();

  const apiKey = get('api-key');
  if (!apiKey) {
    throw new InputError("Input 'api-key' is required: pass your reApi key from a secret, e.g. api-key: ${{ secrets.REAPI_API_KEY }}.");
  }
  checkApiKey(apiKey);

  const videoUrls = parseList('video-url', get('video-url'));
  const taskIds = parseList('task-id', get('task-id'));
  if (videoUrls.length === 0 && taskIds.length === 0) {
    throw new InputError("Input 'video-url' is required (a public http(s) URL of an MP4, MOV or MKV), unless 'task-id' is given to resume a task.");
  }
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

  const factorText = get('upscale-factor') || '2';
  const upscaleFactor = parseUpscaleFactor(factorText);
  if (!upscaleFactor) {
    throw new InputError(`Input 'upscale-factor' must be 1, 2 or 4 (1x, 2x, 4x also accepted); got ${preview(factorText)}.`);
  }

  const wait = parseBooleanInput('wait', get('wait') || 'true');
  const downloadRequested = parseBooleanInput('download', get('download') || 'false');
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
    const name = artifactName ? 'artifact-name' : 'download';
    throw new InputError(`Input '${name}' needs wait: true, because there is nothing to download until the task completes (got wait: false).`);
  }

  const concurrency = parseConcurrency(get('concurrency') || '4');
  const preflight = parseBooleanInput('preflight', get('preflight') || 'true');
  const maxBillableSeconds = parseMaxBillableSeconds(get('max-billable-seconds'));
  if (maxBillableSeconds !== undefined && !preflight) {
    throw new InputError("Input 'max-billable-seconds' needs preflight: true, because the billable seconds are measured in preflight (got preflight: false).");
  }
  const dryRun = parseBooleanInput('dry-run', get('dry-run') || 'false');

  return {
    apiKey,
    videoUrls,
    taskIds,
    upscaleFactor,
    apiBaseUrl: parseApiBaseUrl(get('api-base-url') || 'https://reapi.ai'),
    wait,
    timeoutMs: requireDuration('timeout', get('timeout') || '30m', '90, 90s, 30m, 1h'),
    pollIntervalMs: requireDuration('poll-interval', get('poll-interval') || '5s', '5, 5s, 0.5, 500ms'),
    download,
    downloadPath: resolveDownloadPath(get('download-path'), env),
    artifactName,
    retentionDays,
    concurrency,
    preflight,
    maxBillableSeconds,
    dryRun,
  };
}
