import { copyFile, link, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ActionError, CancelledError, InputError, errorText } from '../shared/errors';

/** A workflow artifact that was uploaded. */
export interface UploadedArtifact {
  /** The artifact's name as the run page shows it. */
  name: string;
  id: number;
  /** The artifact's page, when the run is known; undefined outside a runner. */
  url?: string;
  bytes?: number;
  /** True when the MP4 was uploaded as is (one file), false for a zip of several. */
  unzipped: boolean;
  retentionDays?: number;
}

/**
 * Artifact uploads need the runner's results service and github.com or GHE.com
 * (`@actions/artifact` v2+ does not support GitHub Enterprise Server). Checked
 * before anything is submitted, so a job that cannot keep its result is not
 * billed for it.
 */
export function checkArtifactRuntime(env: NodeJS.ProcessEnv = process.env): void {
  const missing = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new InputError(
      `Input 'artifact-name' needs a GitHub Actions runner, but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set; ` +
        'outside a runner use download: true instead.',
    );
  }
  let host: string;
  try {
    host = new URL(env.GITHUB_SERVER_URL || 'https://github.com').hostname.toLowerCase();
  } catch {
    throw new InputError(`Input 'artifact-name' cannot be used: GITHUB_SERVER_URL is not a URL (${JSON.stringify(env.GITHUB_SERVER_URL)}).`);
  }
  if (host !== 'github.com' && !host.endsWith('.ghe.com') && !host.endsWith('.localhost')) {
    throw new InputError(
      `Input 'artifact-name' is not supported on GitHub Enterprise Server (${host}); use download: true and upload video-path with an artifact action your server supports.`,
    );
  }
}

/** The artifact's page, as actions/upload-artifact links it: `${server}/${owner}/${repo}/actions/runs/${run}/artifacts/${id}`. */
export function artifactUrl(id: number, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const repository = env.GITHUB_REPOSITORY;
  const runId = env.GITHUB_RUN_ID;
  if (!repository || !/^[^/]+\/[^/]+$/.test(repository) || !runId) return undefined;
  return `${server}/${repository}/actions/runs/${runId}/artifacts/${id}`;
}

/** A single MP4 keeps its extension, so the artifact downloads as a playable file. */
export function singleFileArtifactName(name: string): string {
  return /\.mp4$/i.test(name) ? name : `${name}.mp4`;
}

export interface ArtifactOptions {
  name: string;
  retentionDays?: number;
  /** Stops waiting for the upload when the step is cancelled. */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/**
 * Uploads the downloaded file(s) as one workflow artifact. A single file is
 * uploaded as is (no zip: users download the MP4 itself), named
 * `<name>.mp4`; several go into one zip named `<name>`, stored without
 * compression since video does not compress.
 */
export async function uploadResultArtifact(files: string[], options: ArtifactOptions): Promise<UploadedArtifact> {
  const env = options.env ?? process.env;
  const single = files.length === 1;
  // `skipArchive` names the artifact after the file, so a single file is uploaded through a link carrying the chosen name.
  const name = single ? singleFileArtifactName(options.name) : options.name;
  let staging: string | undefined;
  let uploadFiles = files;
  if (single && basename(files[0] as string) !== name) {
    staging = await mkdtemp(join(env.RUNNER_TEMP || tmpdir(), 'reapi-artifact-'));
    const staged = join(staging, name);
    await link(files[0] as string, staged).catch(() => copyFile(files[0] as string, staged));
    uploadFiles = [staged];
  }
  try {
    // Loaded only here: the artifact client (Azure SDK, zip) is large, and most runs never need it.
    const { DefaultArtifactClient } = await import('@actions/artifact');
    const upload = new DefaultArtifactClient().uploadArtifact(name, uploadFiles, dirname(uploadFiles[0] as string), {
      retentionDays: options.retentionDays,
      skipArchive: single,
      compressionLevel: 0,
    });
    const response = await untilCancelled(upload, options.signal);
    if (response.id === undefined) throw new Error('the artifact service returned no artifact id');
    return {
      name,
      id: response.id,
      url: artifactUrl(response.id, env),
      bytes: response.size,
      unzipped: single,
      retentionDays: options.retentionDays,
    };
  } catch (error) {
    if (error instanceof ActionError) throw error;
    const firstLine = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    throw new ActionError(`Uploading the artifact '${name}' failed: ${errorText(firstLine)}`);
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true });
  }
}

/** The upload itself cannot be aborted; a cancelled step stops waiting for it. */
function untilCancelled<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError('The artifact upload was cancelled.'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
