export const id = 580;
export const ids = [580];
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


/***/ })

};
