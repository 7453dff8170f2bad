export const id = 401;
export const ids = [401,580];
export const modules = {

/***/ 77580:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ACTIONS_CACHE_TIMEOUT_MS: () => (/* binding */ ACTIONS_CACHE_TIMEOUT_MS),
  ActionsCacheStore: () => (/* binding */ ActionsCacheStore),
  SKIP_UNCHANGED_PURPOSE: () => (/* binding */ SKIP_UNCHANGED_PURPOSE)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./node_modules/@actions/cache/lib/cache.js + 102 modules
var cache = __webpack_require__(76998);
// EXTERNAL MODULE: ./src/shared/errors.ts
var errors = __webpack_require__(58382);
// EXTERNAL MODULE: ./src/skip-unchanged/fingerprint.ts
var fingerprint = __webpack_require__(61327);
// EXTERNAL MODULE: external "node:diagnostics_channel"
var external_node_diagnostics_channel_ = __webpack_require__(53053);
;// CONCATENATED MODULE: ./src/skip-unchanged/cache-service-answers.ts
/**
 * What the Actions cache service answered during one `@actions/cache` call,
 * for src/skip-unchanged/actions-cache-store.ts.
 */

const CREATE_ENTRY = /\.CacheService\/CreateCacheEntry$/;
let watching;
const watched = new WeakMap();
let subscribed = false;
function onRequestStart(message) {
    const request = message.request;
    if (!watching || !request)
        return;
    watched.set(request, { answers: watching, create: CREATE_ENTRY.test((request.path ?? '').split('?')[0]) });
}
function onResponse(message) {
    const { request, response } = message;
    const seen = request && watched.get(request);
    if (!seen || !response)
        return;
    const status = response.statusCode ?? 0;
    if (status >= 400)
        fail(seen);
    if (seen.create)
        seen.answers.create = { status, retryAfter: hasRetryAfter(response.headers?.['retry-after']) };
}
/** The library's rule: a Retry-After it can read as seconds gets its rate-limit warning. */
function hasRetryAfter(header) {
    return typeof header === 'string' && Number.isFinite(Number.parseInt(header, 10));
}
function fail(seen) {
    seen.answers.failed = true;
    if (!seen.create)
        seen.answers.otherFailed = true;
}
function onRequestError(message) {
    const request = message.request;
    const seen = request && watched.get(request);
    if (!seen)
        return;
    fail(seen);
    if (seen.create)
        seen.answers.create = { retryAfter: false };
}
/** Watches the library's HTTP requests until the returned function is called; it returns what was seen (also `answers`, live). */
function watchServiceAnswers() {
    if (!subscribed) {
        subscribed = true;
        (0,external_node_diagnostics_channel_.subscribe)('http.client.request.start', onRequestStart);
        (0,external_node_diagnostics_channel_.subscribe)('http.client.response.finish', onResponse);
        (0,external_node_diagnostics_channel_.subscribe)('http.client.request.error', onRequestError);
    }
    const answers = { failed: false, otherFailed: false };
    watching = answers;
    const stop = () => {
        if (watching === answers)
            watching = undefined;
        return answers;
    };
    return Object.assign(stop, { answers });
}
/**
 * Whether @actions/cache printed a warning of its own for a save that
 * returned -1 and was not an existing key. It warns for every failure except
 * a CreateCacheEntry the service refused at the HTTP level (it logs those as
 * info: "another job may be creating this cache"); of those, only a 429 with
 * Retry-After gets its rate-limit warning.
 */
function libraryWarnedOfSave(answers) {
    const create = answers.create;
    if (!create || answers.otherFailed)
        return true;
    if (create.status !== undefined && create.status < 300)
        return true;
    return create.status === 429 && create.retryAfter;
}

// EXTERNAL MODULE: ./src/skip-unchanged/record.ts
var skip_unchanged_record = __webpack_require__(99450);
;// CONCATENATED MODULE: ./src/skip-unchanged/actions-cache-store.ts
/**
 * The run's one Actions cache (`@actions/cache`) store of small JSON records,
 * looked up by exact key only, never the video (the repository's 10 GB quota
 * would evict everything else). Two features keep records in it:
 * `skip-unchanged` (a completed task per source fingerprint; GitHub scopes the
 * cache by branch, which is why it is the store such records are believed
 * from) and re-runs (src/rerun/: the task each clip submitted, so a re-run of
 * the job resumes it). They share one store, so cache trouble warns once.
 *
 * It may never fail the run or hold it up for more than a few seconds: every
 * call is raced against `timeoutMs`, the first trouble warns once (a warning
 * the library printed itself counts, told from the service's answers, never
 * by patching stdout) and turns the store off for the rest of the run.
 */







const ACTIONS_CACHE_TIMEOUT_MS = 5_000;
const SKIP_UNCHANGED_PURPOSE = {
    label: 'skip-unchanged',
    readsOff: 'nothing is reused or remembered this run',
    writesOff: "this run's results are not remembered for later runs",
    lost: 'a later run will not reuse it',
};
const TIMED_OUT = Symbol('timed out');
/** The store was turned off while the call waited its turn: it was not made. */
const OFF = Symbol('store off');
class ActionsCacheStore {
    log;
    timeoutMs;
    /** Set once the Actions cache failed to answer or refused: no more calls this run. */
    actionsReadOff = false;
    actionsWriteOff = false;
    warnedActions = false;
    abandonedCalls = 0;
    /** Calls run one at a time: they share the record directory, and the service's answers are told apart by call. */
    queue = Promise.resolve();
    constructor(log, timeoutMs = ACTIONS_CACHE_TIMEOUT_MS) {
        this.log = log;
        this.timeoutMs = timeoutMs;
    }
    /** True when a call was abandoned at its time limit and may still hold a socket open. */
    get abandoned() {
        return this.abandonedCalls > 0;
    }
    /** Whether the Actions cache can be used for reads or writes; warns once when it cannot. */
    actionsReady(write, purpose) {
        if (this.actionsReadOff || (write && this.actionsWriteOff))
            return false;
        let reason;
        const mode = (process.env.ACTIONS_CACHE_MODE ?? '').trim().toLowerCase();
        if (!cache/* isFeatureAvailable */.w3() || !process.env.ACTIONS_RUNTIME_TOKEN) {
            reason = 'the Actions cache service is not available on this runner (as on GitHub Enterprise Server without it, or outside GitHub Actions)';
            this.actionsReadOff = true;
        }
        else if (mode === 'none') {
            reason = 'the Actions cache is turned off for this run (ACTIONS_CACHE_MODE=none)';
            this.actionsReadOff = true;
        }
        else if (write && mode === 'read') {
            reason = 'the Actions cache is read-only for this run (ACTIONS_CACHE_MODE=read, as for untrusted triggers)';
            this.actionsWriteOff = true;
        }
        if (reason === undefined)
            return true;
        // The tool cache is no substitute: every job on the runner can write it, so it is never asked which task to reuse.
        this.warnActions(`${purpose.label}: ${reason}; ${this.actionsReadOff ? purpose.readsOff : purpose.writesOff}.`);
        return false;
    }
    warnActions(message) {
        if (this.warnedActions)
            return;
        this.warnedActions = true;
        this.log.warning(message);
    }
    /**
     * Runs one Actions cache call, one at a time, for at most `timeoutMs` from
     * its turn. Returns TIMED_OUT past it (the call is left to finish or hang on
     * its own), OFF when the store was turned off while it waited, and what the
     * cache service answered meanwhile.
     */
    async call(write, work) {
        const run = async () => {
            if (this.actionsReadOff || (write && this.actionsWriteOff))
                return { value: OFF, answers: { failed: false, otherFailed: false } };
            const stopWatch = watchServiceAnswers();
            let timer;
            const pending = work(stopWatch.answers);
            try {
                const value = await Promise.race([
                    pending,
                    new Promise((resolve) => {
                        timer = setTimeout(() => resolve(TIMED_OUT), this.timeoutMs);
                    }),
                ]);
                if (value === TIMED_OUT) {
                    this.abandonedCalls++;
                    pending.catch(() => undefined);
                }
                return { value, answers: stopWatch() };
            }
            finally {
                clearTimeout(timer);
                stopWatch();
            }
        };
        const result = this.queue.then(run, run);
        this.queue = result.catch(() => undefined);
        return result;
    }
    timedOut(what, key, purpose) {
        this.actionsReadOff = true;
        this.actionsWriteOff = true;
        this.warnActions(`${purpose.label}: the Actions cache did not answer within ${Math.round(this.timeoutMs / 1000)} s while ${what} ${key}; going on without it for the rest of this run.`);
    }
    /**
     * The record saved under exactly `key` (or under a key `matches` accepts),
     * as `read` takes it from the restored file (inside the call's time limit),
     * or undefined: a miss, a record `read` refuses, or cache trouble (warned
     * once, and the store is off).
     */
    async restore(key, purpose, read, matches = (matchedKey) => (0,skip_unchanged_record/* isExactKey */.P4)(matchedKey, key)) {
        if (!this.actionsReady(false, purpose))
            return undefined;
        const relative = (0,skip_unchanged_record/* actionsCachePath */.fN)(key);
        const local = (0,external_node_path_.resolve)(relative);
        let outcome;
        try {
            outcome = await this.call(false, async () => {
                // Cleaned up inside the call, while it still has its turn: the next call may be about to write in the same directory.
                try {
                    await (0,promises_.rm)(local, { force: true });
                    const matchedKey = await cache/* restoreCache */.P3([relative], key, [], { timeoutInMs: this.timeoutMs });
                    return { matchedKey, record: matches(matchedKey) ? await read(local) : undefined };
                }
                finally {
                    await removeRecordFile(local);
                }
            });
        }
        catch (error) {
            // Only a malformed key or path throws; the key is ours, so this is a bug worth seeing, not a reason to stop.
            this.actionsReadOff = true;
            this.warnActions(`${purpose.label}: the Actions cache lookup failed (${(0,errors/* errorClause */.Y7)(error)}); going on without it.`);
            return undefined;
        }
        if (outcome.value === OFF)
            return undefined;
        if (outcome.value === TIMED_OUT) {
            this.timedOut('looking up', key, purpose);
            await removeRecordFile(local); // the abandoned call may never get to it; the store is off, so no call follows
            return undefined;
        }
        const { matchedKey, record } = outcome.value;
        if (outcome.answers.failed && matchedKey === undefined) {
            // A failed restore, not a miss: the library has warned of it itself; a service that failed once is not asked again this run.
            this.warnedActions = true;
            this.actionsReadOff = true;
            return undefined;
        }
        if (!matches(matchedKey) && matchedKey !== undefined) {
            this.log.info(`${purpose.label}: the Actions cache matched another key (${matchedKey.slice(0, 200)}); ignored.`);
        }
        return record;
    }
    /**
     * Saves `text` under `key` (immutable: an existing key is 'exists'), at the
     * path of `pathKey` (records found by a shared key prefix share its path);
     * `what` names the record in warnings.
     */
    async saveText(key, text, purpose, what, pathKey = key) {
        if (!this.actionsReady(true, purpose))
            return 'unavailable';
        const relative = (0,skip_unchanged_record/* actionsCachePath */.fN)(pathKey);
        const local = (0,external_node_path_.resolve)(relative);
        try {
            const saved = await this.call(true, async (answers) => {
                try {
                    await (0,promises_.mkdir)((0,external_node_path_.resolve)(skip_unchanged_record/* RECORD_DIR */.Oi), { recursive: true });
                    await (0,promises_.writeFile)(local, text);
                    const id = await cache/* saveCache */.Io([relative], key);
                    if (id !== -1)
                        return 'saved';
                    // The service did not answer at all: asking it whether the key exists would only fail (and warn) again.
                    if (answers.create && answers.create.status === undefined)
                        return 'failed';
                    // -1 is both "the key exists" (entries are immutable: fine) and a refusal the library may only have logged as info.
                    const existing = await cache/* restoreCache */.P3([relative], key, [], { lookupOnly: true });
                    return (0,skip_unchanged_record/* isExactKey */.P4)(existing, key) ? 'exists' : 'failed';
                }
                finally {
                    // Inside the call (see restore): a cleanup after our turn could remove the directory the next save just made.
                    await removeRecordFile(local);
                }
            });
            if (saved.value === OFF)
                return 'unavailable';
            if (saved.value === TIMED_OUT) {
                this.timedOut('saving', key, purpose);
                await removeRecordFile(local); // as in restore
                return 'timed-out';
            }
            if (saved.value === 'failed') {
                this.actionsWriteOff = true;
                if (libraryWarnedOfSave(saved.answers))
                    this.warnedActions = true;
                else
                    this.warnActions(`${purpose.label}: the Actions cache did not take ${what} (${key}); ${purpose.lost}.`);
            }
            return saved.value;
        }
        catch (error) {
            this.actionsWriteOff = true;
            this.warnActions(`${purpose.label}: ${what} could not be saved to the Actions cache (${(0,errors/* errorClause */.Y7)(error)}).`);
            return 'failed';
        }
    }
    /**
     * skip-unchanged: the record saved under `key`; with `match: 'prefix'`, the
     * newest saved under keys that start with it (a source's records: sourceKeyPrefix).
     */
    async lookup(key, fingerprint, match = 'exact') {
        const matches = (matchedKey) => match === 'exact' ? (0,skip_unchanged_record/* isExactKey */.P4)(matchedKey, key) : matchedKey !== undefined && matchedKey.toLowerCase().startsWith(key.toLowerCase());
        const where = `the Actions cache record for ${key}`;
        const read = async (local) => {
            try {
                return await (0,skip_unchanged_record/* readRecordFile */.m7)(local, (0,external_node_path_.resolve)(skip_unchanged_record/* RECORD_DIR */.Oi), fingerprint, where, this.log);
            }
            catch (error) {
                this.log.info(`skip-unchanged: ${where} could not be read (${(0,errors/* errorClause */.Y7)(error)}); ignored.`);
                return undefined;
            }
        };
        return this.restore(key, SKIP_UNCHANGED_PURPOSE, read, matches);
    }
    /** skip-unchanged: saves `record` under `key` (default: its fingerprint's), at the path of `pathKey` (a source's records share their prefix's). */
    async save(record, key = (0,fingerprint/* fingerprintKey */.SV)(record), pathKey = key) {
        return this.saveText(key, JSON.stringify(record), SKIP_UNCHANGED_PURPOSE, `the record of task ${record.taskId}`, pathKey);
    }
}
/** Removes a record file and, when it is empty, its directory, so the workspace is left as it was. */
async function removeRecordFile(path) {
    await (0,promises_.rm)(path, { force: true }).catch(() => undefined);
    await (0,promises_.rmdir)((0,external_node_path_.resolve)(skip_unchanged_record/* RECORD_DIR */.Oi)).catch(() => undefined);
}


/***/ }),

