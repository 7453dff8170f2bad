export const id = 48;
export const ids = [48];
export const modules = {

/***/ 29048:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  MAX_ASSET_BYTES: () => (/* reexport */ MAX_ASSET_BYTES),
  RELEASE_RETRY: () => (/* reexport */ RELEASE_RETRY),
  ReleaseError: () => (/* reexport */ errors/* ReleaseError */.K2),
  createReleaseClient: () => (/* reexport */ createReleaseClient),
  findRelease: () => (/* binding */ findRelease),
  hashFile: () => (/* reexport */ hashFile),
  uploadAsset: () => (/* binding */ uploadAsset)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: ./src/shared/errors.ts
var errors = __webpack_require__(58382);
// EXTERNAL MODULE: ./src/http/transport.ts
var transport = __webpack_require__(71517);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js
var github = __webpack_require__(61351);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: ./node_modules/undici/index.js
var undici = __webpack_require__(46752);
// EXTERNAL MODULE: ./src/shared/redact.ts
var redact = __webpack_require__(48932);
// EXTERNAL MODULE: ./src/shared/young-gc.ts + 2 modules
var young_gc = __webpack_require__(23395);
// EXTERNAL MODULE: ./src/shared/text.ts
var shared_text = __webpack_require__(24646);
;// CONCATENATED MODULE: ./src/release/upload.ts
/**
 * The transport half of release delivery: where the GitHub token may go, the
 * upload URL, the streamed upload itself, and a file's SHA-256. The logic
 * (lookup, skip, replace, retries) is in release.ts.
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

/**
 * Text from GitHub made fit for a message: the run's secrets (the token
 * among them) scrubbed before it is cut, one line, at most `max` characters.
 */
function githubText(text, max = 200) {
    const value = typeof text === 'string' ? text : text === undefined || text === null ? '' : JSON.stringify(text);
    return (0,shared_text/* truncate */.xv)((0,shared_text/* oneLine */.TN)((0,redact/* redact */.E$)(value)).trim(), max);
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
            throw new errors/* ReleaseError */.K2(`The release's upload_url has a template this action does not expand: {${githubText(expression)}}.`);
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
        throw new errors/* ReleaseError */.K2(`The release's upload_url is not a URL: ${JSON.stringify(githubText(template))}.`);
    }
}
/** SHA-256 (hex) and size of a file, read as a stream. */
async function hashFile(path) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    let bytes = 0;
    let sinceGc = 0;
    for await (const chunk of (0,external_node_fs_.createReadStream)(path, { highWaterMark: READ_BUFFER_BYTES })) {
        hash.update(chunk);
        bytes += chunk.length;
        // Each read is a fresh buffer outside the heap: collect the dead ones as we go, as a download does (young-gc.ts).
        sinceGc += chunk.length;
        if (sinceGc >= young_gc/* DOWNLOAD_GC_EVERY_BYTES */.w) {
            sinceGc = 0;
            (0,young_gc/* collectYoungGarbage */.u)();
        }
    }
    return { sha256: hash.digest('hex'), bytes };
}
/**
 * A fetch for Octokit that sends requests only to the API's origin and
 * follows redirects itself, only within that origin: a redirect elsewhere is
 * refused rather than followed (with or without the token).
 */
function apiOnlyFetch(apiOrigin, dispatcher) {
    const guarded = async (input, init = {}) => {
        let url = new URL(input instanceof URL ? input.href : typeof input === 'string' ? input : String(input.url));
        let method = typeof init.method === 'string' ? init.method : 'GET';
        let body = init.body;
        for (let hop = 0;; hop++) {
            if (url.origin !== apiOrigin) {
                throw new errors/* ReleaseError */.K2(`GitHub's API pointed the request at ${url.origin}, not at GITHUB_API_URL's origin (${apiOrigin}); the token is only sent there.`);
            }
            const response = await (0,undici.fetch)(url, { ...init, method, body: body, redirect: 'manual', dispatcher });
            const location = response.headers.get('location');
            if (!transport/* REDIRECT_STATUSES */.aq.has(response.status) || !location || hop >= MAX_API_REDIRECTS)
                return response;
            await response.body?.cancel();
            url = new URL(location, url);
            if (response.status === 303) {
                method = 'GET';
                body = undefined;
            }
        }
    };
    return guarded;
}
function header(value) {
    return Array.isArray(value) ? value[0] : value;
}
/**
 * One upload attempt: streams the file to the upload host and returns the
 * asset GitHub answers with (undecoded). Non-2xx answers and network failures
 * become ReleaseError with the status and whether trying again may help.
 * Redirects are not followed: the token goes to this URL's origin only.
 */
