/**
 * What already sits where a result is about to be saved: nothing, a file
 * from before this run (replaced, with a warning, so re-runs stay
 * idempotent), or a directory or other entry in the way (refused).
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { ActionError } from '../shared/errors';

export type TargetState = 'free' | 'file' | 'directory' | 'other';

/** What is at `path`, without following a symlink (a rename replaces the link itself). */
export async function targetState(path: string): Promise<TargetState> {
  try {
    const entry = await lstat(path);
    if (entry.isFile() || entry.isSymbolicLink()) return 'file';
    return entry.isDirectory() ? 'directory' : 'other';
  } catch (error) {
    if (error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return 'free';
    throw error;
  }
}

/** One sentence for an entry a result cannot replace. */
export function inTheWayMessage(path: string, state: 'directory' | 'other'): string {
  const what = state === 'directory' ? 'A directory' : 'Something that is not a file';
  return `${what} is in the way of the result file ${path}; move it away or choose another download-path.`;
}

/**
 * Checks the names results will be saved under in `dir`. Throws when a
 * directory (or another non-file) is in the way; returns the names of files
 * already there, which saving will replace.
 */
export async function checkTargets(dir: string, names: readonly string[]): Promise<Set<string>> {
  const existing = new Set<string>();
  for (const name of names) {
    const path = join(dir, name);
    const state = await targetState(path);
    if (state === 'directory' || state === 'other') throw new ActionError(inTheWayMessage(path, state));
    if (state === 'file') existing.add(name);
  }
  return existing;
}

/** The warning for a file from before this run that a result replaced. */
export function replacedWarning(path: string): string {
  return `Replaced ${path}, which was already in download-path before this run.`;
}
