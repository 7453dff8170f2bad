import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Why a download runs a young-generation GC every few MiB.
 *
 * Each socket read hands undici a fresh 64 KiB buffer whose memory lives
 * outside the JS heap; it is freed only when a GC finds its small wrapper
 * dead. Node 20's V8 scavenges once about 32 MiB of such young buffers pile
 * up ("external memory pressure"). Node 24's V8 sizes that trigger from a
 * larger new space (2 × its default maximum semi-space, now 64 MiB without
 * pointer compression), so the 64 MiB external-memory limit is reached first
 * and starts an incremental full GC, which lets tens more MiB of dead buffers
 * pile up before it finishes: peak RSS grew with the file (about 162 MB for
 * 500 MB, `--trace-gc` shows 5 scavenges in all). A minor GC every
 * DOWNLOAD_GC_EVERY_BYTES (under 1 ms each) keeps the dead buffers under
 * about 8 MiB on every Node version (measured: 4 MiB → flat, 16 MiB → still
 * +8 MB from 50 to 500 MB on Node 24). An action cannot pass
 * `--expose-gc`; setting it at run time exposes `gc` only to new contexts, so
 * the function is taken from one and the action's own globals stay as they are.
 */
export const DOWNLOAD_GC_EVERY_BYTES = 4 * 1024 * 1024;

type Gc = (options: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;
let gc: Gc | null | undefined;

/** Runs a young-generation (minor) GC; does nothing where V8 will not expose one. */
export function collectYoungGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const exposed: unknown = runInNewContext('typeof gc === "function" ? gc : null');
      gc = typeof exposed === 'function' ? (exposed as Gc) : null;
    } catch {
      gc = null;
    }
  }
  gc?.({ type: 'minor' });
}
