/**
 * Sources from the workspace (`video-file`): the paths and globs expanded in
 * sorted order, each file checked on disk before any request (a regular file
 * inside the workspace, at most 50 MB, MP4/MOV/MKV by its bytes), hashed once,
 * and probed from disk for preflight (duration, size, container, verify facts).
 *
 * Nothing here touches the network: staging the file in the bucket is the
 * pipeline's job, after the run is planned and the cost guard has passed.
 */
import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { hashFile } from '../delivery/file-hash';
import { billableSeconds } from '../model/billing';
import type { ClipPlan, WorkspaceFile } from '../model/clip';
import { DEFAULT_DURATION_LIMITS, readMediaFacts, sniffContainer, type Container } from '../media/container';
import { InputError, PreflightError, errorText } from '../shared/errors';
import { formatBytes } from '../shared/format';
import { MAX_ITEMS, preview } from '../inputs/values';
import { HEAD_BYTES, MAX_SOURCE_BYTES, probeSources, type ProbeOptions, type SourceCheck, type SourceProbe } from './preflight';
import type { Pool } from '../shared/pool';

/** The Content-Type a staged file is stored with (S3 returns it on the presigned GET). */
export function stagedContentType(container: Container, path: string): string {
  if (container === 'matroska') return 'video/x-matroska';
  return /\.(mov|qt)$/i.test(path) ? 'video/quicktime' : 'video/mp4';
}

/** Characters that make a `video-file` line a glob rather than a literal path (@actions/glob's syntax). */
const GLOB_CHARACTERS = /[*?[\]]/;

/** A path for messages and `results[].source`: relative to the workspace, with `/` on every OS. */
function workspacePath(workspace: string, absolute: string): string {
  return relative(workspace, absolute).split(sep).join('/');
}

function fileError(path: string, problem: string): InputError {
  return new InputError(`Input 'video-file': ${path} ${problem}; video-file takes MP4, MOV or MKV files of at most 50 MB inside the workspace.`);
}

/** Refuses a line that is absolute or climbs out of the workspace, before any file system call. */
function checkPattern(line: string): void {
  if (line.startsWith('!'))
    throw new InputError(`Input 'video-file' does not take exclusion patterns (got ${preview(line)}); list the files or globs to include.`);
  if (line.includes('\0')) throw new InputError(`Input 'video-file' contains a NUL character; got ${preview(line)}.`);
  const segments = line.split(/[\\/]+/);
  if (isAbsolute(line) || /^[A-Za-z]:/.test(line) || segments.includes('..')) {
    throw new InputError(
      `Input 'video-file' must name files inside the workspace, relative to GITHUB_WORKSPACE (got ${preview(line)}); absolute paths and '..' are not accepted.`,
    );
  }
}

