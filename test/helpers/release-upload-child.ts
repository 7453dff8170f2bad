/**
 * Uploads one file to a release in a process of its own and prints its memory
 * use as JSON: the RSS just before the upload and the highest RSS sampled
 * during it. Run by test/integration/release.test.ts (`node --import tsx`)
 * so the measurement is not blurred by the test runner's own heap.
 *
 * A first, smaller upload warms up (code loaded, pools and heap spaces
 * grown) so the baseline is taken in the state the large upload runs in.
 *
 * Input: one JSON argument { apiUrl, token, owner, repo, tag, path, name, sha256, bytes, warmup: {path, name, sha256, bytes} }.
 */
import { findRelease, uploadAsset } from '../../src/release/assets';
import { createReleaseClient } from '../../src/release/github-api';

interface Job {
  apiUrl: string;
  token: string;
  owner: string;
  repo: string;
  tag: string;
  path: string;
  name: string;
  sha256: string;
  bytes: number;
  warmup: { path: string; name: string; sha256: string; bytes: number };
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const client = createReleaseClient({ token: job.token, owner: job.owner, repo: job.repo, apiUrl: job.apiUrl });
const release = await findRelease(client, job.tag);
await uploadAsset(client, release, job.warmup, { taskId: 'task-warmup' });
const baselineRss = process.memoryUsage.rss();
let peakRss = baselineRss;
const heapBefore = process.memoryUsage();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 20);
const asset = await uploadAsset(client, release, { path: job.path, name: job.name, sha256: job.sha256, bytes: job.bytes }, { taskId: 'task-rss' });
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss());
process.stdout.write(
  `${JSON.stringify({ baselineRss, peakRss, maxRssKiB: process.resourceUsage().maxRSS, heapBefore, heapAfter: process.memoryUsage(), asset })}\n`,
);
process.exit(0);
