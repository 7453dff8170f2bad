/**
 * Delivery to a GitHub release: find the release by tag before anything is
 * paid for, then upload each result as an asset, skipping identical bytes and
 * replacing a different asset with the smallest gap. JSON calls go through
 * Octokit (`@actions/github`); the bytes are streamed by upload.ts.
 */
import { randomBytes } from 'node:crypto';
import { CancelledError, InputError, ReleaseError, errorText } from '../shared/errors';
import { getDispatcher } from '../http/transport';
import {
  callApi,
  deleteAsset,
  httpUrl,
  isNowImmutable,
  listAssets,
  listPages,
  parseAsset,
  releaseRetries,
  parseRelease,
  removeQuietly,
  renameAsset,
  safeOrigin,
  PER_PAGE,
  type AssetRecord,
  type ReleaseClient,
  type ReleaseInfo,
} from './github-api';
import { MAX_ASSET_BYTES, expandUploadUrl, githubText, isAllowedUploadUrl, postAsset } from './upload';
import { withRetries } from '../http/retry';

/** A local file to deliver; `sha256` is hex (see delivery/file-hash.ts). */
export interface AssetFile {
  path: string;
  name: string;
  sha256: string;
  bytes: number;
}

export interface UploadedAsset {
  name: string;
  browserDownloadUrl: string;
  /** The release already had these exact bytes under this name: nothing was sent. */
  skipped: boolean;
  /** An asset with different bytes was replaced. */
  replaced: boolean;
}

/**
 * The release with this tag, draft or published, checked before anything is
 * paid for: a missing tag, a refused token, a published immutable release and
 * an upload URL on a foreign host each throw a ReleaseError saying what to do.
 */
export async function findRelease(client: ReleaseClient, tag: string): Promise<ReleaseInfo> {
  if (!tag.trim()) throw new InputError("Input 'release-tag' is empty; give the tag of a release in this repository.");
  const where = `${client.owner}/${client.repo}`;
  const { octokit, owner, repo } = client;
  let data: unknown;
  try {
    data = (await callApi(client, `Looking up release ${tag} in ${where}`, () => octokit.rest.repos.getReleaseByTag({ owner, repo, tag }))).data;
  } catch (error) {
    if (!(error instanceof ReleaseError) || error.status !== 404) throw lookupError(error, tag, where);
    // getReleaseByTag sees published releases only; drafts are in the list.
    const isTag = (release: unknown) => (release as { tag_name?: unknown } | null)?.tag_name === tag;
    try {
      const releases = await listPages(
        client,
        `Listing the releases of ${where}`,
        () => octokit.rest.repos.listReleases({ owner, repo, per_page: PER_PAGE }),
        (page) => page.some(isTag),
      );
      data = releases.find(isTag);
    } catch (listError) {
      throw lookupError(listError, tag, where);
    }
  }
  if (!data) {
    throw new ReleaseError(
      `No release of ${where} has the tag ${JSON.stringify(tag)}: create it first (e.g. \`gh release create ${tag} --draft\`) or fix \`release-tag\` (drafts are visible only to a token with \`contents: write\`).`,
      404,
    );
  }
  const release = parseRelease(data, tag);
  if (release.immutable && !release.draft) {
    throw new ReleaseError(
      `Release ${tag} of ${where} is published and immutable, so its assets can no longer change: upload to a draft release first, then publish it.`,
    );
  }
  if (!isAllowedUploadUrl(client.apiUrl, release.uploadUrl)) {
    throw new ReleaseError(
      `Release ${tag}'s upload_url is on ${safeOrigin(release.uploadUrl)}, neither GITHUB_API_URL's host nor its uploads host; the token is not sent there.`,
    );
  }
  return release;
}

function lookupError(error: unknown, tag: string, where: string): unknown {
  if (!(error instanceof ReleaseError)) return error;
  if (error.status === 401) {
    return new ReleaseError(
      `GitHub refused the token (HTTP 401) looking up release ${tag} of ${where}: set \`github-token\` to a valid token (the default is \`\${{ github.token }}\`).`,
      401,
    );
  }
  if (error.status === 403) {
    return new ReleaseError(
      `The token may not read the releases of ${where} (HTTP 403): give the job \`permissions: contents: write\`, or pass a token that has it in \`github-token\`.`,
      403,
    );
  }
  if (error.status === 404)
    return new ReleaseError(`Repository ${where} was not found or the token cannot see it (HTTP 404): check GITHUB_REPOSITORY and \`github-token\`.`, 404);
  return error;
}

