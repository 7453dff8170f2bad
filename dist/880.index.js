export const id = 880;
export const ids = [880];
export const modules = {

/***/ 97880:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ResultCache: () => (/* binding */ ResultCache)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./node_modules/@actions/tool-cache/lib/tool-cache.js + 2 modules
var tool_cache = __webpack_require__(59805);
// EXTERNAL MODULE: ./src/shared/errors.ts
var errors = __webpack_require__(58382);
// EXTERNAL MODULE: ./src/skip-unchanged/fingerprint.ts
var skip_unchanged_fingerprint = __webpack_require__(61327);
// EXTERNAL MODULE: ./node_modules/@actions/cache/lib/cache.js + 120 modules
var cache = __webpack_require__(89956);
// EXTERNAL MODULE: ./src/skip-unchanged/record.ts
var skip_unchanged_record = __webpack_require__(99450);
;// CONCATENATED MODULE: ./src/skip-unchanged/actions-cache-store.ts
/**
 * The Actions cache (`@actions/cache`) as a store of `skip-unchanged`
 * records: a small JSON record per fingerprint (the task, and the digests of
 * its result files), never the video (the repository's 10 GB quota would
 * evict everything else), looked up by exact key only. GitHub scopes it by
 * branch, which is why it is the store records are believed from.
 *
 * It may never fail the run or hold it up for more than a few seconds: every
 * call is raced against `timeoutMs`, the first trouble warns once (a warning
 * the library printed itself counts) and turns the store off for the rest of
 * the run.
 */






const ACTIONS_CACHE_TIMEOUT_MS = 5_000;
/**
 * The warnings @actions/cache prints itself (through @actions/core, on
 * stdout): `Failed to save/restore: …`, a refused reservation or finalize, the
 * rate-limit notice. Only these count: the run's own warnings go to the same
 * stdout, and another clip may print one while a cache call is under way.
 */
const LIBRARY_WARNING = /^::(warning|error)[^:]*::(Failed to (save|restore):|Cache reservation failed:|Unable to (reserve|finalize)|You've hit a rate limit|uploadCacheArchiveSDK:)/m;
/** Whether a piece of stdout holds a warning @actions/cache printed itself. */
function isLibraryWarning(text) {
    return LIBRARY_WARNING.test(text);
}
/**
 * Counts the warnings @actions/cache prints while one of our calls runs, so
 * that a failure the library already reported is not reported twice.
 */
let watchers = 0;
let linesSeen = 0;
let originalWrite;
function watchLibraryWarnings() {
    if (watchers++ === 0) {
        // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the stream as `this`
        const original = process.stdout.write;
        originalWrite = original;
        process.stdout.write = function (chunk, ...rest) {
            if (isLibraryWarning(typeof chunk === 'string' ? chunk : String(chunk)))
                linesSeen++;
            return original.call(this, chunk, ...rest);
        };
    }
    const start = linesSeen;
    let stopped = false;
    return () => {
        if (!stopped) {
            stopped = true;
            if (--watchers === 0 && originalWrite)
                process.stdout.write = originalWrite;
        }
        return linesSeen - start;
    };
}
const TIMED_OUT = Symbol('timed out');
class ActionsCacheStore {
    log;
    timeoutMs;
    /** Set once the Actions cache failed to answer or refused: no more calls this run. */
    actionsReadOff = false;
    actionsWriteOff = false;
    warnedActions = false;
    abandonedCalls = 0;
    /** Calls run one at a time: they share the record directory and the library's output. */
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
    actionsReady(write) {
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
        const effect = this.actionsReadOff ? 'nothing is reused or remembered this run' : "this run's results are not remembered for later runs";
        this.warnActions(`skip-unchanged: ${reason}; ${effect}.`);
        return false;
    }
    warnActions(message) {
        if (this.warnedActions)
            return;
        this.warnedActions = true;
        this.log.warning(message);
    }
    /**
     * Runs one Actions cache call, one at a time, for at most `timeoutMs`.
     * Returns TIMED_OUT past it (the call is left to finish or hang on its own)
     * and how many warnings the library printed meanwhile.
     */
    async call(work) {
        const run = async () => {
            const stopWatch = watchLibraryWarnings();
            let timer;
            const pending = work();
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
                return { value, libraryWarnings: stopWatch() };
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
    timedOut(what, key) {
        this.actionsReadOff = true;
        this.actionsWriteOff = true;
        this.warnActions(`skip-unchanged: the Actions cache did not answer within ${Math.round(this.timeoutMs / 1000)} s while ${what} ${key}; going on without it for the rest of this run.`);
    }
    async lookup(key, fingerprint) {
        if (!this.actionsReady(false))
            return undefined;
        const relative = (0,skip_unchanged_record/* actionsCachePath */.fN)(key);
        const local = (0,external_node_path_.resolve)(relative);
        const where = `the Actions cache record for ${key}`;
        let outcome;
        try {
            // The restored file is read inside the call, so its time limit covers it too.
            outcome = await this.call(async () => {
                await (0,promises_.rm)(local, { force: true });
                const matchedKey = await cache/* restoreCache */.P3([relative], key, [], { timeoutInMs: this.timeoutMs });
                if (!(0,skip_unchanged_record/* isExactKey */.P4)(matchedKey, key))
                    return { matchedKey };
                try {
                    return { matchedKey, record: await (0,skip_unchanged_record/* readRecordFile */.m7)(local, (0,external_node_path_.resolve)(skip_unchanged_record/* RECORD_DIR */.Oi), fingerprint, where, this.log) };
                }
                catch (error) {
                    this.log.info(`skip-unchanged: ${where} could not be read (${(0,errors/* errorClause */.Y7)(error)}); ignored.`);
                    return { matchedKey };
                }
            });
        }
        catch (error) {
            // Only a malformed key or path throws; the key is ours, so this is a bug worth seeing, not a reason to stop.
            this.actionsReadOff = true;
            this.warnActions(`skip-unchanged: the Actions cache lookup failed (${(0,errors/* errorClause */.Y7)(error)}); going on without it.`);
            await removeRecordFile(local);
            return undefined;
        }
        try {
            if (outcome.value === TIMED_OUT) {
                this.timedOut('looking up', key);
                return undefined;
            }
            if (outcome.libraryWarnings > 0) {
                // The library has said what went wrong; a service that failed once is not asked again this run.
                this.warnedActions = true;
                this.actionsReadOff = true;
                return undefined;
            }
            const { matchedKey, record } = outcome.value;
            if (!(0,skip_unchanged_record/* isExactKey */.P4)(matchedKey, key) && matchedKey !== undefined) {
                this.log.info(`skip-unchanged: the Actions cache matched another key (${matchedKey.slice(0, 200)}); ignored.`);
            }
            return record;
        }
        finally {
            await removeRecordFile(local);
        }
    }
    async save(record) {
        if (!this.actionsReady(true))
            return 'unavailable';
        const key = (0,skip_unchanged_fingerprint/* fingerprintKey */.SV)(record);
        const relative = (0,skip_unchanged_record/* actionsCachePath */.fN)(key);
        const local = (0,external_node_path_.resolve)(relative);
        try {
            const saved = await this.call(async () => {
                await (0,promises_.mkdir)((0,external_node_path_.resolve)(skip_unchanged_record/* RECORD_DIR */.Oi), { recursive: true });
                await (0,promises_.writeFile)(local, JSON.stringify(record));
                const id = await cache/* saveCache */.Io([relative], key);
                if (id !== -1)
                    return 'saved';
                // -1 is both "the key exists" (entries are immutable: fine) and a refusal the library may only have logged as info.
                const existing = await cache/* restoreCache */.P3([relative], key, [], { lookupOnly: true });
                return (0,skip_unchanged_record/* isExactKey */.P4)(existing, key) ? 'exists' : 'failed';
            });
            if (saved.value === TIMED_OUT) {
                this.timedOut('saving', key);
                return 'timed-out';
            }
            if (saved.value === 'failed') {
                this.actionsWriteOff = true;
                if (saved.libraryWarnings > 0)
                    this.warnedActions = true;
                else
                    this.warnActions(`skip-unchanged: the Actions cache did not take the record of task ${record.taskId} (${key}); a later run will not reuse it.`);
            }
            return saved.value;
        }
        catch (error) {
            this.actionsWriteOff = true;
            this.warnActions(`skip-unchanged: the record of task ${record.taskId} could not be saved to the Actions cache (${(0,errors/* errorClause */.Y7)(error)}).`);
            return 'failed';
        }
        finally {
            await removeRecordFile(local);
        }
    }
}
/** Removes a record file and, when it is empty, its directory, so the workspace is left as it was. */
async function removeRecordFile(path) {
    await (0,promises_.rm)(path, { force: true }).catch(() => undefined);
    await (0,promises_.rmdir)((0,external_node_path_.resolve)(skip_unchanged_record/* RECORD_DIR */.Oi)).catch(() => undefined);
}

// EXTERNAL MODULE: ./src/delivery/file-hash.ts
var file_hash = __webpack_require__(27957);
;// CONCATENATED MODULE: ./src/skip-unchanged/record-stores.ts
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
        this.actions = new ActionsCacheStore(options.log, options.timeoutMs);
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
        const key = (0,skip_unchanged_fingerprint/* fingerprintKey */.SV)(fingerprint);
        const record = await this.actions.lookup(key, fingerprint);
        if (!record)
            return undefined;
        return { record, files: this.toolCacheFiles(key, record) };
    }
    /**
     * Saves a completed task's record; `resultFiles[i]` is the file this run
     * downloaded of `record.videoUrls[i]`. Their digests go into the Actions
     * cache record, the files themselves into the tool cache.
     */
    async save(record, resultFiles = []) {
        let facts;
        try {
            facts = await resultFileFacts(record, resultFiles);
        }
        catch (error) {
            this.log.warning(`skip-unchanged: the record of task ${record.taskId} was not saved: its result files could not be read (${(0,errors/* errorClause */.Y7)(error)}).`);
            return { toolCache: 'failed', actionsCache: 'failed' };
        }
        const full = facts.length > 0 ? { ...record, resultFiles: facts } : record;
        // What is saved must pass the check every lookup makes, or it would only be refused later.
        const text = JSON.stringify(full);
        const checked = (0,skip_unchanged_record/* parseRecord */.Hh)(text, record);
        const problem = 'problem' in checked ? checked.problem : Buffer.byteLength(text) > skip_unchanged_record/* MAX_RECORD_BYTES */.xR ? 'it is too large' : undefined;
        if (problem) {
            this.log.warning(`skip-unchanged: the record of task ${record.taskId} was not saved: ${problem}.`);
            return { toolCache: 'failed', actionsCache: 'failed' };
        }
        const toolCacheOutcome = await this.saveToToolCache(full, resultFiles);
        const actionsCacheOutcome = await this.actions.save(full);
        return { toolCache: toolCacheOutcome, actionsCache: actionsCacheOutcome };
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
        this.log.warning(`skip-unchanged: the runner's tool cache could not be ${what} (${(0,errors/* errorClause */.Y7)(error)}); going on without it.`);
    }
    /** Where the tool cache would hold the record's result files; nothing is read here. */
    toolCacheFiles(key, record) {
        if (!record.resultFiles?.length || !this.toolCacheReady())
            return [];
        try {
            const dir = tool_cache/* find */.I6(skip_unchanged_record/* TOOL_NAME */.lH, (0,skip_unchanged_record/* toolCacheVersion */.tI)(key));
            if (!dir)
                return [];
            const root = process.env.RUNNER_TOOL_CACHE;
            return record.resultFiles.map((facts) => ({ ...facts, path: (0,external_node_path_.join)(dir, (0,skip_unchanged_record/* resultFileName */.tK)(facts.index)), root }));
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
        const key = (0,skip_unchanged_fingerprint/* fingerprintKey */.SV)(record);
        let staging;
        try {
            staging = await (0,promises_.mkdtemp)((0,external_node_path_.join)(process.env.RUNNER_TEMP || (0,external_node_os_.tmpdir)(), 'reapi-result-'));
            for (const [index, file] of kept) {
                const target = (0,external_node_path_.join)(staging, (0,skip_unchanged_record/* resultFileName */.tK)(index));
                // A hard link costs nothing; cacheDir then makes the one real copy.
                await (0,promises_.link)(file, target).catch(() => (0,promises_.copyFile)(file, target));
            }
            await tool_cache/* cacheDir */.e8(staging, skip_unchanged_record/* TOOL_NAME */.lH, (0,skip_unchanged_record/* toolCacheVersion */.tI)(key));
            return 'saved';
        }
        catch (error) {
            this.toolCacheTrouble('written', error);
            return 'failed';
        }
        finally {
            if (staging)
                await (0,promises_.rm)(staging, { recursive: true, force: true });
        }
    }
}
/** The SHA-256 and size of each file this run downloaded, by index in the record's videoUrls. */
async function resultFileFacts(record, resultFiles) {
    const facts = [];
    for (const [index, file] of resultFiles.entries()) {
        if (file && index < record.videoUrls.length)
            facts.push({ index, ...(await (0,file_hash/* hashFile */.D)(file)) });
    }
    return facts;
}


/***/ })

};
