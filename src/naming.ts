/**
 * The names results are saved under: one home for every rule that turns a
 * source URL or task id into a file name in `download-path`.
 */
import type { Clip } from './batch';

/**
 * A file-name stem from untrusted text: letters, digits, dot, dash and
 * underscore only (so no separators, no `..`, nothing a file system refuses),
 * trimmed of leading dots and dashes, at most 100 characters.
 */
export function sanitizeStem(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/-{2,}/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, 100)
    .replace(/[.-]+$/, '');
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

export interface NamingContext {
  /** The submitted source URL; undefined when resuming a task. */
  sourceUrl?: string;
  taskId: string;
  upscaleFactor: string;
  /** 2, 3…: this is the second, third… clip of a batch with the same name, numbered so files do not collide. */
  duplicate?: number;
}

/** The name results are saved under, before numbering: `clip-2x`, or the task id when the source is unknown. */
export function resultBaseName(context: Pick<NamingContext, 'sourceUrl' | 'taskId' | 'upscaleFactor'>): string {
  const stem = context.sourceUrl ? sourceStem(context.sourceUrl) : undefined;
  return stem ? `${stem}-${context.upscaleFactor}x` : sanitizeStem(context.taskId) || 'result';
}

/**
 * File names for the results: `clip-2x.mp4`, or `clip-2x-1.mp4`, `clip-2x-2.mp4`…
 * for several. They come from the source name and factor, never from the result
 * URL, whose path the action does not control. A resumed task has no source and
 * its factor is unknown, so it is named after the task id. In a batch, clips
 * that would share a name get `_2`, `_3`… in source order.
 */
export function resultFileNames(count: number, context: NamingContext): string[] {
  const named = resultBaseName(context);
  const base = context.duplicate && context.duplicate > 1 ? `${named}_${context.duplicate}` : named;
  if (count === 1) return [`${base}.mp4`];
  return Array.from({ length: count }, (_, index) => `${base}-${index + 1}.mp4`);
}

/**
 * Numbers clips whose results would be saved under the same name (two
 * sources called clip.mp4 in different folders): the first keeps the name,
 * the next get `_2`, `_3`…, in input order, so names do not depend on which
 * task finishes first.
 */
export function numberDuplicates(clips: Clip[], upscaleFactor: string): void {
  const seen = new Map<string, number>();
  for (const clip of clips) {
    // A submitted clip without a usable source name is named after its (unique) task id.
    const base = clip.source || clip.taskId ? resultBaseName({ sourceUrl: clip.source, taskId: clip.taskId ?? '', upscaleFactor }) : '';
    if (!base) continue;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    if (count > 1) clip.duplicate = count;
  }
}
