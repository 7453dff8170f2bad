/**
 * Rules for values a server hands back before they become a URL path, a URL
 * the action fetches or publishes, or an output. One rule per kind of value,
 * shared with the inputs that take the same values back (task-id).
 */
import { holdsSecret } from './redact';
import { hasControlCharacters } from './text';

/** Whether decoded JSON is an object (not null, not an array), before its fields are read. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Longest task id taken or published. */
export const MAX_TASK_ID_LENGTH = 256;

/** What a task id may hold, in words, for messages. */
export const TASK_ID_RULE = `1 to ${MAX_TASK_ID_LENGTH} letters, digits, _ - . : ~, starting with a letter, digit or _`;

const TASK_ID = new RegExp(`^[A-Za-z0-9_][A-Za-z0-9_.:~-]{0,${MAX_TASK_ID_LENGTH - 1}}$`);

/**
 * Why `id` cannot be used as a task id, or undefined when it can. The same
 * rule decides which ids from the server are used in a poll path and
 * published, and which the task-id input accepts, so every published id can
 * be given back. It rules out `.` and `..` (they would move a poll off
 * /api/v1/tasks/), anything a path, query or shell treats specially, and
 * control characters.
 */
export function taskIdProblem(id: string): string | undefined {
  if (!TASK_ID.test(id)) return `is not ${TASK_ID_RULE}`;
  if (holdsSecret(id)) return 'holds the API key';
  return undefined;
}

export function isTaskId(id: string): boolean {
  return taskIdProblem(id) === undefined;
}

/**
 * Why a result URL cannot be used, or undefined when it can: only an absolute
 * http(s) URL with a host, on one line, that does not carry a secret (the
 * download would hand it to the CDN).
 */
export function resultUrlProblem(url: string): string | undefined {
  if (!url.trim()) return 'is blank';
  if (url !== url.trim()) return 'has spaces around it';
  // URL parsing drops tabs and line breaks, so the raw text is checked first.
  if (hasControlCharacters(url)) return 'holds a line break or another control character';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not an absolute URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `uses the ${parsed.protocol} scheme (only https: and http: are used)`;
  if (!parsed.hostname) return 'has no host';
  if (holdsSecret(url)) return 'carries the API key';
  return undefined;
}