async function postAsset(options) {
    const { url, path, bytes, token, signal } = options;
    const onDisk = (await (0,promises_.stat)(path)).size;
    if (onDisk !== bytes)
        throw new errors/* ReleaseError */.K2(`${path} is ${onDisk} bytes, not the ${bytes} it was hashed at; it changed while being delivered.`);
    const counter = new ProgressCounter(bytes, options.log);
    const file = (0,external_node_fs_.createReadStream)(path, { highWaterMark: READ_BUFFER_BYTES });
    const body = file.pipe(counter);
    file.on('error', (error) => body.destroy(error));
    let response;
    try {
        response = await (0,undici.request)(url, {
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
                'user-agent': transport/* USER_AGENT */._O,
            },
        });
    }
    catch (error) {
        file.destroy();
        const network = (0,transport/* toNetworkError */.Ur)(error, `The upload (${counter.sent} of ${bytes} bytes sent)`, signal);
        if (network instanceof errors/* CancelledError */.cc)
            throw network;
        throw new errors/* ReleaseError */.K2(githubText(network.message), undefined, true);
    }
    const { statusCode, headers } = response;
    let text = '';
    try {
        text = await (0,transport/* readLimitedText */.gw)(response.body, 1024 * 1024);
    }
    catch (error) {
        if (statusCode >= 200 && statusCode < 300)
            throw new errors/* ReleaseError */.K2(`The upload host's answer could not be read: ${githubText(error.message)}`, statusCode, true);
    }
    if (statusCode >= 200 && statusCode < 300) {
        try {
            return JSON.parse(text);
        }
        catch {
            throw new errors/* ReleaseError */.K2(`The upload host answered HTTP ${statusCode} with a body that is not JSON.`, statusCode, true);
        }
    }
    if (transport/* REDIRECT_STATUSES */.aq.has(statusCode)) {
        const location = githubText(header(headers.location) ?? '(no Location)', 120);
        throw new errors/* ReleaseError */.K2(`The upload host redirected to ${location}; not followed, so the token goes nowhere but the release's own upload URL.`, statusCode);
    }
    let message = '';
    let code;
    try {
        const data = JSON.parse(text);
        message = githubText(data.message);
        code = typeof data.errors?.[0]?.code === 'string' ? data.errors[0].code : undefined;
    }
    catch {
        // not JSON: the status alone says it
    }
    const retryAfterMs = (0,transport/* parseRetryAfter */.mu)(headers['retry-after']);
    const rateLimited = statusCode === 429 || (statusCode === 403 && (retryAfterMs !== undefined || header(headers['x-ratelimit-remaining']) === '0'));
    const detail = [message, code].filter(Boolean).join(': ');
    throw new errors/* ReleaseError */.K2(`HTTP ${statusCode}${detail ? ` (${detail})` : ''}.`, statusCode, statusCode >= 500 || rateLimited, retryAfterMs, code);
}
/** Counts the bytes going out and logs progress now and then, so a long upload shows it is moving. */
class ProgressCounter extends external_node_stream_.Transform {
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
        if (this.sinceGc >= young_gc/* DOWNLOAD_GC_EVERY_BYTES */.w) {
            this.sinceGc = 0;
            (0,young_gc/* collectYoungGarbage */.u)();
        }
        if (Date.now() - this.last >= PROGRESS_EVERY_MS) {
            this.last = Date.now();
            this.log?.(`Uploaded ${Math.round((this.sent / this.total) * 100)}% (${this.sent} of ${this.total} bytes)…`);
        }
        done(null, chunk);
    }
}

// EXTERNAL MODULE: ./src/http/retry.ts
var retry = __webpack_require__(28902);
;// CONCATENATED MODULE: ./src/release/github-api.ts
/**
 * The JSON side of release delivery, through Octokit (`@actions/github`): the
 * client, retried calls, and GitHub's answers checked and decoded. Used by release.ts.
 */