/***/ 87401:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   ResultCache: () => (/* binding */ ResultCache)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(48161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _actions_tool_cache__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(59805);
/* harmony import */ var _shared_errors__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(58382);
/* harmony import */ var _fingerprint__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(61327);
/* harmony import */ var _actions_cache_store__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(77580);
/* harmony import */ var _delivery_file_hash__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(27957);
/* harmony import */ var _record__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(99450);
/**
 * Records of completed tasks for `skip-unchanged`, and where they are trusted
 * from:
 *
 * - the Actions cache (src/skip-unchanged/actions-cache-store.ts) holds the
 *   record: which task a fingerprint maps to, and the SHA-256 of each result
 *   file as that run downloaded it. GitHub scopes it by branch, so it is the
 *   only store a record is believed from;
 * - the runner's tool cache (`@actions/tool-cache`, under RUNNER_TOOL_CACHE)
 *   holds the downloaded result files on self-hosted runners. Every job on the
 *   runner can write there, so it is never asked which task to reuse, and a
 *   file from it is used only when its bytes match the Actions cache record.
 *
 * Neither store may fail the run: trouble warns once, through the `log` the
 * caller passes, and turns that store off.
 */









class ResultCache {
    keepResultFiles;
    log;
    actions;
    toolCacheOff = false;
    warnedToolCache = false;
    constructor(options) {
        this.keepResultFiles = options.keepResultFiles ?? process.env.RUNNER_ENVIRONMENT !== 'github-hosted';
        this.log = options.log;
        this.actions = options.actions ?? new _actions_cache_store__WEBPACK_IMPORTED_MODULE_6__.ActionsCacheStore(options.log, options.timeoutMs);
    }
    /**
     * True when an Actions cache call was abandoned at its time limit and may
     * still hold a socket open: the step should end with process.exit() once
     * its outputs are written, or it waits for that call.
     */
    get abandoned() {
        return this.actions.abandoned;
    }
    /**
     * The record of an earlier completed task with this fingerprint, from the
     * Actions cache; with it, where the tool cache may hold its result files
     * (checked against the record's digests when they are copied).
     */
    async lookup(fingerprint) {
        const key = (0,_fingerprint__WEBPACK_IMPORTED_MODULE_5__/* .fingerprintKey */ .SV)(fingerprint);
        const record = await this.actions.lookup(key, fingerprint);
        if (!record)
            return undefined;
        return { record, files: this.toolCacheFiles(key, record) };
    }
    /**
     * The newest record kept for this source URL (saved with the host's strong
     * ETag), from the Actions cache. It says which bytes the URL held then; only
     * the host's 304 to that ETag proves it still does.
     */
    async lookupSource(url, expected) {
        const record = await this.actions.lookup((0,_fingerprint__WEBPACK_IMPORTED_MODULE_5__/* .sourceKeyPrefix */ .ZT)(url, expected.model, expected.upscaleFactor), expected, 'prefix');
        if (!record)
            return undefined;
        return { record, files: this.toolCacheFiles((0,_fingerprint__WEBPACK_IMPORTED_MODULE_5__/* .fingerprintKey */ .SV)(record), record) };
    }
    /**
     * Saves a record under its source URL too (the record must hold a strong
     * ETag): as a new entry, so the newest one under the URL is always this
     * one. Used when a reused task's source came with an ETag the URL's last
     * record did not have.
     */
    async saveSource(record, url) {
        const problem = this.unsaveable(record);
        if (problem || !record.sourceEtag) {
            this.log.warning(`skip-unchanged: the record of task ${record.taskId} was not saved for its URL: ${problem ?? 'it holds no ETag'}.`);
            return 'failed';
        }
        const prefix = (0,_fingerprint__WEBPACK_IMPORTED_MODULE_5__/* .sourceKeyPrefix */ .ZT)(url, record.model, record.upscaleFactor);
        return this.actions.save(record, (0,_fingerprint__WEBPACK_IMPORTED_MODULE_5__/* .sourceRecordKey */ .YF)(prefix), prefix);
    }
    /** Why a record must not be saved: it would not pass the check every lookup makes, or is too large. */
    unsaveable(record) {
        const text = JSON.stringify(record);
        const checked = (0,_record__WEBPACK_IMPORTED_MODULE_8__/* .parseRecord */ .Hh)(text, record);
        return 'problem' in checked ? checked.problem : Buffer.byteLength(text) > _record__WEBPACK_IMPORTED_MODULE_8__/* .MAX_RECORD_BYTES */ .xR ? 'it is too large' : undefined;
    }
    /**
     * Saves a completed task's record; `resultFiles[i]` is the file this run
     * downloaded of `record.videoUrls[i]`. Their digests go into the Actions
     * cache record, the files themselves into the tool cache. With `sourceUrl`
     * and a strong ETag in the record, it is also saved under that URL, for a
     * later run to revalidate before reading any source byte.
     */
    async save(record, resultFiles = [], sourceUrl) {
        let facts;
        try {
            facts = await resultFileFacts(record, resultFiles);
        }
        catch (error) {
            this.log.warning(`skip-unchanged: the record of task ${record.taskId} was not saved: its result files could not be read (${(0,_shared_errors__WEBPACK_IMPORTED_MODULE_4__/* .errorClause */ .Y7)(error)}).`);
            return { toolCache: 'failed', actionsCache: 'failed' };
        }
        const full = facts.length > 0 ? { ...record, resultFiles: facts } : record;
        // What is saved must pass the check every lookup makes, or it would only be refused later.
        const problem = this.unsaveable(full);
        if (problem) {
            this.log.warning(`skip-unchanged: the record of task ${record.taskId} was not saved: ${problem}.`);
            return { toolCache: 'failed', actionsCache: 'failed' };
        }
        const toolCacheOutcome = await this.saveToToolCache(full, resultFiles);
        const actionsCacheOutcome = await this.actions.save(full);
        if (!sourceUrl || !full.sourceEtag || (actionsCacheOutcome !== 'saved' && actionsCacheOutcome !== 'exists')) {
            return { toolCache: toolCacheOutcome, actionsCache: actionsCacheOutcome };
        }
        const prefix = (0,_fingerprint__WEBPACK_IMPORTED_MODULE_5__/* .sourceKeyPrefix */ .ZT)(sourceUrl, full.model, full.upscaleFactor);
        const sourceOutcome = await this.actions.save(full, (0,_fingerprint__WEBPACK_IMPORTED_MODULE_5__/* .sourceRecordKey */ .YF)(prefix), prefix);
        return { toolCache: toolCacheOutcome, actionsCache: actionsCacheOutcome, sourceRecord: sourceOutcome };
    }
    toolCacheReady() {
        if (this.toolCacheOff)
            return false;
        if (!process.env.RUNNER_TOOL_CACHE) {
            this.toolCacheOff = true;
            this.log.debug('skip-unchanged: RUNNER_TOOL_CACHE is not set, so result files are not kept on this runner.');
            return false;
        }
        return true;
    }
    toolCacheTrouble(what, error) {
        this.toolCacheOff = true;
        if (this.warnedToolCache)
            return;
        this.warnedToolCache = true;
        this.log.warning(`skip-unchanged: the runner's tool cache could not be ${what} (${(0,_shared_errors__WEBPACK_IMPORTED_MODULE_4__/* .errorClause */ .Y7)(error)}); going on without it.`);
    }
    /** Where the tool cache would hold the record's result files; nothing is read here. */
    toolCacheFiles(key, record) {
        if (!record.resultFiles?.length || !this.toolCacheReady())
            return [];
        try {
            const dir = _actions_tool_cache__WEBPACK_IMPORTED_MODULE_3__/* .find */ .I6(_record__WEBPACK_IMPORTED_MODULE_8__/* .TOOL_NAME */ .lH, (0,_record__WEBPACK_IMPORTED_MODULE_8__/* .toolCacheVersion */ .tI)(key));
            if (!dir)
                return [];
            const root = process.env.RUNNER_TOOL_CACHE;
            return record.resultFiles.map((facts) => ({ ...facts, path: (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, (0,_record__WEBPACK_IMPORTED_MODULE_8__/* .resultFileName */ .tK)(facts.index)), root }));
        }
        catch (error) {
            this.toolCacheTrouble('read', error);
            return [];
        }
    }
    async saveToToolCache(record, resultFiles) {
        const kept = this.keepResultFiles ? [...resultFiles.entries()].filter(([index, file]) => file && index < record.videoUrls.length) : [];
        if (kept.length === 0)
            return 'skipped';
        if (!this.toolCacheReady())
            return 'unavailable';
        const key = (0,_fingerprint__WEBPACK_IMPORTED_MODULE_5__/* .fingerprintKey */ .SV)(record);
        let staging;
        try {
            staging = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.mkdtemp)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(process.env.RUNNER_TEMP || (0,node_os__WEBPACK_IMPORTED_MODULE_1__.tmpdir)(), 'reapi-result-'));
            for (const [index, file] of kept) {
                const target = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(staging, (0,_record__WEBPACK_IMPORTED_MODULE_8__/* .resultFileName */ .tK)(index));
                // A hard link costs nothing; cacheDir then makes the one real copy.
                await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.link)(file, target).catch(() => (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.copyFile)(file, target));
            }
            await _actions_tool_cache__WEBPACK_IMPORTED_MODULE_3__/* .cacheDir */ .e8(staging, _record__WEBPACK_IMPORTED_MODULE_8__/* .TOOL_NAME */ .lH, (0,_record__WEBPACK_IMPORTED_MODULE_8__/* .toolCacheVersion */ .tI)(key));
            return 'saved';
        }
        catch (error) {
            this.toolCacheTrouble('written', error);
            return 'failed';
        }
        finally {
            if (staging)
                await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rm)(staging, { recursive: true, force: true });
        }
    }
}
/** The SHA-256 and size of each file this run downloaded, by index in the record's videoUrls. */
async function resultFileFacts(record, resultFiles) {
    const facts = [];
    for (const [index, file] of resultFiles.entries()) {
        if (file && index < record.videoUrls.length)
            facts.push({ index, ...(await (0,_delivery_file_hash__WEBPACK_IMPORTED_MODULE_7__/* .hashFile */ .D)(file)) });
    }
    return facts;
}


/***/ })

};
