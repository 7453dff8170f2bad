export const id = 452;
export const ids = [452,199];
export const modules = {

/***/ 66452:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   findRelease: () => (/* binding */ findRelease),
/* harmony export */   uploadAsset: () => (/* binding */ uploadAsset)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _shared_errors__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(58382);
/* harmony import */ var _http_transport__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(71517);
/* harmony import */ var _github_api__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(87199);
/* harmony import */ var _upload__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(90396);
/* harmony import */ var _http_retry__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(28902);
/**
 * Delivery to a GitHub release: find the release by tag before anything is
 * paid for, then upload each result as an asset, skipping identical bytes and
 * replacing a different asset with the smallest gap. JSON calls go through
 * Octokit (`@actions/github`); the bytes are streamed by upload.ts.
 */






/**
 * The release with this tag, draft or published, checked before anything is
 * paid for: a missing tag, a refused token, a published immutable release and
 * an upload URL on a foreign host each throw a ReleaseError saying what to do.
 */
async function findRelease(client, tag) {
    if (!tag.trim())
        throw new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .wW("Input 'release-tag' is empty; give the tag of a release in this repository.");
    const where = `${client.owner}/${client.repo}`;
    const { octokit, owner, repo } = client;
    let data;
    try {
        data = (await (0,_github_api__WEBPACK_IMPORTED_MODULE_3__.callApi)(client, `Looking up release ${tag} in ${where}`, () => octokit.rest.repos.getReleaseByTag({ owner, repo, tag }))).data;
    }
    catch (error) {
        if (!(error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2) || error.status !== 404)
            throw lookupError(error, tag, where);
        // getReleaseByTag sees published releases only; drafts are in the list.
        const isTag = (release) => release?.tag_name === tag;
        try {
            const releases = await (0,_github_api__WEBPACK_IMPORTED_MODULE_3__.listPages)(client, `Listing the releases of ${where}`, () => octokit.rest.repos.listReleases({ owner, repo, per_page: _github_api__WEBPACK_IMPORTED_MODULE_3__.PER_PAGE }), (page) => page.some(isTag));
            data = releases.find(isTag);
        }
        catch (listError) {
            throw lookupError(listError, tag, where);
        }
    }
    if (!data) {
        throw new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`No release of ${where} has the tag ${JSON.stringify(tag)}: create it first (e.g. \`gh release create ${tag} --draft\`) or fix \`release-tag\` (drafts are visible only to a token with \`contents: write\`).`, 404);
    }
    const release = (0,_github_api__WEBPACK_IMPORTED_MODULE_3__.parseRelease)(data, tag);
    if (release.immutable && !release.draft) {
        throw new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`Release ${tag} of ${where} is published and immutable, so its assets can no longer change: upload to a draft release first, then publish it.`);
    }
    if (!(0,_upload__WEBPACK_IMPORTED_MODULE_4__/* .isAllowedUploadUrl */ .LW)(client.apiUrl, release.uploadUrl)) {
        throw new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`Release ${tag}'s upload_url is on ${(0,_github_api__WEBPACK_IMPORTED_MODULE_3__.safeOrigin)(release.uploadUrl)}, neither GITHUB_API_URL's host nor its uploads host; the token is not sent there.`);
    }
    return release;
}
function lookupError(error, tag, where) {
    if (!(error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2))
        return error;
    if (error.status === 401) {
        return new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`GitHub refused the token (HTTP 401) looking up release ${tag} of ${where}: set \`github-token\` to a valid token (the default is \`\${{ github.token }}\`).`, 401);
    }
    if (error.status === 403) {
        return new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`The token may not read the releases of ${where} (HTTP 403): give the job \`permissions: contents: write\`, or pass a token that has it in \`github-token\`.`, 403);
    }
    if (error.status === 404)
        return new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`Repository ${where} was not found or the token cannot see it (HTTP 404): check GITHUB_REPOSITORY and \`github-token\`.`, 404);
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
async function uploadAsset(client, release, file, options) {
    const resume = ` Task ${options.taskId} is complete: re-run with \`task-id: ${options.taskId}\` to upload its result without paying again.`;
    if (!/^[^/\\\p{Cc}]{1,255}$/u.test(file.name))
        throw new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`Refusing to upload an asset named ${JSON.stringify(file.name)}: not a plain file name.${resume}`);
    if (file.bytes >= _upload__WEBPACK_IMPORTED_MODULE_4__/* .MAX_ASSET_BYTES */ .IC) {
        throw new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`${file.name} is ${file.bytes} bytes; GitHub release assets must be under 2 GiB (${_upload__WEBPACK_IMPORTED_MODULE_4__/* .MAX_ASSET_BYTES */ .IC} bytes), so it is not uploaded. Task ${options.taskId} is complete: its result can still be downloaded with \`task-id: ${options.taskId}\`.`);
    }
    try {
        const delivered = await deliver(client, release, file);
        return { ...delivered, browserDownloadUrl: (0,_github_api__WEBPACK_IMPORTED_MODULE_3__.httpUrl)(delivered.browserDownloadUrl, 'browser_download_url') };
    }
    catch (error) {
        if (error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .CancelledError */ .cc)
            throw error;
        // A 422 other than already_exists: was the release published as immutable meanwhile?
        const immutable = error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2 && error.status === 422 && error.code !== 'already_exists' && (await (0,_github_api__WEBPACK_IMPORTED_MODULE_3__.isNowImmutable)(client, release));
        const message = immutable
            ? `Release ${release.tag} was published as immutable meanwhile, so its assets can no longer change: upload to a draft release first, then publish it.`
            : error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2 && error.explained
                ? error.message
                : explain(error, file.name, release.tag);
        throw new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`${message}${resume}`, error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2 ? error.status : undefined, false, undefined, error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2 ? error.code : undefined);
    }
}
async function deliver(client, release, file) {
    const expected = `sha256:${file.sha256}`;
    const assets = await (0,_github_api__WEBPACK_IMPORTED_MODULE_3__.listAssets)(client, release);
    // Left by an earlier run that stopped part-way: an unfinished upload under the name, or our temporary names.
    const stale = assets.filter((a) => isTemporaryFor(a.name, file.name) || (a.name === file.name && a.state !== 'uploaded'));
    const existing = assets.find((a) => a.name === file.name && a.state === 'uploaded');
    if (existing && existing.digest === expected) {
        // Nothing to write, so a read-only token still succeeds; leftovers are removed if the token may.
        for (const leftover of stale)
            await (0,_github_api__WEBPACK_IMPORTED_MODULE_3__.removeQuietly)(client, leftover.id, leftover.name);
        client.log.info(`${file.name} is already in release ${release.tag} with the same SHA-256; not uploaded again.`);
        return { name: existing.name, browserDownloadUrl: existing.browserDownloadUrl, skipped: true, replaced: false };
    }
    for (const leftover of stale) {
        client.log.info(`Removing ${(0,_upload__WEBPACK_IMPORTED_MODULE_4__/* .githubText */ .f5)(leftover.name, 120)} (state ${(0,_upload__WEBPACK_IMPORTED_MODULE_4__/* .githubText */ .f5)(leftover.state, 20)}) from release ${release.tag}, left by an earlier upload that did not finish.`);
        await (0,_github_api__WEBPACK_IMPORTED_MODULE_3__.deleteAsset)(client, leftover.id, leftover.name);
    }
    if (!existing) {
        const created = await uploadWithRetries(client, release, file, file.name);
        client.log.info(`Uploaded ${file.name} to release ${release.tag}.`);
        return { name: created.name, browserDownloadUrl: created.browserDownloadUrl, skipped: false, replaced: false };
    }
    const temporary = `${file.name}.partial-${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(4).toString('hex')}`;
    const uploaded = await uploadWithRetries(client, release, file, temporary);
    try {
        await (0,_github_api__WEBPACK_IMPORTED_MODULE_3__.deleteAsset)(client, existing.id, existing.name);
    }
    catch (error) {
        await (0,_github_api__WEBPACK_IMPORTED_MODULE_3__.removeQuietly)(client, uploaded.id, uploaded.name);
        throw error;
    }
    // The name is missing from here until the rename lands.
    let renamed;
    try {
        renamed = await (0,_github_api__WEBPACK_IMPORTED_MODULE_3__.renameAsset)(client, uploaded.id, file.name);
    }
    catch (error) {
        const stranded = new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`${explain(error, file.name, release.tag)} The old ${file.name} is deleted and the new file is in the release as ${(0,_upload__WEBPACK_IMPORTED_MODULE_4__/* .githubText */ .f5)(uploaded.name, 120)}; rename it, or re-run.`, error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2 ? error.status : undefined);
        stranded.explained = true;
        throw stranded;
    }
    const was = existing.digest ? `SHA-256 ${existing.digest.slice('sha256:'.length, 'sha256:'.length + 12)}…` : 'no digest';
    client.log.info(`Replaced ${file.name} in release ${release.tag} (the old asset had ${(0,_upload__WEBPACK_IMPORTED_MODULE_4__/* .githubText */ .f5)(was, 40)}).`);
    return { name: renamed.name, browserDownloadUrl: renamed.browserDownloadUrl, skipped: false, replaced: true };
}
function isTemporaryFor(assetName, name) {
    return assetName.startsWith(`${name}.partial-`);
}
/**
 * Uploads the file under `uploadName`, retrying transient failures. Before
 * each retry, what the failed attempt left under that name is removed (an
 * asset it completed with our digest is taken instead). On giving up, nothing
 * it uploaded is left behind.
 */
