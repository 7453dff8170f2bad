export const id = 880;
export const ids = [880];
export const modules = {

/***/ 97880:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ResultCache: () => (/* binding */ ResultCache)
});

// UNUSED EXPORTS: ACTIONS_CACHE_TIMEOUT_MS, MAX_RECORD_BYTES, RECORD_DIR, RECORD_FILE, TOOL_NAME, actionsCachePath, copyVerifiedResult, hashFile, isExactKey, parseRecord, readRecordFile, resultFileName, toolCacheVersion, withoutResultFiles

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
// EXTERNAL MODULE: ./src/skip-unchanged/abandoned-calls.ts
var abandoned_calls = __webpack_require__(37539);
// EXTERNAL MODULE: ./src/skip-unchanged/record.ts
var skip_unchanged_record = __webpack_require__(99450);
;// CONCATENATED MODULE: ./src/skip-unchanged/actions-cache-store.ts
/**
 * The Actions cache (`@actions/cache`) as a store of `skip-unchanged`
 * records: a small JSON record per fingerprint, never the video (the
 * repository's 10 GB quota would evict everything else), looked up by exact
 * key only.
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
        this.warnActions(`skip-unchanged: ${reason}; results are remembered in the runner's tool cache only.`);
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
                    (0,abandoned_calls/* noteAbandonedCacheCall */.n)();
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
        let outcome;
        try {
            outcome = await this.call(async () => {
                await (0,promises_.rm)(local, { force: true });
                return cache/* restoreCache */.P3([relative], key, [], { timeoutInMs: this.timeoutMs });
            });
        }
        catch (error) {
            // Only a malformed key or path throws; the key is ours, so this is a bug worth seeing, not a reason to stop.
            this.actionsReadOff = true;
            this.warnActions(`skip-unchanged: the Actions cache lookup failed (${(0,errors/* errorText */.kc)(error).replace(/\.$/, '')}); going on without it.`);
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
            if (!(0,skip_unchanged_record/* isExactKey */.P4)(outcome.value, key)) {
                if (outcome.value !== undefined)
                    this.log.info(`skip-unchanged: the Actions cache matched another key (${outcome.value.slice(0, 200)}); ignored.`);
                return undefined;
            }
            const record = await (0,skip_unchanged_record/* readRecordFile */.m7)(local, fingerprint, `the Actions cache record for ${key}`, this.log);
            if (!record)
                return undefined;
            if (record.resultFiles !== undefined) {
                this.log.info(`skip-unchanged: the Actions cache record for ${key} is ignored: it lists result files, which this store never holds.`);
                return undefined;
            }
            return record;
        }
        catch (error) {
            this.log.info(`skip-unchanged: the Actions cache record for ${key} could not be read (${(0,errors/* errorText */.kc)(error).replace(/\.$/, '')}); ignored.`);
            return undefined;
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
        const stored = (0,skip_unchanged_record/* withoutResultFiles */.FS)(record);
        try {
            const saved = await this.call(async () => {
                await (0,promises_.mkdir)((0,external_node_path_.resolve)(skip_unchanged_record/* RECORD_DIR */.Oi), { recursive: true });
                await (0,promises_.writeFile)(local, JSON.stringify(stored));
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
                    this.warnActions(`skip-unchanged: the Actions cache did not take the record of task ${record.taskId} (${key}); a later run will not reuse it unless the runner's tool cache holds it.`);
            }
            return saved.value;
        }
        catch (error) {
            this.actionsWriteOff = true;
            this.warnActions(`skip-unchanged: the record of task ${record.taskId} could not be saved to the Actions cache (${(0,errors/* errorText */.kc)(error).replace(/\.$/, '')}).`);
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

;// CONCATENATED MODULE: ./src/skip-unchanged/record-stores.ts
/**
 * Records of completed tasks for `skip-unchanged`, kept in two stores:
 *
 * - the runner's tool cache (`@actions/tool-cache`, under RUNNER_TOOL_CACHE):
 *   the record and, when given, the downloaded result files. It persists on
 *   self-hosted runners, and a hit there needs no network at all;
 * - the Actions cache (src/skip-unchanged/actions-cache-store.ts): the record only.
 *
 * Neither store may fail the run: trouble warns once, through the `log` the
 * caller passes, and turns that store off. What comes back from either store
 * is untrusted: it is checked field by field against the fingerprint.
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
    /** The record of an earlier completed task with this fingerprint: the tool cache first (no network), then the Actions cache. */
    async lookup(fingerprint) {
        const key = (0,skip_unchanged_fingerprint/* fingerprintKey */.SV)(fingerprint);
        const local = await this.lookupToolCache(key, fingerprint);
        if (local)
            return local;
        const record = await this.actions.lookup(key, fingerprint);
        return record ? { record, store: 'actions-cache', files: [] } : undefined;
    }
    /** Saves a completed task's record to both stores; `resultFiles[i]` is the downloaded file of `record.videoUrls[i]`. */
    async save(record, resultFiles = []) {
        // What is saved must pass the check every lookup makes, or it would only be refused later.
        const checked = (0,skip_unchanged_record/* parseRecord */.Hh)(JSON.stringify((0,skip_unchanged_record/* withoutResultFiles */.FS)(record)), record);
        if ('problem' in checked) {
            this.log.warning(`skip-unchanged: the record of task ${record.taskId} was not saved: ${checked.problem}.`);
            return { toolCache: 'failed', actionsCache: 'failed' };
        }
        const toolCacheOutcome = await this.saveToToolCache(record, resultFiles);
        const actionsCacheOutcome = await this.actions.save(record);
        return { toolCache: toolCacheOutcome, actionsCache: actionsCacheOutcome };
    }
    toolCacheReady() {
        if (this.toolCacheOff)
            return false;
        if (!process.env.RUNNER_TOOL_CACHE) {
            this.toolCacheOff = true;
            this.log.info('skip-unchanged: RUNNER_TOOL_CACHE is not set, so results are remembered in the Actions cache only.');
            return false;
        }
        return true;
    }
    toolCacheTrouble(what, error) {
        this.toolCacheOff = true;
        if (this.warnedToolCache)
            return;
        this.warnedToolCache = true;
        this.log.warning(`skip-unchanged: the runner's tool cache could not be ${what} (${(0,errors/* errorText */.kc)(error).replace(/\.$/, '')}); going on without it.`);
    }
    async lookupToolCache(key, fingerprint) {
        if (!this.toolCacheReady())
            return undefined;
        try {
            const dir = tool_cache/* find */.I6(skip_unchanged_record/* TOOL_NAME */.lH, (0,skip_unchanged_record/* toolCacheVersion */.tI)(key));
            if (!dir)
                return undefined;
            const record = await (0,skip_unchanged_record/* readRecordFile */.m7)((0,external_node_path_.join)(dir, skip_unchanged_record/* RECORD_FILE */.lt), fingerprint, `the tool cache record for ${key}`, this.log);
            if (!record)
                return undefined;
            const files = [];
            for (const facts of record.resultFiles ?? []) {
                const path = (0,external_node_path_.join)(dir, (0,skip_unchanged_record/* resultFileName */.tK)(facts.index));
                const found = await (0,promises_.stat)(path).catch(() => undefined);
                if (found?.isFile() && found.size === facts.bytes)
                    files.push({ ...facts, path });
            }
            return { record: record, store: 'tool-cache', files };
        }
        catch (error) {
            this.toolCacheTrouble('read', error);
            return undefined;
        }
    }
    async saveToToolCache(record, resultFiles) {
        if (!this.toolCacheReady())
            return 'unavailable';
        const key = (0,skip_unchanged_fingerprint/* fingerprintKey */.SV)(record);
        let staging;
        try {
            staging = await (0,promises_.mkdtemp)((0,external_node_path_.join)(process.env.RUNNER_TEMP || (0,external_node_os_.tmpdir)(), 'reapi-result-'));
            const stored = (0,skip_unchanged_record/* withoutResultFiles */.FS)(record);
            const facts = [];
            if (this.keepResultFiles) {
                for (const [index, file] of resultFiles.entries()) {
                    if (!file || index >= record.videoUrls.length)
                        continue;
                    const target = (0,external_node_path_.join)(staging, (0,skip_unchanged_record/* resultFileName */.tK)(index));
                    // A hard link costs nothing; cacheDir then makes the one real copy.
                    await (0,promises_.link)(file, target).catch(() => (0,promises_.copyFile)(file, target));
                    facts.push({ index, ...(await (0,skip_unchanged_record/* hashFile */.DC)(target)) });
                }
            }
            await (0,promises_.writeFile)((0,external_node_path_.join)(staging, skip_unchanged_record/* RECORD_FILE */.lt), JSON.stringify(facts.length ? { ...stored, resultFiles: facts } : stored));
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


/***/ })

};
