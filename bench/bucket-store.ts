/**
 * Storing a 500 MB result in an S3-compatible store on loopback
 * (`result-bucket`; s3rver behind the SigV4-verifying front of the tests): the
 * action streams it from the result host into one signed PUT. Throughput is
 * timed from the GET reaching the result host to the action's `Stored` line,
 * against `curl --aws-sigv4 -T` uploading the same number of bytes from a file
 * to the same store; peak RSS against the same run storing a 4 KB result.
 */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ReapiEmulator } from '../test/emulator/emulator';
import { S3TestServer } from '../test/helpers/s3-server';
import { ACTION_NODE } from '../test/helpers/action-node';
import { startResultServer } from './download';
import { actionEnv, measure, median, ratio, rows, rssMb, timeCommand } from './lib';

const root = resolve(import.meta.dirname, '..');
const MB = 1_000_000;
const SIZE = 500 * MB;
const SECTION = 'Storing a 500 MB result (result-bucket)';

export async function benchBucketStore(runs: number): Promise<void> {
  const emulator = await new ReapiEmulator().start();
  const results = await startResultServer();
  const s3 = await new S3TestServer(['results']).start();
  const dir = await mkdtemp(join(tmpdir(), 'reapi-bench-store-'));
  const inputs = () => ({
    'api-key': 'bench',
    'api-base-url': emulator.apiUrl,
    'video-url': emulator.sourceUrl('clip.mp4'),
    'poll-interval': '0.05',
    'result-bucket': 's3://results/bench/',
    's3-endpoint': s3.endpoint,
    's3-region': s3.region,
    verify: 'off',
  });
  const store = async (size?: number) => {
    emulator.reset({ apiKey: 'bench', processingPolls: 0 });
    s3.reset();
    if (size) emulator.fault({ route: 'cdn', match: '/media/', redirectTo: `${results.url}/result-${size}.mp4`, times: Infinity });
    const run = await measure(ACTION_NODE, [join(root, 'dist/index.js')], actionEnv(inputs(), s3.env()), /^Stored /m);
    if (run.code !== 0 || run.markerAt === undefined) throw new Error(`the action did not store the result:\n${run.stdout.slice(-2000)}`);
    return { kib: run.kib, ms: run.markerAt - results.lastRequestAt() };
  };
  try {
    const small: number[] = [];
    for (let i = 0; i < 3; i++) small.push((await store()).kib);
    const n = Math.min(runs, 3);
    const ours = { ms: [] as number[], kib: [] as number[] };
    const curl: number[] = [];
    const file = join(dir, 'upload.bin');
    await writeFile(file, '');
    await truncate(file, SIZE);
    const { accessKeyId, secretAccessKey } = s3.credentials;
    for (let i = 0; i < n; i++) {
      const run = await store(SIZE);
      ours.ms.push(run.ms);
      ours.kib.push(run.kib);
      const args = ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--aws-sigv4', `aws:amz:${s3.region}:s3`, '--user', `${accessKeyId}:${secretAccessKey}`];
      const headers = ['-H', 'content-type: video/mp4', '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD'];
      const timed = await timeCommand('curl', [...args, ...headers, '-T', file, `${s3.endpoint}/results/bench/curl-${i}.mp4`]);
      if (timed.code !== 0 || timed.stdout !== '200') throw new Error(`curl's upload failed: exit ${timed.code}, HTTP ${timed.stdout}`);
      curl.push(timed.ms);
    }
    const [oursMs, curlMs] = [median(ours.ms), median(curl)];
    const rate = (ms: number) => SIZE / MB / (ms / 1000);
    rows.push({
      section: SECTION,
      measure: `throughput: GET reaching the result host → \`Stored\` line (streamed into one signed PUT, verified by the store); median of ${n}`,
      ours: `${rate(oursMs).toFixed(0)} MB/s`,
      baseline: `${rate(curlMs).toFixed(0)} MB/s (\`curl --aws-sigv4 -T\` of a file)`,
      ratio: `${(curlMs / oursMs).toFixed(2)}×`,
    });
    const [oursKib, smallKib] = [median(ours.kib), median(small)];
    rows.push({
      section: SECTION,
      measure: "action's peak RSS (GNU time %M)",
      ours: rssMb(oursKib),
      baseline: `${rssMb(smallKib)} (4 KB result)`,
      ratio: ratio(oursKib, smallKib),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
    results.close();
    await s3.stop();
    await emulator.stop();
  }
}