async function uploadWithRetries(client, release, file, uploadName) {
    const expected = `sha256:${file.sha256}`;
    const url = (0,_upload__WEBPACK_IMPORTED_MODULE_4__/* .expandUploadUrl */ .fz)(release.uploadUrl, { name: uploadName });
    if (!(0,_upload__WEBPACK_IMPORTED_MODULE_4__/* .isAllowedUploadUrl */ .LW)(client.apiUrl, url))
        throw new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`The upload URL is on ${(0,_github_api__WEBPACK_IMPORTED_MODULE_3__.safeOrigin)(url)}, not GitHub's; the token is not sent there.`);
    const temporary = uploadName !== file.name;
    const attempt = async () => {
        let failure;
        let createdId;
        try {
            const raw = await (0,_upload__WEBPACK_IMPORTED_MODULE_4__/* .postAsset */ .rZ)({
                url,
                path: file.path,
                bytes: file.bytes,
                token: client.token,
                dispatcher: (0,_http_transport__WEBPACK_IMPORTED_MODULE_2__/* .getDispatcher */ .wo)(),
                signal: client.signal,
                log: client.log,
            });
            const asset = (0,_github_api__WEBPACK_IMPORTED_MODULE_3__.parseAsset)(raw);
            if (asset.digest === null || asset.digest === expected)
                return asset;
            createdId = asset.id;
            failure = new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`GitHub computed ${(0,_upload__WEBPACK_IMPORTED_MODULE_4__/* .githubText */ .f5)(asset.digest, 80)} for the uploaded ${uploadName}, not ${expected}.`, undefined, true);
        }
        catch (error) {
            failure = error;
        }
        if (failure instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .CancelledError */ .cc)
            throw failure;
        // What this attempt may have left: an unfinished asset, or a complete one whose answer was lost
        // (or, on a 422 already_exists, the very same bytes from another job: the name holds what it should).
        const leftovers = (await (0,_github_api__WEBPACK_IMPORTED_MODULE_3__.listAssets)(client, release).catch(() => [])).filter((a) => a.name === uploadName);
        const done = leftovers.find((a) => a.state === 'uploaded' && a.digest === expected);
        if (done)
            return done;
        for (const leftover of leftovers) {
            if (temporary || leftover.state !== 'uploaded' || leftover.id === createdId)
                await (0,_github_api__WEBPACK_IMPORTED_MODULE_3__.removeQuietly)(client, leftover.id, leftover.name);
        }
        throw failure;
    };
    return (0,_http_retry__WEBPACK_IMPORTED_MODULE_5__/* .withRetries */ .LH)(attempt, {
        ...(0,_github_api__WEBPACK_IMPORTED_MODULE_3__.releaseRetries)(client, (failure, delay, next) => client.log.info(`Uploading ${uploadName}: ${(0,_shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .errorText */ .kc)(failure)} Retrying in ${(delay / 1000).toFixed(1)}s (attempt ${next} of ${client.retry.maxAttempts}).`)),
        // Still transient: a later run may succeed, and a rate-limit 403 is not a permission problem.
        gaveUp: (failure, attempts) => new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`${(0,_shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .errorText */ .kc)(failure)} Gave up after ${attempts} attempts.`, failure.status, true),
    });
}
/** One line for a failed upload, delete or rename, by status: what happened and what to do. */
function explain(error, name, tag) {
    if (!(error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2))
        return `Uploading ${name} to release ${tag} failed: ${(0,_shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .errorText */ .kc)(error)}`;
    if (error.status === 403 && !error.transient) {
        return `GitHub refused to change ${name} in release ${tag} (HTTP 403): the token can read but not write: give the job \`permissions: contents: write\`, or pass a token that has it in \`github-token\`.`;
    }
    if (error.status === 422 && error.code === 'already_exists') {
        return `${name} appeared in release ${tag} while this job was uploading it (HTTP 422 already_exists): another job is delivering to the same release and name; give each job its own names or run them one after another.`;
    }
    return `Uploading ${name} to release ${tag} failed: ${(0,_shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .errorText */ .kc)(error)}`;
}