/**
 * Uploads one file as an asset of the release, named `file.name`:
 * - the same name with `digest` = `sha256:<file.sha256>`: nothing is sent (skipped);
 * - no asset of that name: uploaded under the name directly (nothing to keep
 *   readable meanwhile; an unfinished attempt is removed before the next);
 * - a different asset: the new file is uploaded completely under a temporary
 *   name, then the old asset is deleted and the new one renamed onto the name,
 *   so the name is missing only between that delete and that rename. A failure
 *   before the delete leaves the old asset and no temporary one.
 * Every failure is a ReleaseError that names the task id, so the run can be
 * resumed with `task-id` without paying again.
 */
export async function uploadAsset(client: ReleaseClient, release: ReleaseInfo, file: AssetFile, options: { taskId: string }): Promise<UploadedAsset> {
  const resume = ` Task ${options.taskId} is complete: re-run with \`task-id: ${options.taskId}\` to upload its result without paying again.`;
  if (!/^[^/\\\p{Cc}]{1,255}$/u.test(file.name))
    throw new ReleaseError(`Refusing to upload an asset named ${JSON.stringify(file.name)}: not a plain file name.${resume}`);
  if (file.bytes >= MAX_ASSET_BYTES) {
    throw new ReleaseError(
      `${file.name} is ${file.bytes} bytes; GitHub release assets must be under 2 GiB (${MAX_ASSET_BYTES} bytes), so it is not uploaded. Task ${options.taskId} is complete: its result can still be downloaded with \`task-id: ${options.taskId}\`.`,
    );
  }
  try {
    const delivered = await deliver(client, release, file);
    return { ...delivered, browserDownloadUrl: httpUrl(delivered.browserDownloadUrl, 'browser_download_url') };
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    // A 422 other than already_exists: was the release published as immutable meanwhile?
    const immutable = error instanceof ReleaseError && error.status === 422 && error.code !== 'already_exists' && (await isNowImmutable(client, release));
    const message = immutable
      ? `Release ${release.tag} was published as immutable meanwhile, so its assets can no longer change: upload to a draft release first, then publish it.`
      : error instanceof ReleaseError && error.explained
        ? error.message
        : explain(error, file.name, release.tag);
    throw new ReleaseError(
      `${message}${resume}`,
      error instanceof ReleaseError ? error.status : undefined,
      false,
      undefined,
      error instanceof ReleaseError ? error.code : undefined,
    );
  }
}

async function deliver(client: ReleaseClient, release: ReleaseInfo, file: AssetFile): Promise<UploadedAsset> {
  const expected = `sha256:${file.sha256}`;
  const assets = await listAssets(client, release);
  // Left by an earlier run that stopped part-way: an unfinished upload under the name, or our temporary names.
  const stale = assets.filter((a) => isTemporaryFor(a.name, file.name) || (a.name === file.name && a.state !== 'uploaded'));
  const existing = assets.find((a) => a.name === file.name && a.state === 'uploaded');
  if (existing && existing.digest === expected) {
    // Nothing to write, so a read-only token still succeeds; leftovers are removed if the token may.
    for (const leftover of stale) await removeQuietly(client, leftover.id, leftover.name);
    client.log.info(`${file.name} is already in release ${release.tag} with the same SHA-256; not uploaded again.`);
    return { name: existing.name, browserDownloadUrl: existing.browserDownloadUrl, skipped: true, replaced: false };
  }
  for (const leftover of stale) {
    client.log.info(
      `Removing ${githubText(leftover.name, 120)} (state ${githubText(leftover.state, 20)}) from release ${release.tag}, left by an earlier upload that did not finish.`,
    );
    await deleteAsset(client, leftover.id, leftover.name);
  }
  if (!existing) {
    const created = await uploadWithRetries(client, release, file, file.name);
    client.log.info(`Uploaded ${file.name} to release ${release.tag}.`);
    return { name: created.name, browserDownloadUrl: created.browserDownloadUrl, skipped: false, replaced: false };
  }

  const temporary = `${file.name}.partial-${randomBytes(4).toString('hex')}`;
  const uploaded = await uploadWithRetries(client, release, file, temporary);
  try {
    await deleteAsset(client, existing.id, existing.name);
  } catch (error) {
    await removeQuietly(client, uploaded.id, uploaded.name);
    throw error;
  }
  // The name is missing from here until the rename lands.
  let renamed: AssetRecord;
  try {
    renamed = await renameAsset(client, uploaded.id, file.name);
  } catch (error) {
    const stranded = new ReleaseError(
      `${explain(error, file.name, release.tag)} The old ${file.name} is deleted and the new file is in the release as ${githubText(uploaded.name, 120)}; rename it, or re-run.`,
      error instanceof ReleaseError ? error.status : undefined,
    );
    stranded.explained = true;
    throw stranded;
  }
  const was = existing.digest ? `SHA-256 ${existing.digest.slice('sha256:'.length, 'sha256:'.length + 12)}…` : 'no digest';
  client.log.info(`Replaced ${file.name} in release ${release.tag} (the old asset had ${githubText(was, 40)}).`);
  return { name: renamed.name, browserDownloadUrl: renamed.browserDownloadUrl, skipped: false, replaced: true };
}

