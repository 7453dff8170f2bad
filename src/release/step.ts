/**
 * The release-tag step of a run: the release is looked up before anything is
 * paid for (a missing tag, a refused token or an immutable release stop the
 * run unpaid), and each clip's downloaded results become its assets.
 */
import type { ReleaseAssetLink } from '../model/clip';
import type { DownloadedFile } from '../delivery/download';
import { ActionError, CancelledError, ReleaseError, errorText } from '../shared/errors';
import type { ActionInputs } from '../inputs/parse';
import type { ReleaseClient, ReleaseInfo } from './github-api';
import { hashFile } from '../delivery/file-hash';
import type { Timeline } from '../shared/timeline';
import { notSubmitted } from '../shared/wording';
import { AssetNameBook, ASSET_NAME_RULE } from './asset-names';
import type { Log } from '../shared/log';

/** The release client, loaded only with release-tag: @actions/github and Octokit would otherwise slow every start. */
const releaseModule = () => import('./assets');
const releaseApi = () => import('./github-api');

/** The release every result goes to, found before anything was paid for. */
export interface ReleaseTarget {
  client: ReleaseClient;
  release: ReleaseInfo;
  /** The asset name of each result file: one GitHub keeps as sent, unique in this run. */
  names: AssetNameBook;
}

/**
 * The release of `release-tag`, draft or published, or undefined without the
 * input. Any refusal fails the run with its one line, before preflight and
 * before anything is submitted.
 */
export async function openRelease(inputs: Pick<ActionInputs, 'releaseTag' | 'githubToken'>, log: Log, signal: AbortSignal): Promise<ReleaseTarget | undefined> {
  const tag = inputs.releaseTag;
  if (!tag) return undefined;
  try {
    const [{ createReleaseClient }, { findRelease }] = await Promise.all([releaseApi(), releaseModule()]);
    const client = createReleaseClient({ token: inputs.githubToken ?? '', signal, log });
    const release = await log.group(`Checking release ${tag} of ${client.owner}/${client.repo}`, () => findRelease(client, tag));
    log.info(`Release ${tag} found (${release.draft ? 'draft' : 'published'}): ${release.htmlUrl}`);
    return { client, release, names: new AssetNameBook() };
  } catch (error) {
    if (error instanceof CancelledError || !(error instanceof ActionError)) throw error;
    const status = error instanceof ReleaseError ? error.status : undefined;
    throw new ReleaseError(notSubmitted(errorText(error)), status);
  }
}

/**
 * Uploads a clip's downloaded files as assets of the release, named as they
 * were saved, and returns each asset's link; `onAsset` hears of each as soon
 * as it is there, so an upload that fails later leaves the earlier ones
 * reported. A failure names the asset and the task id (uploadAsset's
 * message), so the run can be resumed unpaid.
 */
export async function uploadToRelease(
  target: ReleaseTarget,
  clip: { taskId: string; files: readonly DownloadedFile[] },
  log: Log,
  timeline: Timeline,
  onAsset: (asset: ReleaseAssetLink) => void = () => undefined,
): Promise<ReleaseAssetLink[]> {
  const { taskId, files } = clip;
  const { uploadAsset } = await releaseModule();
  // The clip's lines, prefixed among several clips.
  const client: ReleaseClient = { ...target.client, log };
  const { release } = target;
  const count = files.length > 1 ? `${files.length} results` : 'the result';
  const assets: ReleaseAssetLink[] = [];
  await timeline.span('release upload', () =>
    log.group(`Uploading ${count} to release ${release.tag}`, async () => {
      for (const file of files) {
        const { sha256, bytes } = await hashFile(file.path);
        const name = target.names.claim(file.name);
        if (name !== file.name) log.info(`${file.name} goes to the release as ${name}: ${ASSET_NAME_RULE}.`);
        const asset = await uploadAsset(client, release, { path: file.path, name, sha256, bytes }, { taskId });
        const link = { name: asset.name, url: asset.browserDownloadUrl, unchanged: asset.skipped };
        assets.push(link);
        onAsset(link);
        if (!asset.skipped) log.info(`Release asset ${asset.name}: ${asset.browserDownloadUrl}`);
      }
    }),
  );
  return assets;
}