/***/ }),

/***/ 87199:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   MAX_LIST_PAGES: () => (/* binding */ MAX_LIST_PAGES),
/* harmony export */   PER_PAGE: () => (/* binding */ PER_PAGE),
/* harmony export */   RELEASE_RETRY: () => (/* binding */ RELEASE_RETRY),
/* harmony export */   callApi: () => (/* binding */ callApi),
/* harmony export */   createReleaseClient: () => (/* binding */ createReleaseClient),
/* harmony export */   deleteAsset: () => (/* binding */ deleteAsset),
/* harmony export */   httpUrl: () => (/* binding */ httpUrl),
/* harmony export */   isNowImmutable: () => (/* binding */ isNowImmutable),
/* harmony export */   listAssets: () => (/* binding */ listAssets),
/* harmony export */   listPages: () => (/* binding */ listPages),
/* harmony export */   parseAsset: () => (/* binding */ parseAsset),
/* harmony export */   parseRelease: () => (/* binding */ parseRelease),
/* harmony export */   releaseRetries: () => (/* binding */ releaseRetries),
/* harmony export */   removeQuietly: () => (/* binding */ removeQuietly),
/* harmony export */   renameAsset: () => (/* binding */ renameAsset),
/* harmony export */   safeOrigin: () => (/* binding */ safeOrigin)
/* harmony export */ });
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(61351);
/* harmony import */ var _shared_errors__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(58382);
/* harmony import */ var _http_transport__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(71517);
/* harmony import */ var _upload__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(90396);
/* harmony import */ var _http_retry__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(28902);
/* harmony import */ var _shared_log__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(21827);
/**
 * The JSON side of release delivery, through Octokit (`@actions/github`): the
 * client, retried calls, and GitHub's answers checked and decoded. Used by assets.ts and step.ts.
 */






