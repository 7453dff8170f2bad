/**
 * Moves a finished temporary file onto its final name, replacing a file that is
 * there. On Windows that rename fails with EPERM, EACCES or EBUSY while another
 * process holds the old file or the new one open (an antivirus scan of the file
 * just written, the search indexer, a player showing the last run's result), and
 * works once it lets go; so there it is tried again for a few seconds, as
 * graceful-fs does for npm. On Linux and macOS those errors are final.
 */
import { rename as fsRename } from 'node:fs/promises';
import { sleep as waitFor } from '../http/transport';

/** Tries in all, and the wait before each retry (doubling from 50 ms to 1 s): about 5.5 s in all. */
export const RENAME_ATTEMPTS = 10;
const FIRST_WAIT_MS = 50;
const MAX_WAIT_MS = 1000;

const BUSY_CODES = new Set(['EPERM', 'EACCES', 'EBUSY']);

export interface ReplaceFileOptions {
  /** Cancels the waits between tries (they reject with CancelledError). */
  signal?: AbortSignal;
  /** For tests: the OS, the rename and the wait. */
  platform?: NodeJS.Platform;
  rename?: (from: string, to: string) => Promise<void>;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Whether a failed rename may work when tried again: only on Windows, only for a file in use. */
export function isFileInUse(error: unknown, platform: NodeJS.Platform): boolean {
  return platform === 'win32' && BUSY_CODES.has(String((error as NodeJS.ErrnoException | undefined)?.code));
}

/** Renames `from` onto `to`, replacing it; on Windows, retries while either file is in use, then throws the last error. */
export async function replaceFile(from: string, to: string, options: ReplaceFileOptions = {}): Promise<void> {
  const { platform = process.platform, rename = fsRename, sleep = waitFor } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await rename(from, to);
    } catch (error) {
      if (attempt >= RENAME_ATTEMPTS || !isFileInUse(error, platform)) throw error;
      await sleep(Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (attempt - 1)), options.signal);
    }
  }
}
