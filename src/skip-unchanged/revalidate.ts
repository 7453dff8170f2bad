/**
 * Reading a source for `skip-unchanged`: its fingerprint (one GET hashed as it
 * arrives, conditional on a recorded strong ETag; a workspace file's SHA-256
 * from disk, at no request), and the check, before a record is saved, that
 * the source still holds the bytes that were fingerprinted. The one place a
 * source's host is asked anything for skip-unchanged.
 */
import type { ClipPlan } from '../model/clip';
import type { Deadline } from '../inputs/parse';
import { hashFile } from '../delivery/file-hash';
import { FingerprintError, errorClause } from '../shared/errors';
import { HASH_TIMEOUT_MS, hashSource, type Fingerprint, type SourceHash } from './fingerprint';

/** The run's signal and deadline: every read of a source stays within them. */
export interface SourceBounds {
  signal: AbortSignal;
  deadline: Deadline;
}

/** Whether a clip's source is a URL on a host (not a workspace file), so has an ETag to revalidate. */
export function isUrlSource(plan: ClipPlan): boolean {
  return !plan.file && typeof plan.source === 'string' && /^https?:\/\//i.test(plan.source);
}

/**
 * One GET of a source, hashed as it arrives (with `ifNoneMatch`, a 304 instead
 * when its bytes are still those), within the deadline; undefined when there
 * is no time left. A revalidation (`ifNoneMatch`) swallows FingerprintError:
 * preflight then says what is wrong. A workspace file (video-file) costs no
 * request: its SHA-256 was taken on disk when it was checked.
 */
export async function readSource(plan: ClipPlan, bounds: SourceBounds | undefined, ifNoneMatch?: string): Promise<SourceHash | undefined> {
  if (plan.file) return { sha256: plan.file.sha256, bytes: plan.file.sizeBytes, requests: 0 };
  const left = (bounds?.deadline.at ?? 0) - Date.now();
  if (!bounds || left <= 0 || bounds.signal.aborted) return undefined;
  try {
    return await hashSource(plan.source as string, { signal: bounds.signal, timeoutMs: Math.min(HASH_TIMEOUT_MS, left), ifNoneMatch });
  } catch (error) {
    if (ifNoneMatch === undefined || !(error instanceof FingerprintError)) throw error;
    return undefined;
  }
}

/**
 * Evidence that the source still holds the fingerprinted bytes now that its
 * task completed (reApi fetched it in between): the host answers 304 to the
 * strong ETag it gave then, or its bytes hash the same again (a workspace
 * file: on disk). The strong ETag that goes with those bytes (if any), or why not.
 */
export async function sourceUnchanged(
  plan: ClipPlan,
  fingerprint: Fingerprint & { etag?: string },
  bounds: SourceBounds | undefined,
): Promise<{ etag?: string } | string> {
  try {
    if (plan.file) return (await hashFile(plan.file.absolutePath)).sha256 === fingerprint.sourceSha256 ? {} : 'its source changed while the task ran';
    const left = (bounds?.deadline.at ?? Date.now() + HASH_TIMEOUT_MS) - Date.now();
    if (left <= 0) return 'the timeout ran out before the source could be read again';
    const url = plan.source as string;
    const again = await hashSource(url, { signal: bounds?.signal, timeoutMs: Math.min(HASH_TIMEOUT_MS, left), ifNoneMatch: fingerprint.etag });
    // The ETag kept is one the host gave for exactly these bytes.
    if (again.notModified) return { etag: fingerprint.etag };
    if (again.sha256 === fingerprint.sourceSha256) return { etag: again.etag };
    return 'its source changed while the task ran';
  } catch (error) {
    return `its source could not be read again (${errorClause(error)})`;
  }
}