/** A GitHub hiccup is retried a few times with backoff; each upload attempt resends the whole file. */
const RELEASE_RETRY = { maxAttempts: 4, baseMs: 2000, capMs: 30_000, retryAfterCapMs: 120_000, maxFormatErrors: 0 };
function createReleaseClient(options) {
    if (!options.token)
        throw new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .wW("Input 'github-token' is empty; a release upload needs a token with `contents: write` (the default is `${{ github.token }}`).");
    const apiUrl = (options.apiUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
    const { owner, repo } = options.owner && options.repo ? { owner: options.owner, repo: options.repo } : repositoryFromContext();
    const log = options.log ?? _shared_log__WEBPACK_IMPORTED_MODULE_5__/* .SILENT */ .q;
    const octokit = (0,_actions_github__WEBPACK_IMPORTED_MODULE_0__/* .getOctokit */ .Q)(options.token, {
        baseUrl: apiUrl,
        request: { fetch: (0,_upload__WEBPACK_IMPORTED_MODULE_3__/* .apiOnlyFetch */ .xD)((0,_upload__WEBPACK_IMPORTED_MODULE_3__/* .originOf */ .yv)(apiUrl), (0,_http_transport__WEBPACK_IMPORTED_MODULE_2__/* .getDispatcher */ .wo)()), signal: options.signal },
        log: { debug: () => undefined, info: () => undefined, warn: (m) => log.warning((0,_upload__WEBPACK_IMPORTED_MODULE_3__/* .githubText */ .f5)(m)), error: () => undefined },
    });
    return {
        octokit,
        token: options.token,
        owner,
        repo,
        apiUrl,
        signal: options.signal,
        log,
        retry: options.retry ?? RELEASE_RETRY,
        random: options.random,
    };
}
function repositoryFromContext() {
    try {
        return _actions_github__WEBPACK_IMPORTED_MODULE_0__/* .context */ ._.repo;
    }
    catch {
        throw new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .wW('GITHUB_REPOSITORY is not set (expected owner/repo, as the runner sets it); the release cannot be found without it.');
    }
}
async function isNowImmutable(client, release) {
    const { octokit, owner, repo } = client;
    try {
        const now = parseRelease((await octokit.rest.repos.getRelease({ owner, repo, release_id: release.id })).data, release.tag);
        return now.immutable && !now.draft;
    }
    catch {
        return false;
    }
}
async function listAssets(client, release) {
    const { octokit, owner, repo } = client;
    const raw = await listPages(client, `Listing the assets of release ${release.tag}`, () => octokit.rest.repos.listReleaseAssets({ owner, repo, release_id: release.id, per_page: PER_PAGE }));
    return raw.map(parseAsset);
}
/** Items asked for per page of a list (GitHub's largest). */
const PER_PAGE = 100;
/**
 * Most pages a list is read to: a release holds at most 1000 assets (10 pages), and a draft release is among the
 * newest. Past this, the list stops with a ReleaseError rather than reading on.
 */
const MAX_LIST_PAGES = 50;
/**
 * The items of a paginated list, page after page along GitHub's `Link: rel="next"`, each page retried as callApi
 * does. Bounded: a next page already read (a Link that loops) or more than MAX_LIST_PAGES pages stop it with a
 * ReleaseError; `enough` ends it early once a page holds what is looked for.
 */
async function listPages(client, what, firstPage, enough) {
    const items = [];
    const seen = new Set();
    let call = firstPage;
    for (let count = 1;; count++) {
        const page = await callApi(client, what, call);
        if (!Array.isArray(page.data))
            throw new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`${what} failed: GitHub answered a page with something other than a list.`);
        items.push(...page.data);
        if (enough?.(page.data))
            return items;
        seen.add(pageKey(page.url));
        const next = /<([^<>]+)>;\s*rel="next"/.exec(page.headers.link ?? '')?.[1];
        if (!next)
            return items;
        if (seen.has(pageKey(next))) {
            throw new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`${what} stopped: GitHub's Link header leads back to a page already read (${(0,_upload__WEBPACK_IMPORTED_MODULE_3__/* .githubText */ .f5)(next, 160)}), so the list would never end.`);
        }
        if (count >= MAX_LIST_PAGES)
            throw new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`${what} stopped after ${MAX_LIST_PAGES} pages of ${PER_PAGE}: GitHub still named a next page.`);
        call = () => client.octokit.request({ method: 'GET', url: next });
    }
}
/** A page's URL with its query in a fixed order, so the same page is known however its link spells it. */
function pageKey(url) {
    try {
        const parsed = new URL(url);
        parsed.searchParams.sort();
        parsed.hash = '';
        return parsed.href;
    }
    catch {
        return url;
    }
}
/** Deletes an asset; one that is already gone counts as deleted. */
async function deleteAsset(client, id, name) {
    const { octokit, owner, repo } = client;
    try {
        await callApi(client, `Deleting ${name}`, () => octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: id }));
    }
    catch (error) {
        if (!(error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2) || error.status !== 404)
            throw error;
    }
}
async function removeQuietly(client, id, name) {
    await deleteAsset(client, id, name).catch((error) => client.log.warning(`Could not remove ${(0,_upload__WEBPACK_IMPORTED_MODULE_3__/* .githubText */ .f5)(name, 120)} from the release: ${(0,_shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .errorText */ .kc)(error)} Delete it by hand.`));
}
async function renameAsset(client, id, name) {
    const { octokit, owner, repo } = client;
    const response = await callApi(client, `Renaming the new upload to ${name}`, () => octokit.rest.repos.updateReleaseAsset({ owner, repo, asset_id: id, name }));
    return parseAsset(response.data);
}
/** Runs an Octokit call, retrying 5xx, 429, rate-limit 403s and network failures a few times; failures become ReleaseError. */
async function callApi(client, what, call) {
    return (0,_http_retry__WEBPACK_IMPORTED_MODULE_4__/* .withRetries */ .LH)(async () => {
        try {
            return await call();
        }
        catch (error) {
            throw fromOctokit(error, client, what);
        }
    }, releaseRetries(client, (failure, delay, next) => client.log.info(`${failure.message} Retrying in ${(delay / 1000).toFixed(1)}s (attempt ${next} of ${client.retry.maxAttempts}).`)));
}
/** The retry loop of a release call: transient ReleaseErrors only, with the client's policy, cancellation and randomness. */
function releaseRetries(client, onRetry) {
    return {
        policy: client.retry,
        retryable: (error) => error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2 && error.transient,
        retryAfterMs: (error) => error.retryAfterMs,
        onRetry,
        signal: client.signal,
        random: client.random,
    };
}
function fromOctokit(error, client, what) {
    if (client.signal?.aborted)
        return new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .CancelledError */ .cc(`${what} was cancelled.`, true);
    if (error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2 || error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .CancelledError */ .cc)
        return error;
    const { status, cause, response } = (error ?? {});
    if (cause instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2)
        return cause;
    if (typeof status !== 'number')
        return new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`${what} failed: ${(0,_upload__WEBPACK_IMPORTED_MODULE_3__/* .githubText */ .f5)((0,_shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .errorText */ .kc)(error))}`);
    if (!response)
        return new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`${what} failed (${(0,_upload__WEBPACK_IMPORTED_MODULE_3__/* .githubText */ .f5)((0,_shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .errorText */ .kc)(cause ?? error))}).`, undefined, true);
    const data = (response.data ?? {});
    const code = typeof data.errors?.[0]?.code === 'string' ? (0,_upload__WEBPACK_IMPORTED_MODULE_3__/* .githubText */ .f5)(data.errors[0].code, 80) : undefined;
    const retryAfterMs = (0,_http_transport__WEBPACK_IMPORTED_MODULE_2__/* .parseRetryAfter */ .mu)(response.headers?.['retry-after']);
    const rateLimited = status === 429 || (status === 403 && (retryAfterMs !== undefined || response.headers?.['x-ratelimit-remaining'] === '0'));
    const detail = [(0,_upload__WEBPACK_IMPORTED_MODULE_3__/* .githubText */ .f5)(data.message), code].filter(Boolean).join(': ');
    return new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`${what} failed: HTTP ${status}${detail ? ` (${detail})` : ''}.`, status, status >= 500 || rateLimited, retryAfterMs, code);
}
function safeOrigin(url) {
    try {
        return (0,_upload__WEBPACK_IMPORTED_MODULE_3__/* .originOf */ .yv)(url);
    }
    catch {
        return JSON.stringify((0,_upload__WEBPACK_IMPORTED_MODULE_3__/* .githubText */ .f5)(url, 80));
    }
}
function httpUrl(value, field) {
    if (typeof value === 'string' && /^https?:\/\//.test(value)) {
        try {
            return new URL(value).href;
        }
        catch {
            // reported below
        }
    }
    throw new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`GitHub answered with a ${field} that is not an http(s) URL: ${JSON.stringify((0,_upload__WEBPACK_IMPORTED_MODULE_3__/* .githubText */ .f5)(value, 80))}.`);
}
function parseRelease(data, tag) {
    const release = (data ?? {});
    if (typeof release.id !== 'number' || typeof release.upload_url !== 'string')
        throw new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2(`GitHub's answer for release ${tag} has no id or upload_url.`);
    return {
        id: release.id,
        // Matched on the tag asked for, so the tag is the caller's text, not GitHub's.
        tag,
        htmlUrl: httpUrl(release.html_url, 'release html_url'),
        uploadUrl: release.upload_url,
        draft: release.draft === true,
        immutable: release.immutable === true,
    };
}
function parseAsset(data) {
    const asset = (data ?? {});
    if (typeof asset.id !== 'number' || typeof asset.name !== 'string')
        throw new _shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ReleaseError */ .K2('GitHub answered with an asset that has no id or name.');
    return {
        id: asset.id,
        name: asset.name,
        state: typeof asset.state === 'string' ? asset.state : 'uploaded',
        digest: typeof asset.digest === 'string' ? asset.digest : null,
        browserDownloadUrl: typeof asset.browser_download_url === 'string' ? asset.browser_download_url : '',
    };
}


