/**
 * The names results are saved under: one home for every rule that turns a
 * source URL or task id into a file name in `download-path`. Pure functions,
 * plus the small book that hands each clip its final name in source order.
 */
import { ActionError, CancelledError } from '../shared/errors';

/** The longest file name Linux, macOS (APFS) and Windows (NTFS, in UTF-16 units) accept, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 255;

/**
 * download.ts streams each result to `.<name>.<8 hex>.part` and renames it
 * into place, so a result name leaves room for those 15 bytes.
 */
export const TEMPORARY_NAME_EXTRA_BYTES = '.'.length + '.12345678'.length + '.part'.length;

/** The longest result file name, so its temporary name also fits. */
export const MAX_RESULT_NAME_BYTES = MAX_NAME_BYTES - TEMPORARY_NAME_EXTRA_BYTES;

/**
 * The longest stem. A result name is `<stem>-4x` (or the task id), then
 * `_NNN` when it shares a name with an earlier clip (at most 256 clips, so
 * three digits), `-NNN` for one of several results, and `.mp4`.
 */
export const MAX_STEM_BYTES = MAX_RESULT_NAME_BYTES - '-4x'.length - '_NNN'.length - '-NNN'.length - '.mp4'.length;

/** Stems also stay within 100 characters (UTF-16 units), as they always have, so names of ordinary length do not change. */
const MAX_STEM_UNITS = 100;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The longest start of `text` within `maxBytes` of UTF-8 and `maxUnits`
 * UTF-16 units, cut between graphemes: never inside a character (no U+FFFD)
 * nor between a letter and its combining marks.
 */
export function truncateUtf8(text: string, maxBytes: number, maxUnits = Number.POSITIVE_INFINITY): string {
  if (text.length <= maxUnits && Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = Buffer.byteLength(segment);
    if (bytes + size > maxBytes || end + segment.length > maxUnits) break;
    bytes += size;
    end += segment.length;
  }
  return text.slice(0, end);
}

/**
 * A file-name stem from untrusted text: letters (with their combining
 * marks), digits, dot, dash and underscore only (so no separators, no `..`,
 * nothing a file system refuses), trimmed of leading dots and dashes, at most
 * 100 characters and MAX_STEM_BYTES bytes of UTF-8.
 */
export function sanitizeStem(text: string, maxBytes = MAX_STEM_BYTES): string {
  const safe = text
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}\p{M}._-]+/gu, '-')
    // A combining mark only stays on the letter or digit it belongs to.
    .replace(/(^|[._-])\p{M}+/gu, '$1')
    .replace(/-{2,}/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+|[.-]+$/g, '');
  return truncateUtf8(safe, maxBytes, MAX_STEM_UNITS).replace(/[.-]+$/, '');
}

/** The source file's name without its extension, or undefined when the URL has none worth keeping. */
export function sourceStem(sourceUrl: string): string | undefined {
  let segment: string;
  try {
    segment = new URL(sourceUrl).pathname.split('/').filter(Boolean).pop() ?? '';
  } catch {
    return undefined;
  }
  try {
    segment = decodeURIComponent(segment);
  } catch {
    // keep the encoded form; sanitizing makes it safe either way
  }
  const stem = sanitizeStem(segment.replace(/\.[A-Za-z0-9]{1,5}$/, ''));
  return stem || undefined;
}

/** Device names Windows refuses as a file name, whatever the extension. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

export interface NamingContext {
  /** The source URL; undefined when resuming a task whose source was not named. */
  sourceUrl?: string;
  /** Instead of a URL, a workspace file's path (`video-file`): its file name gives the stem. */
  sourcePath?: string;
  /** The task id; undefined until the task is submitted. */
  taskId?: string;
  upscaleFactor: string;
}

/**
 * The name a clip's results are saved under, before numbering: `clip-2x`
 * from the source and factor, or the task id when the source has no usable
 * name (or is unknown, when resuming). Undefined while neither is known (a
 * source without a usable name, not submitted yet).
 */
export function resultBaseName(context: NamingContext): string | undefined {
  const stem = context.sourcePath
    ? sanitizeStem((context.sourcePath.split('/').pop() ?? '').replace(/\.[A-Za-z0-9]{1,5}$/, '')) || undefined
    : context.sourceUrl
      ? sourceStem(context.sourceUrl)
      : undefined;
  if (stem) return `${stem}-${context.upscaleFactor}x`;
  if (context.taskId === undefined) return undefined;
  const id = sanitizeStem(context.taskId) || 'result';
  return WINDOWS_DEVICE.test(id) ? `${id}_` : id;
}

/**
 * The key under which two names are the same file on a case-insensitive
 * file system (macOS, Windows). It folds more than they do (`ß` and `ss`,
 * compatibility forms); that only numbers a few more names apart.
 */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

