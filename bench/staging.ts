/**
 * Staging a 50 MB workspace file (`video-file`) into an S3-compatible store on
 * loopback (s3rver behind the SigV4-verifying front of the tests), in MB/s:
 * the action's signed PUT, timed from its "Staging" group to its "Staged"
 * line, against `curl --aws-sigv4 -T` of the same file to the same store
 * (both send UNSIGNED-PAYLOAD: the body is streamed, not hashed first).
 * The file is generated here (a real clip padded to just under 50 MB), not committed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ReapiEmulator, fixtureBytes, padMediaData } from '../test/emulator/emulator';
import { S3_REGION, S3TestServer } from '../test/helpers/s3-server';
import { ACTION_NODE } from '../test/helpers/action-node';
import { actionEnv, median, rows, timeCommand } from './lib';

const root = resolve(import.meta.dirname, '..');
const SECTION = 'Staging a 50 MB video-file';
const FILE_BYTES = 50 * 1024 * 1024 - 4096;

/** Runs the action and returns when its "Staging" group opened and its "Staged" line came (performance.now()). */
function runAction(action: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stagingMs?: number }> {
  return new Promise((done, reject) => {
    const child = spawn(ACTION_NODE, [action], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    let submitting: number | undefined;
    let staged: number | undefined;
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      const now = performance.now();
      if (submitting === undefined && /::group::Staging /.test(stdout)) submitting = now;
      if (staged === undefined && /^Staged .* as s3:\/\//m.test(stdout)) staged = now;
    });
    child.on('error', reject);
    child.on('close', (code) => done({ code, stdout, stagingMs: submitting !== undefined && staged !== undefined ? staged - submitting : undefined }));
  });
}

const mbps = (bytes: number, ms: number) => `${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;

export async function benchStaging(runs: number, action = join(root, 'dist/index.js')): Promise<void> {
  const emulator = await new ReapiEmulator().start();
  const s3 = await new S3TestServer(['staging']).start();
  const workspace = await mkdtemp(join(tmpdir(), 'reapi-bench-staging-'));
  const clip = fixtureBytes('clip-3.2s-faststart.mp4');
  await writeFile(join(workspace, 'big.mp4'), padMediaData(clip, FILE_BYTES - clip.length));
  try {
    const ours: number[] = [];
    const curl: number[] = [];
    const times = Math.min(runs, 5);
    for (let i = 0; i < times; i++) {
      emulator.reset({ apiKey: 'bench', processingPolls: 0 });
      s3.reset();
      const inputs = {
        'api-key': 'bench',
        'api-base-url': emulator.apiUrl,
        'video-file': 'big.mp4',
        'source-bucket': 's3://staging/bench/',
        's3-endpoint': s3.endpoint,
        's3-region': S3_REGION,
        'poll-interval': '0.2',
        verify: 'off',
      };
      const run = await runAction(action, actionEnv(inputs, { ...s3.env(), GITHUB_WORKSPACE: workspace }));
      if (run.code !== 0 || run.stagingMs === undefined) {
        const error = /^::error::(.*)$/m.exec(run.stdout)?.[1] ?? `exit ${run.code}`;
        rows.push({
          section: SECTION,
          measure: `skipped: this dist/index.js did not stage the file (${error.slice(0, 120)})`,
          ours: '—',
          baseline: '—',
          ratio: '—',
        });
        return;
      }
      ours.push(run.stagingMs);
      const { accessKeyId, secretAccessKey } = s3.credentials;
      const url = `${s3.endpoint}/staging/bench/curl-${i}.mp4`;
      const args = ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--aws-sigv4', `aws:amz:${S3_REGION}:s3`, '--user', `${accessKeyId}:${secretAccessKey}`];
      // As the action streams it: the payload is not hashed first (curl 7.88 signs a body it hashes wrongly otherwise).
      const headers = ['-H', 'content-type: video/mp4', '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD'];
      const timed = await timeCommand('curl', [...args, ...headers, '-T', join(workspace, 'big.mp4'), url]);
      if (timed.code !== 0 || timed.stdout !== '200') throw new Error(`curl's upload failed: exit ${timed.code}, HTTP ${timed.stdout}`);
      curl.push(timed.ms);
    }
    const oursMs = median(ours);
    const curlMs = median(curl);
    rows.push({
      section: SECTION,
      measure: `upload throughput (signed PUT, verified by the store), median of ${times}`,
      ours: mbps(FILE_BYTES, oursMs),
      baseline: `${mbps(FILE_BYTES, curlMs)} (curl --aws-sigv4 -T)`,
      ratio: `${(curlMs / oursMs).toFixed(2)}×`,
    });
  } finally {
    await rm(workspace, { recursive: true, force: true });
    await s3.stop();
    await emulator.stop();
  }
}