/***/ }),

/***/ 90396:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   IC: () => (/* binding */ MAX_ASSET_BYTES),
/* harmony export */   LW: () => (/* binding */ isAllowedUploadUrl),
/* harmony export */   f5: () => (/* binding */ githubText),
/* harmony export */   fz: () => (/* binding */ expandUploadUrl),
/* harmony export */   rZ: () => (/* binding */ postAsset),
/* harmony export */   xD: () => (/* binding */ apiOnlyFetch),
/* harmony export */   yv: () => (/* binding */ originOf)
/* harmony export */ });
/* unused harmony export API_CALL_TIMEOUT_MS */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var undici__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(46752);
/* harmony import */ var _shared_errors__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(58382);
/* harmony import */ var _shared_redact__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(48932);
/* harmony import */ var _shared_young_gc__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(23395);
/* harmony import */ var _shared_text__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(24646);
/* harmony import */ var _http_transport__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(71517);
/**
 * The transport half of release delivery: where the GitHub token may go, the
 * upload URL and the streamed upload itself. The logic
 * (lookup, skip, replace, retries) is in assets.ts.
 */









/** GitHub refuses release assets of 2 GiB or more. */
const MAX_ASSET_BYTES = 2 * 1024 ** 3;
/** Longest wait for the answer once the last byte is sent (undici restarts this clock while the body is written). */
const UPLOAD_HEADERS_TIMEOUT_MS = 300_000;
/** Longest silence while the answer arrives. */
const UPLOAD_BODY_TIMEOUT_MS = 60_000;
/** Upload progress at most this often. */
const PROGRESS_EVERY_MS = 10_000;
/** Read buffer for the file: fewer, larger socket writes; memory stays a few of these whatever the file size. */
const READ_BUFFER_BYTES = 1024 * 1024;
const MAX_API_REDIRECTS = 5;
/** Longest a GitHub API answer may be: a page of 100 releases, each with long notes and its assets, fits well within. */
const MAX_API_ANSWER_BYTES = 32 * 1024 * 1024;
/** Longest one GitHub API request may take, answer included: release calls have this bound of their own (not the run's `timeout`). */
const API_CALL_TIMEOUT_MS = 60_000;
/** Statuses whose answer has no body (a Response refuses one). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
/**
 * Text from GitHub made fit for a message: the run's secrets (the token
 * among them) scrubbed before it is cut, one line, at most `max` characters.
 */