/** A GitHub hiccup is retried a few times with backoff; each upload attempt resends the whole file. */
const RELEASE_RETRY = { maxAttempts: 4, baseMs: 2000, capMs: 30_000, retryAfterCapMs: 120_000, maxFormatErrors: 0 };
function createReleaseClient(options) {
    if (!options.token)
        throw new errors/* InputError */.dz("Input 'github-token' is empty; a release upload needs a token with `contents: write` (the default is `${{ github.token }}`).");
    const apiUrl = (options.apiUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
    const { owner, repo } = options.owner && options.repo ? { owner: options.owner, repo: options.repo } : repositoryFromContext();
    const warn = options.warn ?? (() => undefined);
    const octokit = (0,github/* getOctokit */.Q)(options.token, {
        baseUrl: apiUrl,
        request: { fetch: apiOnlyFetch(originOf(apiUrl), (0,transport/* getDispatcher */.wo)()), signal: options.signal },
        log: { debug: () => undefined, info: () => undefined, warn: (m) => warn(githubText(m)), error: () => undefined },
    });
    return {
        octokit,
        token: options.token,
        owner,
        repo,
        apiUrl,
        signal: options.signal,
        log: options.log ?? (() => undefined),
        warn,
        retry: options.retry ?? RELEASE_RETRY,
        random: options.random,
    };
}
function repositoryFromContext() {
    try {
        return github/* context */._.repo;
    }
    catch {
        throw new errors/* InputError */.dz('GITHUB_REPOSITORY is not set (expected owner/repo, as the runner sets it); the release cannot be found without it.');
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
    const raw = await callApi(client, `Listing the assets of release ${release.tag}`, () => octokit.paginate(octokit.rest.repos.listReleaseAssets, { owner, repo, release_id: release.id, per_page: 100 }));
    return raw.map(parseAsset);
}
/** Deletes an asset; one that is already gone counts as deleted. */
async function deleteAsset(client, id, name) {
    const { octokit, owner, repo } = client;
    try {
        await callApi(client, `Deleting ${name}`, () => octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: id }));
    }
    catch (error) {
        if (!(error instanceof errors/* ReleaseError */.K2) || error.status !== 404)
            throw error;
    }
}
async function removeQuietly(client, id, name) {
    await deleteAsset(client, id, name).catch((error) => client.warn(`Could not remove ${githubText(name, 120)} from the release: ${(0,errors/* errorText */.kc)(error)} Delete it by hand.`));
}
async function renameAsset(client, id, name) {
    const { octokit, owner, repo } = client;
    const response = await callApi(client, `Renaming the new upload to ${name}`, () => octokit.rest.repos.updateReleaseAsset({ owner, repo, asset_id: id, name }));
    return parseAsset(response.data);
}
/** Runs an Octokit call, retrying 5xx, 429, rate-limit 403s and network failures a few times; failures become ReleaseError. */
async function callApi(client, what, call) {
    for (let attempt = 1;; attempt++) {
        try {
            return await call();
        }
        catch (error) {
            const failure = fromOctokit(error, client, what);
            if (!(failure instanceof errors/* ReleaseError */.K2) || !failure.transient || attempt >= client.retry.maxAttempts)
                throw failure;
            const delay = (0,retry/* retryDelayMs */.qO)(attempt, client.retry, failure.retryAfterMs, client.random);
            client.log(`${failure.message} Retrying in ${(delay / 1000).toFixed(1)}s (attempt ${attempt + 1} of ${client.retry.maxAttempts}).`);
            await (0,transport/* sleep */.yy)(delay, client.signal);
        }
    }
}
function fromOctokit(error, client, what) {
    if (client.signal?.aborted)
        return new errors/* CancelledError */.cc(`${what} was cancelled.`, true);
    if (error instanceof errors/* ReleaseError */.K2 || error instanceof errors/* CancelledError */.cc)
        return error;
    const { status, cause, response } = (error ?? {});
    if (cause instanceof errors/* ReleaseError */.K2)
        return cause;
    if (typeof status !== 'number')
        return new errors/* ReleaseError */.K2(`${what} failed: ${githubText((0,errors/* errorText */.kc)(error))}`);
    if (!response)
        return new errors/* ReleaseError */.K2(`${what} failed (${githubText((0,errors/* errorText */.kc)(cause ?? error))}).`, undefined, true);
    const data = (response.data ?? {});
    const code = typeof data.errors?.[0]?.code === 'string' ? data.errors[0].code : undefined;
    const retryAfterMs = (0,transport/* parseRetryAfter */.mu)(response.headers?.['retry-after']);
    const rateLimited = status === 429 || (status === 403 && (retryAfterMs !== undefined || response.headers?.['x-ratelimit-remaining'] === '0'));
    const detail = [githubText(data.message), code].filter(Boolean).join(': ');
    return new errors/* ReleaseError */.K2(`${what} failed: HTTP ${status}${detail ? ` (${detail})` : ''}.`, status, status >= 500 || rateLimited, retryAfterMs, code);
}
function safeOrigin(url) {
    try {
        return originOf(url);
    }
    catch {
        return JSON.stringify(githubText(url, 80));
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
    throw new errors/* ReleaseError */.K2(`GitHub answered with a ${field} that is not an http(s) URL: ${JSON.stringify(githubText(value, 80))}.`);
}
function parseRelease(data, tag) {
    const release = (data ?? {});
    if (typeof release.id !== 'number' || typeof release.upload_url !== 'string')
        throw new errors/* ReleaseError */.K2(`GitHub's answer for release ${tag} has no id or upload_url.`);
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
        throw new errors/* ReleaseError */.K2('GitHub answered with an asset that has no id or name.');
    return {
        id: asset.id,
        name: asset.name,
        state: typeof asset.state === 'string' ? asset.state : 'uploaded',
        digest: typeof asset.digest === 'string' ? asset.digest : null,
        browserDownloadUrl: typeof asset.browser_download_url === 'string' ? asset.browser_download_url : '',
    };
}

;// CONCATENATED MODULE: ./src/release/assets.ts
/**
 * Delivery to a GitHub release: find the release by tag before anything is
 * paid for, then upload each result as an asset, skipping identical bytes and
 * replacing a different asset with the smallest gap. JSON calls go through
 * Octokit (`@actions/github`); the bytes are streamed by release-upload.ts.
 */








/**
 * The release with this tag, draft or published, checked before anything is
 * paid for: a missing tag, a refused token, a published immutable release and
 * an upload URL on a foreign host each throw a ReleaseError saying what to do.
 */
async function findRelease(client, tag) {
    if (!tag.trim())
        throw new errors/* InputError */.dz("Input 'release-tag' is empty; give the tag of a release in this repository.");
    const where = `${client.owner}/${client.repo}`;
    const { octokit, owner, repo } = client;
    let data;
    try {
        data = (await callApi(client, `Looking up release ${tag} in ${where}`, () => octokit.rest.repos.getReleaseByTag({ owner, repo, tag }))).data;
    }
    catch (error) {
        if (!(error instanceof errors/* ReleaseError */.K2) || error.status !== 404)
            throw lookupError(error, tag, where);
        // getReleaseByTag sees published releases only; drafts are in the list.
        try {
            data = await callApi(client, `Listing the releases of ${where}`, () => octokit.paginate(octokit.rest.repos.listReleases, { owner, repo, per_page: 100 }, (response, done) => {
                const match = response.data.find((release) => release.tag_name === tag);
                if (match)
                    done();
                return match ? [match] : [];
            })).then((found) => found[0]);
        }
        catch (listError) {
            throw lookupError(listError, tag, where);
        }
    }
    if (!data) {
        throw new errors/* ReleaseError */.K2(`No release of ${where} has the tag ${JSON.stringify(tag)}: create it first (e.g. \`gh release create ${tag} --draft\`) or fix \`release-tag\` (drafts are visible only to a token with \`contents: write\`).`, 404);
    }
    const release = parseRelease(data, tag);
    if (release.immutable && !release.draft) {
        throw new errors/* ReleaseError */.K2(`Release ${tag} of ${where} is published and immutable, so its assets can no longer change: upload to a draft release first, then publish it.`);
    }
    if (!isAllowedUploadUrl(client.apiUrl, release.uploadUrl)) {
        throw new errors/* ReleaseError */.K2(`Release ${tag}'s upload_url is on ${safeOrigin(release.uploadUrl)}, neither GITHUB_API_URL's host nor its uploads host; the token is not sent there.`);
    }
    return release;
}
function lookupError(error, tag, where) {
    if (!(error instanceof errors/* ReleaseError */.K2))
        return error;
    if (error.status === 401) {
        return new errors/* ReleaseError */.K2(`GitHub refused the token (HTTP 401) looking up release ${tag} of ${where}: set \`github-token\` to a valid token (the default is \`\${{ github.token }}\`).`, 401);
    }
    if (error.status === 403) {
        return new errors/* ReleaseError */.K2(`The token may not read the releases of ${where} (HTTP 403): give the job \`permissions: contents: write\`, or pass a token that has it in \`github-token\`.`, 403);
    }
    if (error.status === 404)
        return new errors/* ReleaseError */.K2(`Repository ${where} was not found or the token cannot see it (HTTP 404): check GITHUB_REPOSITORY and \`github-token\`.`, 404);
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
        throw new errors/* ReleaseError */.K2(`Refusing to upload an asset named ${JSON.stringify(file.name)}: not a plain file name.${resume}`);
    if (file.bytes >= MAX_ASSET_BYTES) {
        throw new errors/* ReleaseError */.K2(`${file.name} is ${file.bytes} bytes; GitHub release assets must be under 2 GiB (${MAX_ASSET_BYTES} bytes), so it is not uploaded. Task ${options.taskId} is complete: its result can still be downloaded with \`task-id: ${options.taskId}\`.`);
    }
    try {
        const delivered = await deliver(client, release, file);
        return { ...delivered, browserDownloadUrl: httpUrl(delivered.browserDownloadUrl, 'browser_download_url') };
    }
    catch (error) {
        if (error instanceof errors/* CancelledError */.cc)
            throw error;
        // A 422 other than already_exists: was the release published as immutable meanwhile?
        const immutable = error instanceof errors/* ReleaseError */.K2 && error.status === 422 && error.code !== 'already_exists' && (await isNowImmutable(client, release));
        const message = immutable
            ? `Release ${release.tag} was published as immutable meanwhile, so its assets can no longer change: upload to a draft release first, then publish it.`
            : error instanceof errors/* ReleaseError */.K2 && error.explained
                ? error.message
                : explain(error, file.name, release.tag);
        throw new errors/* ReleaseError */.K2(`${message}${resume}`, error instanceof errors/* ReleaseError */.K2 ? error.status : undefined, false, undefined, error instanceof errors/* ReleaseError */.K2 ? error.code : undefined);
    }
}
async function deliver(client, release, file) {
    const expected = `sha256:${file.sha256}`;
    const assets = await listAssets(client, release);
    // Left by an earlier run that stopped part-way: an unfinished upload under the name, or our temporary names.
    const stale = assets.filter((a) => isTemporaryFor(a.name, file.name) || (a.name === file.name && a.state !== 'uploaded'));
    const existing = assets.find((a) => a.name === file.name && a.state === 'uploaded');
    if (existing && existing.digest === expected) {
        // Nothing to write, so a read-only token still succeeds; leftovers are removed if the token may.
        for (const leftover of stale)
            await removeQuietly(client, leftover.id, leftover.name);
        client.log(`${file.name} is already in release ${release.tag} with the same SHA-256; not uploaded again.`);
        return { name: existing.name, browserDownloadUrl: existing.browserDownloadUrl, skipped: true, replaced: false };
    }
    for (const leftover of stale) {
        client.log(`Removing ${githubText(leftover.name, 120)} (state ${githubText(leftover.state, 20)}) from release ${release.tag}, left by an earlier upload that did not finish.`);
        await deleteAsset(client, leftover.id, leftover.name);
    }
    if (!existing) {
        const created = await uploadWithRetries(client, release, file, file.name);
        client.log(`Uploaded ${file.name} to release ${release.tag}.`);
        return { name: created.name, browserDownloadUrl: created.browserDownloadUrl, skipped: false, replaced: false };
    }
    const temporary = `${file.name}.partial-${(0,external_node_crypto_.randomBytes)(4).toString('hex')}`;
    const uploaded = await uploadWithRetries(client, release, file, temporary);
    try {
        await deleteAsset(client, existing.id, existing.name);
    }
    catch (error) {
        await removeQuietly(client, uploaded.id, uploaded.name);
        throw error;
    }
    // The name is missing from here until the rename lands.
    let renamed;
    try {
        renamed = await renameAsset(client, uploaded.id, file.name);
    }
    catch (error) {
        const stranded = new errors/* ReleaseError */.K2(`${explain(error, file.name, release.tag)} The old ${file.name} is deleted and the new file is in the release as ${githubText(uploaded.name, 120)}; rename it, or re-run.`, error instanceof errors/* ReleaseError */.K2 ? error.status : undefined);
        stranded.explained = true;
        throw stranded;
    }
    const was = existing.digest ? `SHA-256 ${existing.digest.slice('sha256:'.length, 'sha256:'.length + 12)}…` : 'no digest';
    client.log(`Replaced ${file.name} in release ${release.tag} (the old asset had ${githubText(was, 40)}).`);
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
    const url = expandUploadUrl(release.uploadUrl, { name: uploadName });
    if (!isAllowedUploadUrl(client.apiUrl, url))
        throw new errors/* ReleaseError */.K2(`The upload URL is on ${safeOrigin(url)}, not GitHub's; the token is not sent there.`);
    const temporary = uploadName !== file.name;
    for (let attempt = 1;; attempt++) {
        let failure;
        let createdId;
        try {
            const raw = await postAsset({
                url,
                path: file.path,
                bytes: file.bytes,
                token: client.token,
                dispatcher: (0,transport/* getDispatcher */.wo)(),
                signal: client.signal,
                log: client.log,
            });
            const asset = parseAsset(raw);
            if (asset.digest === null || asset.digest === expected)
                return asset;
            createdId = asset.id;
            failure = new errors/* ReleaseError */.K2(`GitHub computed ${githubText(asset.digest, 80)} for the uploaded ${uploadName}, not ${expected}.`, undefined, true);
        }
        catch (error) {
            failure = error;
        }
        if (failure instanceof errors/* CancelledError */.cc)
            throw failure;
        const transient = failure instanceof errors/* ReleaseError */.K2 && failure.transient;
        // What this attempt may have left: an unfinished asset, or a complete one whose answer was lost
        // (or, on a 422 already_exists, the very same bytes from another job: the name holds what it should).
        const leftovers = (await listAssets(client, release).catch(() => [])).filter((a) => a.name === uploadName);
        const done = leftovers.find((a) => a.state === 'uploaded' && a.digest === expected);
        if (done)
            return done;
        for (const leftover of leftovers) {
            if (temporary || leftover.state !== 'uploaded' || leftover.id === createdId)
                await removeQuietly(client, leftover.id, leftover.name);
        }
        if (!transient)
            throw failure;
        if (attempt >= client.retry.maxAttempts)
            // Still transient: a later run may succeed, and a rate-limit 403 is not a permission problem.
            throw new errors/* ReleaseError */.K2(`${(0,errors/* errorText */.kc)(failure)} Gave up after ${attempt} attempts.`, failure.status, true);
        const delay = (0,retry/* retryDelayMs */.qO)(attempt, client.retry, failure.retryAfterMs, client.random);
        client.log(`Uploading ${uploadName}: ${(0,errors/* errorText */.kc)(failure)} Retrying in ${(delay / 1000).toFixed(1)}s (attempt ${attempt + 1} of ${client.retry.maxAttempts}).`);
        await (0,transport/* sleep */.yy)(delay, client.signal);
    }
}
/** One line for a failed upload, delete or rename, by status: what happened and what to do. */
function explain(error, name, tag) {
    if (!(error instanceof errors/* ReleaseError */.K2))
        return `Uploading ${name} to release ${tag} failed: ${(0,errors/* errorText */.kc)(error)}`;
    if (error.status === 403 && !error.transient) {
        return `GitHub refused to change ${name} in release ${tag} (HTTP 403): the token can read but not write: give the job \`permissions: contents: write\`, or pass a token that has it in \`github-token\`.`;
    }
    if (error.status === 422 && error.code === 'already_exists') {
        return `${name} appeared in release ${tag} while this job was uploading it (HTTP 422 already_exists): another job is delivering to the same release and name; give each job its own names or run them one after another.`;
    }
    return `Uploading ${name} to release ${tag} failed: ${(0,errors/* errorText */.kc)(error)}`;
}


/***/ })

};
