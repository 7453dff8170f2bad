/**
 * Runs src/skip-unchanged/record-stores.ts in its own process, as one step of one job would:
 * the environment (cache service, RUNNER_TOOL_CACHE, workspace as cwd) comes
 * from the parent test, the operations from a JSON file. `@actions/cache`
 * prints its warnings on this process's stdout, where the test counts them.
 *
 * Usage: tsx result-cache-driver.ts <job.json> <results.json>
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { subscribe } from 'node:diagnostics_channel';
import { saveCache } from '@actions/cache';
import type { Fingerprint } from '../../src/skip-unchanged/fingerprint';
import { ResultCache } from '../../src/skip-unchanged/record-stores';
import { copyVerifiedResult, type ResultRecord } from '../../src/skip-unchanged/record';

export type DriverOp =
  | { op: 'lookup'; fingerprint: Fingerprint }
  | { op: 'save'; record: ResultRecord; files?: string[] }
  | { op: 'copy'; fingerprint: Fingerprint; dest: string }
  /** Saves a file with the library directly, to plant an entry under any key. */
  | { op: 'rawSave'; path: string; key: string; content: string };

export interface DriverJob {
  timeoutMs?: number;
  keepResultFiles?: boolean;
  ops: DriverOp[];
}

export interface DriverResult {
  op: string;
  ms: number;
  value: unknown;
}

// The store must count the library's failures without patching stdout: note whether stdout.write is ours while it talks to the service.
// eslint-disable-next-line @typescript-eslint/unbound-method -- compared by identity, never called
const stdoutWrite = process.stdout.write;
let stdoutPatched = false;
let serviceRequests = 0;
subscribe('http.client.request.start', () => {
  serviceRequests++;
  if (process.stdout.write !== stdoutWrite) stdoutPatched = true;
});

const [jobPath, resultsPath] = process.argv.slice(2) as [string, string];
const job = JSON.parse(await readFile(jobPath, 'utf8')) as DriverJob;
// Lines as the runner reads them from the action's stdout (what coreIO prints through @actions/core).
const log = {
  warning: (message: string) => process.stdout.write(`::warning::${message}\n`),
  info: (message: string) => process.stdout.write(`${message}\n`),
  debug: (message: string) => process.stdout.write(`::debug::${message}\n`),
};
const cache = new ResultCache({ timeoutMs: job.timeoutMs, keepResultFiles: job.keepResultFiles, log });
const results: DriverResult[] = [];
for (const op of job.ops) {
  const started = performance.now();
  let value: unknown;
  if (op.op === 'lookup') value = (await cache.lookup(op.fingerprint)) ?? null;
  else if (op.op === 'save') value = await cache.save(op.record, op.files);
  else if (op.op === 'copy') {
    const hit = await cache.lookup(op.fingerprint);
    const file = hit?.files[0];
    value = file ? await copyVerifiedResult(file, op.dest) : 'no file';
  } else {
    await mkdir(dirname(op.path), { recursive: true });
    await writeFile(op.path, op.content);
    value = await saveCache([op.path], op.key);
  }
  results.push({ op: op.op, ms: Math.round(performance.now() - started), value });
}
await writeFile(resultsPath, JSON.stringify({ results, abandoned: cache.abandoned, stdoutPatched, serviceRequests }));
// An abandoned cache call may still hold a socket open; a step ends here, as the action will.
process.exit(0);