function githubText(text, max = 200) {
    const value = typeof text === 'string' ? text : text === undefined || text === null ? '' : JSON.stringify(text);
    return (0,_shared_text__WEBPACK_IMPORTED_MODULE_7__/* .truncate */ .xv)((0,_shared_text__WEBPACK_IMPORTED_MODULE_7__/* .oneLine */ .TN)((0,_shared_redact__WEBPACK_IMPORTED_MODULE_5__/* .redact */ .E$)(value)).trim(), max);
}
/** Scheme, host and port of a URL, as `new URL(...).origin` gives them. */
function originOf(url) {
    return new URL(url).origin;
}
/**
 * Whether the token may be sent to the upload URL a release names. Allowed:
 * the API's own host (GitHub Enterprise Server serves uploads at
 * `https://HOST/api/uploads`; any port on that host), or `uploads.X` when the
 * API is `api.X` on the same port (github.com, GHE.com). Always with the
 * API's scheme, so an https API never leads to a plain-http upload.
 */
function isAllowedUploadUrl(apiUrl, uploadUrl) {
    let api;
    let upload;
    try {
        api = new URL(apiUrl);
        upload = new URL(uploadUrl);
    }
    catch {
        return false;
    }
    if (upload.protocol !== api.protocol || upload.username || upload.password)
        return false;
    if (upload.hostname === api.hostname)
        return true;
    return api.hostname.startsWith('api.') && upload.hostname === `uploads.${api.hostname.slice('api.'.length)}` && upload.port === api.port;
}
/** RFC 6570 percent-encoding for a value: everything but ALPHA, DIGIT and `-._~`. */
function encodeValue(value) {
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
/**
 * Expands a release's `upload_url` template (`…/assets{?name,label}`) with the
 * given values (form-style query expansion; undefined values are left out).
 * Any other kind of expression is refused rather than guessed.
 */
function expandUploadUrl(template, values) {
    const expanded = template.replace(/\{([^}]*)\}/g, (_match, expression) => {
        if (!/^\?[A-Za-z0-9_,]+$/.test(expression))
            throw new _shared_errors__WEBPACK_IMPORTED_MODULE_4__/* .ReleaseError */ .K2(`The release's upload_url has a template this action does not expand: {${githubText(expression)}}.`);
        const pairs = expression
            .slice(1)
            .split(',')
            .filter((key) => values[key] !== undefined)
            .map((key) => `${key}=${encodeValue(values[key])}`);
        return pairs.length ? `?${pairs.join('&')}` : '';
    });
    try {
        return new URL(expanded).href;
    }
    catch {
        throw new _shared_errors__WEBPACK_IMPORTED_MODULE_4__/* .ReleaseError */ .K2(`The release's upload_url is not a URL: ${JSON.stringify(githubText(template))}.`);
    }
}
/**
 * A fetch for Octokit that sends requests only to the API's origin and
 * follows redirects itself, only within that origin: a redirect elsewhere is
 * refused rather than followed (with or without the token). Each request,
 * redirects and answer included, gets API_CALL_TIMEOUT_MS; the answer is read
 * here (at most MAX_API_ANSWER_BYTES) and scrubbed of the run's secrets
 * before Octokit or anything after it sees a byte of it.
 */
