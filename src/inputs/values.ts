/** Parsers for single input values and list inputs: pure, each returning the value or the reason it is not one. */
import { InputError } from '../shared/errors';
import { oneLine } from '../shared/text';
import { isTaskId } from '../shared/validate';
import { MAX_TIMER_MS, MIN_DURATION_MS } from '../shared/timers';

/** The three factors the API accepts, as the strings it expects. */
export type UpscaleFactor = '1' | '2' | '4';

/** Most sources or task ids one step takes. */
export const MAX_ITEMS = 256;

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses "90", "90s", "1.5m", "500ms", "1h" into milliseconds, rounded.
 * Returns undefined when the text is not a positive duration; a value that
 * rounds to 0 ms or is past the timer limit is returned as is, for the caller
 * to refuse with its range (see checkDurationRange).
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?$/i.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = (match[2] ?? 's').toLowerCase();
  const ms = value * (DURATION_UNITS[unit] ?? 1000);
  return ms > 0 ? Math.round(ms) : undefined;
}

/** Why a parsed duration cannot be used (below 1 ms, or longer than a Node timer can wait), or undefined. */
export function checkDurationRange(ms: number): string | undefined {
  if (ms < MIN_DURATION_MS) return 'rounds to 0 ms';
  if (ms > MAX_TIMER_MS) return 'is longer than the longest wait Node.js can time (about 24.8 days)';
  return undefined;
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

/**
 * Splits a list input into its items: one per line, blank lines and lines
 * starting with `#` ignored (the multi-line convention of official actions).
 * A JSON array of strings, such as this action's own `task-ids` output, is
 * accepted too. Two items with the same `key` (by default the item itself)
 * are refused as duplicates.
 */
export function parseList(name: string, text: string, key: (item: string) => string = (item) => item): string[] {
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
    const itemKey = key(item);
    const first = seen.get(itemKey);
    if (first !== undefined) {
      const firstItem = items[first] as string;
      const spelled = firstItem === item ? '' : `, the second time as ${preview(item)}`;
      throw new InputError(
        `Input '${name}' lists ${preview(firstItem)} twice (items ${first + 1} and ${index + 1}${spelled})` +
          (name === 'video-url' ? '; every submission is billed, so remove the duplicate.' : '; remove the duplicate.'),
      );
    }
    seen.set(itemKey, index);
  });
  return items;
}
