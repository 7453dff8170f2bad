/**
 * Where results may be written. `/proc` and `/sys` are kernel file systems:
 * nothing can be saved there, and creating a directory under `/proc/self`
 * makes Node's recursive mkdir loop forever at full CPU, deaf to SIGTERM.
 * So such a download path is refused before anything else happens.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const KERNEL_FILE_SYSTEMS = ['/proc', '/sys'];

function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

/**
 * The real location of `path`: symlinks and `..` resolved for the part that
 * exists, the rest appended as written (the directory may not exist yet).
 */
export function realLocation(path: string): string {
  let existing = resolve(path);
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync.native(existing), ...rest);
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return resolve(path);
      rest.unshift(basename(existing));
      existing = parent;
    }
  }
}

/** Why `path` (absolute) cannot hold downloads, or undefined. Only catches what no later check can: kernel file systems. */
export function checkDownloadPath(path: string): string | undefined {
  const lexical = resolve(path);
  const real = realLocation(lexical);
  for (const root of KERNEL_FILE_SYSTEMS) {
    if (isUnder(lexical, root)) return `is under ${root}, a kernel file system where no file can be saved`;
    if (isUnder(real, root)) return `is under ${root}, which resolves to ${real}, a kernel file system where no file can be saved`;
  }
  return undefined;
}