function apiOnlyFetch(apiOrigin, dispatcher, timeoutMs = API_CALL_TIMEOUT_MS) {
    const guarded = async (input, init = {}) => {
        let url = new URL(input instanceof URL ? input.href : typeof input === 'string' ? input : String(input.url));
        let method = typeof init.method === 'string' ? init.method : 'GET';
        let body = init.body;
        const cancel = init.signal;
        const timeout = AbortSignal.timeout(timeoutMs);
        const signal = cancel ? AbortSignal.any([cancel, timeout]) : timeout;
        try {
            for (let hop = 0;; hop++) {
                if (url.origin !== apiOrigin) {
                    throw new _shared_errors__WEBPACK_IMPORTED_MODULE_4__/* .ReleaseError */ .K2(`GitHub's API pointed the request at ${url.origin}, not at GITHUB_API_URL's origin (${apiOrigin}); the token is only sent there.`);
                }
                const response = await (0,undici__WEBPACK_IMPORTED_MODULE_3__.fetch)(url, { ...init, method, body: body, redirect: 'manual', dispatcher, signal });
                const location = response.headers.get('location');
                if (!_http_transport__WEBPACK_IMPORTED_MODULE_8__/* .REDIRECT_STATUSES */ .aq.has(response.status) || !location || hop >= MAX_API_REDIRECTS)
                    return await scrubbed(response);
                await response.body?.cancel();
                url = new URL(location, url);
                if (response.status === 303) {
                    method = 'GET';
                    body = undefined;
                }
            }
        }
        catch (error) {
            if (timeout.aborted && !cancel?.aborted) {
                throw new _shared_errors__WEBPACK_IMPORTED_MODULE_4__/* .ReleaseError */ .K2(`GitHub's API did not answer ${method} ${url.pathname} within ${timeoutMs / 1000} s.`, undefined, true);
            }
            throw error;
        }
    };
    return guarded;
}
/** The same answer with its body read (bounded) and scrubbed of the run's secrets. */
async function scrubbed(response) {
    if (NULL_BODY_STATUSES.has(response.status) || !response.body)
        return response;
    let text;
    try {
        text = await (0,_http_transport__WEBPACK_IMPORTED_MODULE_8__/* .readLimitedText */ .gw)(response.body, MAX_API_ANSWER_BYTES);
    }
    catch (error) {
        await response.body.cancel().catch(() => undefined);
        throw error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_4__/* .ResponseFormatError */ .TT
            ? new _shared_errors__WEBPACK_IMPORTED_MODULE_4__/* .ReleaseError */ .K2(`GitHub's API answered HTTP ${response.status} with more than ${MAX_API_ANSWER_BYTES / 1024 / 1024} MiB.`, response.status)
            : error;
    }
    const clean = new undici__WEBPACK_IMPORTED_MODULE_3__.Response((0,_shared_redact__WEBPACK_IMPORTED_MODULE_5__/* .redact */ .E$)(text), { status: response.status, statusText: response.statusText, headers: response.headers });
    // Octokit reads the answer's URL (a Response built here has none).
    Object.defineProperty(clean, 'url', { value: response.url });
    return clean;
}
/**
 * One upload attempt: streams the file to the upload host and returns the
 * asset GitHub answers with (undecoded). Non-2xx answers and network failures
 * become ReleaseError with the status and whether trying again may help.
 * Redirects are not followed: the token goes to this URL's origin only.
 */