/** The files a glob line matches, sorted (files only: a directory a glob reaches is not a source). */
async function globFiles(workspace: string, line: string): Promise<string[]> {
  const { create } = await import('@actions/glob');
  const pattern = join(workspace, line);
  const globber = await create(pattern, { matchDirectories: false, implicitDescendants: false, followSymbolicLinks: true });
  return (await globber.glob()).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Reads the first bytes of a file (fewer when it is shorter). */
async function readHead(path: string, bytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Checks one file on disk: inside the workspace (symbolic links resolved), regular, within 50 MB, a video by its bytes; then hashes it. */
async function checkFile(workspace: string, realWorkspace: string, absolute: string): Promise<WorkspaceFile> {
  const path = workspacePath(workspace, absolute);
  let info;
  try {
    info = await stat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw fileError(path, code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : `cannot be read (${errorText(error)})`);
  }
  const real = await realpath(absolute);
  const inside = relative(realWorkspace, real);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw fileError(path, 'is a link to a file outside the workspace');
  if (!info.isFile()) throw fileError(path, info.isDirectory() ? 'is a directory, not a file' : 'is not a regular file');
  if (info.size > MAX_SOURCE_BYTES) {
    throw fileError(path, `is ${formatBytes(info.size)} (${info.size} bytes), over the upscaler's 50 MB limit (${MAX_SOURCE_BYTES} bytes)`);
  }
  if (info.size === 0) throw fileError(path, 'is empty (0 bytes)');
  const container = sniffContainer(await readHead(real, 16));
  if (!container) throw fileError(path, 'is not an MP4, MOV or MKV file by its bytes (whatever its extension)');
  const { sha256, bytes } = await hashFile(real);
  return { path, absolutePath: real, sizeBytes: bytes, container, contentType: stagedContentType(container, path), sha256 };
}

/**
 * Expands `video-file` (paths and globs relative to the workspace, in input
 * order, each glob's matches sorted) and checks every file, or throws one
 * InputError naming the first bad line or file. A file listed twice is staged
 * and billed once.
 */
export async function findWorkspaceFiles(lines: readonly string[], workspace: string, urls = 0): Promise<WorkspaceFile[]> {
  if (lines.length === 0) return [];
  lines.forEach(checkPattern);
  const root = resolve(workspace);
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (error) {
    throw new InputError(`Input 'video-file' needs the workspace, but GITHUB_WORKSPACE (${root}) cannot be read (${errorText(error)}).`);
  }
  const files: WorkspaceFile[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const matches = GLOB_CHARACTERS.test(line) ? await globFiles(root, line) : [join(root, line)];
    if (matches.length === 0) throw new InputError(`Input 'video-file': ${preview(line)} matches no file in the workspace (${root}).`);
    for (const absolute of matches) {
      const file = await checkFile(root, realRoot, absolute);
      if (seen.has(file.absolutePath)) continue;
      seen.add(file.absolutePath);
      files.push(file);
      // Globs can match many more files than lines: one step takes as many sources as a list input does.
      if (urls + files.length > MAX_ITEMS) {
        throw new InputError(
          `Input 'video-file' matches more than ${MAX_ITEMS - urls} files${urls ? ` (with ${urls} video-url source${urls === 1 ? '' : 's'})` : ''}; at most ${MAX_ITEMS} sources are taken in one step (split them over a matrix).`,
        );
      }
    }
  }
  return files;
}

/** Preflight for a workspace file: the same facts as a URL's probe, read from disk (no request). */
export async function probeWorkspaceFile(file: WorkspaceFile): Promise<SourceProbe> {
  const head = await readHead(file.absolutePath, HEAD_BYTES);
  let bytesRead = head.length;
  const readRange = async (start: number, end: number) => {
    const handle = await open(file.absolutePath, 'r');
    try {
      const buffer = Buffer.alloc(Math.max(0, end - start));
      const { bytesRead: n } = await handle.read(buffer, 0, buffer.length, start);
      bytesRead += n;
      return buffer.subarray(0, n);
    } finally {
      await handle.close();
    }
  };
  const probe: SourceProbe = {
    url: file.path,
    sizeBytes: file.sizeBytes,
    contentType: file.contentType,
    container: file.container,
    bytesFetched: 0,
    requests: 0,
    warnings: [],
  };
  const facts = await readMediaFacts(file.container, head, file.sizeBytes, readRange, { ...DEFAULT_DURATION_LIMITS, maxExtraBytes: MAX_SOURCE_BYTES });
  if (facts.video) probe.video = facts.video;
  if (facts.durationSeconds !== undefined) {
    probe.durationSeconds = facts.durationSeconds;
    probe.billableSeconds = billableSeconds(facts.durationSeconds);
  } else {
    probe.warnings.push(`${file.path}: its duration could not be read (${facts.problem ?? 'unknown reason'}); the API measures it when the job is submitted.`);
  }
  probe.bytesFetched = bytesRead;
  return probe;
}

/**
 * Preflight of every source in order: URLs probed on their hosts (preflight.ts), workspace files read from disk
 * (they were checked when found, so only the media facts are left to read; a file that cannot be read now is refused).
 */
export async function checkSourcesAndFiles(plans: readonly ClipPlan[], options: ProbeOptions & { pool: Pool }): Promise<SourceCheck[]> {
  const urls = plans.filter((plan) => !plan.file).map((plan) => plan.source as string);
  const urlChecks = await probeSources(urls, options);
  const fileChecks = await Promise.all(
    plans
      .filter((plan) => plan.file)
      .map(async ({ file }): Promise<SourceCheck> => {
        const { path } = file as WorkspaceFile;
        try {
          return { url: path, probe: await probeWorkspaceFile(file as WorkspaceFile) };
        } catch (error) {
          return { url: path, error: new PreflightError(`${path} could not be read (${errorText(error)}).`, path) };
        }
      }),
  );
  let url = 0;
  let file = 0;
  return plans.map((plan) => (plan.file ? fileChecks[file++] : urlChecks[url++]) as SourceCheck);
}
