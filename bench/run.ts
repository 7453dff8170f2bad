/**
 * `npm run bench`: every benchmark against its baseline, on loopback, printed
 * as one Markdown table (paste it into docs/performance.md).
 */
import { cpus } from 'node:os';
import { benchBatch } from './batch';
import { benchBucketStore } from './bucket-store';
import { benchColdStart } from './cold-start';
import { benchDownload } from './download';
import { benchEndToEnd } from './end-to-end';
import { renderTable } from './lib';
import { benchPolling } from './polling';
import { benchReruns } from './reruns';
import { benchSkipUnchanged } from './skip-unchanged';
import { benchStaging } from './staging';
import { ACTION_NODE, actionNodeNotice, actionNodeVersion } from '../test/helpers/action-node';

const runs = Number(process.env.BENCH_RUNS ?? 11);
// BENCH_ONLY=download,batch runs just those (names as below), for a quicker look while changing one thing.
const only = new Set((process.env.BENCH_ONLY ?? '').split(',').filter(Boolean));
const wanted = (name: string) => only.size === 0 || only.has(name);
// The action and the Node floors run on the runner's Node (action.yml: node24), not necessarily the one running this script.
const nodeVersion = actionNodeVersion();
if (actionNodeNotice) console.error(actionNodeNotice);
console.error(`Running benchmarks on Node ${nodeVersion} (${ACTION_NODE}), ${runs} runs each, medians…`);
if (wanted('cold-start')) await benchColdStart(runs);
if (wanted('end-to-end')) await benchEndToEnd(runs);
if (wanted('polling')) benchPolling();
if (wanted('download')) await benchDownload(runs);
if (wanted('batch')) await benchBatch(runs);
if (wanted('skip-unchanged')) await benchSkipUnchanged(runs);
if (wanted('staging')) await benchStaging(runs);
if (wanted('bucket-store')) await benchBucketStore(runs);
if (wanted('reruns')) await benchReruns(Math.min(runs, 5));

const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
console.log(renderTable(`Node ${nodeVersion}, ${cpus().length} cores (${cpu}), ${new Date().toISOString().slice(0, 10)}; medians of ${runs} runs.`));