async function postAsset(options) {
    const { url, path, bytes, token, signal } = options;
    const onDisk = (await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.stat)(path)).size;
    if (onDisk !== bytes)
        throw new _shared_errors__WEBPACK_IMPORTED_MODULE_4__/* .ReleaseError */ .K2(`${path} is ${onDisk} bytes, not the ${bytes} it was hashed at; it changed while being delivered.`);
    const counter = new ProgressCounter(bytes, options.log);
    const file = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.createReadStream)(path, { highWaterMark: READ_BUFFER_BYTES });
    const body = file.pipe(counter);
    file.on('error', (error) => body.destroy(error));
    let response;
    try {
        response = await (0,undici__WEBPACK_IMPORTED_MODULE_3__.request)(url, {
            method: 'POST',
            dispatcher: options.dispatcher,
            signal,
            body,
            headersTimeout: UPLOAD_HEADERS_TIMEOUT_MS,
            bodyTimeout: UPLOAD_BODY_TIMEOUT_MS,
            headers: {
                authorization: `Bearer ${token}`,
                'content-type': 'video/mp4',
                'content-length': String(bytes),
                accept: 'application/vnd.github+json',
                'x-github-api-version': '2022-11-28',
                'user-agent': _http_transport__WEBPACK_IMPORTED_MODULE_8__/* .USER_AGENT */ ._O,
            },
        });
    }
    catch (error) {
        file.destroy();
        const network = (0,_http_transport__WEBPACK_IMPORTED_MODULE_8__/* .toNetworkError */ .Ur)(error, `The upload (${counter.sent} of ${bytes} bytes sent)`, signal);
        if (network instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_4__/* .CancelledError */ .cc)
            throw network;
        throw new _shared_errors__WEBPACK_IMPORTED_MODULE_4__/* .ReleaseError */ .K2(githubText(network.message), undefined, true);
    }
    const { statusCode, headers } = response;
    let text = '';
    try {
        // Scrubbed as it is read: nothing after this sees a secret GitHub echoed.
        text = (0,_shared_redact__WEBPACK_IMPORTED_MODULE_5__/* .redact */ .E$)(await (0,_http_transport__WEBPACK_IMPORTED_MODULE_8__/* .readLimitedText */ .gw)(response.body, 1024 * 1024));
    }
    catch (error) {
        if (statusCode >= 200 && statusCode < 300)
            throw new _shared_errors__WEBPACK_IMPORTED_MODULE_4__/* .ReleaseError */ .K2(`The upload host's answer could not be read: ${githubText(error.message)}`, statusCode, true);
    }
    if (statusCode >= 200 && statusCode < 300) {
        try {
            return JSON.parse(text);
        }
        catch {
            throw new _shared_errors__WEBPACK_IMPORTED_MODULE_4__/* .ReleaseError */ .K2(`The upload host answered HTTP ${statusCode} with a body that is not JSON.`, statusCode, true);
        }
    }
    if (_http_transport__WEBPACK_IMPORTED_MODULE_8__/* .REDIRECT_STATUSES */ .aq.has(statusCode)) {
        const location = githubText((0,_http_transport__WEBPACK_IMPORTED_MODULE_8__/* .header */ .wx)(headers, 'location') ?? '(no Location)', 120);
        throw new _shared_errors__WEBPACK_IMPORTED_MODULE_4__/* .ReleaseError */ .K2(`The upload host redirected to ${location}; not followed, so the token goes nowhere but the release's own upload URL.`, statusCode);
    }
    let message = '';
    let code;
    try {
        const data = JSON.parse(text);
        message = githubText(data.message);
        code = typeof data.errors?.[0]?.code === 'string' ? githubText(data.errors[0].code, 80) : undefined;
    }
    catch {
        // not JSON: the status alone says it
    }
    const retryAfterMs = (0,_http_transport__WEBPACK_IMPORTED_MODULE_8__/* .parseRetryAfter */ .mu)(headers['retry-after']);
    const rateLimited = statusCode === 429 || (statusCode === 403 && (retryAfterMs !== undefined || (0,_http_transport__WEBPACK_IMPORTED_MODULE_8__/* .header */ .wx)(headers, 'x-ratelimit-remaining') === '0'));
    const detail = [message, code].filter(Boolean).join(': ');
    throw new _shared_errors__WEBPACK_IMPORTED_MODULE_4__/* .ReleaseError */ .K2(`HTTP ${statusCode}${detail ? ` (${detail})` : ''}.`, statusCode, statusCode >= 500 || rateLimited, retryAfterMs, code);
}
/** Counts the bytes going out and logs progress now and then, so a long upload shows it is moving. */
class ProgressCounter extends node_stream__WEBPACK_IMPORTED_MODULE_2__.Transform {
    total;
    log;
    sent = 0;
    sinceGc = 0;
    last = Date.now();
    constructor(total, log) {
        super();
        this.total = total;
        this.log = log;
    }
    _transform(chunk, _encoding, done) {
        this.sent += chunk.length;
        // Sent buffers are dead once written: collect them as we go, as a download does (young-gc.ts).
        this.sinceGc += chunk.length;
        if (this.sinceGc >= _shared_young_gc__WEBPACK_IMPORTED_MODULE_6__/* .DOWNLOAD_GC_EVERY_BYTES */ .w) {
            this.sinceGc = 0;
            (0,_shared_young_gc__WEBPACK_IMPORTED_MODULE_6__/* .collectYoungGarbage */ .u)();
        }
        if (Date.now() - this.last >= PROGRESS_EVERY_MS) {
            this.last = Date.now();
            this.log?.info(`Uploaded ${Math.round((this.sent / this.total) * 100)}% (${this.sent} of ${this.total} bytes)…`);
        }
        done(null, chunk);
    }
}


/***/ }),

/***/ 21827:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   q: () => (/* binding */ SILENT)
/* harmony export */ });
/** A log that drops everything: for callers that have nothing to say to the user. */
const SILENT = {
    info: () => undefined,
    warning: () => undefined,
    debug: () => undefined,
    group: (_title, work) => work(),
};


/***/ })

};