/** `x` for a name `x-<digits>`: the names a base `x` with several results uses. */
function numberedOf(key: string): string | undefined {
  return /^(.*)-\d+$/su.exec(key)?.[1];
}

/**
 * Final base names, one per clip in source order, none sharing a file with
 * another even on a case-insensitive file system: a base already taken (or
 * whose `-1`, `-2`… result names could meet another's) gets `_2`, `_3`…, the
 * first free number. Undefined entries (clips with no results) take nothing.
 * Each entry depends only on the ones before it, so a clip's name is final as
 * soon as every earlier clip's base is known, whatever order tasks finish in.
 */
export function uniqueBaseNames(bases: readonly (string | undefined)[]): (string | undefined)[] {
  const taken = new Set<string>();
  // For every taken `x-<digits>`: `x`, whose own result names would be `x-1.mp4`…
  const numbered = new Set<string>();
  const free = (name: string): boolean => {
    const key = nameKey(name);
    const of = numberedOf(key);
    return !taken.has(key) && !numbered.has(key) && !(of !== undefined && taken.has(of));
  };
  return bases.map((base) => {
    if (base === undefined) return undefined;
    let name = base;
    for (let number = 2; !free(name); number++) name = `${base}_${number}`;
    const key = nameKey(name);
    taken.add(key);
    const of = numberedOf(key);
    if (of !== undefined) numbered.add(of);
    return name;
  });
}

/**
 * File names for a clip's results: `clip-2x.mp4`, or `clip-2x-1.mp4`,
 * `clip-2x-2.mp4`… for several. They come from the (unique) base name, never
 * from the result URL, whose path the action does not control.
 */
export function resultFileNames(base: string, count: number): string[] {
  const names = count === 1 ? [`${base}.mp4`] : Array.from({ length: count }, (_, index) => `${base}-${index + 1}.mp4`);
  const long = names.find((name) => Buffer.byteLength(name) > MAX_RESULT_NAME_BYTES);
  if (long) throw new ActionError(`The result file name ${long} would be longer than ${MAX_RESULT_NAME_BYTES} bytes, so it cannot be saved.`);
  return names;
}

/**
 * Hands each clip its final base name. A clip's base is known up front
 * (from its source, or the task id it resumes) or once its task is submitted;
 * `finalBase` waits until every earlier clip's base is settled, so numbering
 * follows source order, not the order tasks finish in.
 */
export class ResultNameBook {
  private readonly bases: Array<string | undefined>;
  private readonly settled: boolean[];
  private readonly waiting = new Set<() => void>();

  constructor(count: number) {
    this.bases = Array.from({ length: count }, () => undefined);
    this.settled = Array.from({ length: count }, () => false);
  }

  /** Records clip `index`'s base name; undefined when it will never have results. The first call wins. */
  settle(index: number, base: string | undefined): void {
    if (this.settled[index] !== false) return;
    this.settled[index] = true;
    this.bases[index] = base;
    for (const wake of [...this.waiting]) wake();
  }

  /**
   * The names known now, as if every clip still unsettled had no results:
   * final for a clip when all before it are settled, and what the up-front
   * checks look at.
   */
  provisional(): Array<string | undefined> {
    return uniqueBaseNames(this.bases);
  }

  /** Clip `index`'s final base name, once it and every earlier clip are settled. */
  async finalBase(index: number, signal?: AbortSignal): Promise<string> {
    const ready = () => this.settled.slice(0, index + 1).every(Boolean);
    if (!ready()) {
      await new Promise<void>((resolve, reject) => {
        const done = () => {
          this.waiting.delete(check);
          signal?.removeEventListener('abort', cancel);
        };
        const check = () => {
          if (!ready()) return;
          done();
          resolve();
        };
        const cancel = () => {
          done();
          reject(new CancelledError());
        };
        this.waiting.add(check);
        signal?.addEventListener('abort', cancel, { once: true });
        if (signal?.aborted) cancel();
      });
    }
    const base = uniqueBaseNames(this.bases.slice(0, index + 1))[index];
    if (base === undefined) throw new ActionError('A clip without a task has no result to name.');
    return base;
  }
}

/** The name a clip's results are saved under before numbering; undefined while it has no source name and no task. */
export function clipBaseName(
  clip: { source?: string; resumeTaskId?: string; file?: { path: string } },
  taskId: string | undefined,
  upscaleFactor: string,
): string | undefined {
  const source = clip.file ? { sourcePath: clip.file.path } : { sourceUrl: clip.source };
  return resultBaseName({ ...source, taskId: taskId ?? clip.resumeTaskId, upscaleFactor });
}