function isTemporaryFor(assetName: string, name: string): boolean {
  return assetName.startsWith(`${name}.partial-`);
}

/**
 * Uploads the file under `uploadName`, retrying transient failures. Before
 * each retry, what the failed attempt left under that name is removed (an
 * asset it completed with our digest is taken instead). On giving up, nothing
 * it uploaded is left behind.
 */
async function uploadWithRetries(client: ReleaseClient, release: ReleaseInfo, file: AssetFile, uploadName: string): Promise<AssetRecord> {
  const expected = `sha256:${file.sha256}`;
  const url = expandUploadUrl(release.uploadUrl, { name: uploadName });
  if (!isAllowedUploadUrl(client.apiUrl, url)) throw new ReleaseError(`The upload URL is on ${safeOrigin(url)}, not GitHub's; the token is not sent there.`);
  const temporary = uploadName !== file.name;
  const attempt = async (): Promise<AssetRecord> => {
    let failure: unknown;
    let createdId: number | undefined;
    try {
      const raw = await postAsset({
        url,
        path: file.path,
        bytes: file.bytes,
        token: client.token,
        dispatcher: getDispatcher(),
        signal: client.signal,
        log: client.log,
      });
      const asset = parseAsset(raw);
      if (asset.digest === null || asset.digest === expected) return asset;
      createdId = asset.id;
      failure = new ReleaseError(`GitHub computed ${githubText(asset.digest, 80)} for the uploaded ${uploadName}, not ${expected}.`, undefined, true);
    } catch (error) {
      failure = error;
    }
    if (failure instanceof CancelledError) throw failure;
    // What this attempt may have left: an unfinished asset, or a complete one whose answer was lost
    // (or, on a 422 already_exists, the very same bytes from another job: the name holds what it should).
    const leftovers = (await listAssets(client, release).catch(() => [] as AssetRecord[])).filter((a) => a.name === uploadName);
    const done = leftovers.find((a) => a.state === 'uploaded' && a.digest === expected);
    if (done) return done;
    for (const leftover of leftovers) {
      if (temporary || leftover.state !== 'uploaded' || leftover.id === createdId) await removeQuietly(client, leftover.id, leftover.name);
    }
    throw failure;
  };
  return withRetries(attempt, {
    ...releaseRetries(client, (failure, delay, next) =>
      client.log.info(
        `Uploading ${uploadName}: ${errorText(failure)} Retrying in ${(delay / 1000).toFixed(1)}s (attempt ${next} of ${client.retry.maxAttempts}).`,
      ),
    ),
    // Still transient: a later run may succeed, and a rate-limit 403 is not a permission problem.
    gaveUp: (failure, attempts) => new ReleaseError(`${errorText(failure)} Gave up after ${attempts} attempts.`, (failure as ReleaseError).status, true),
  });
}

/** One line for a failed upload, delete or rename, by status: what happened and what to do. */
function explain(error: unknown, name: string, tag: string): string {
  if (!(error instanceof ReleaseError)) return `Uploading ${name} to release ${tag} failed: ${errorText(error)}`;
  if (error.status === 403 && !error.transient) {
    return `GitHub refused to change ${name} in release ${tag} (HTTP 403): the token can read but not write: give the job \`permissions: contents: write\`, or pass a token that has it in \`github-token\`.`;
  }
  if (error.status === 422 && error.code === 'already_exists') {
    return `${name} appeared in release ${tag} while this job was uploading it (HTTP 422 already_exists): another job is delivering to the same release and name; give each job its own names or run them one after another.`;
  }
  return `Uploading ${name} to release ${tag} failed: ${errorText(error)}`;
}
