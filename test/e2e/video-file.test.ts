/**
 * video-file through dist/index.js as the runner runs it: workspace files staged in an S3-compatible store on
 * loopback (SigV4 verified), submitted by presigned URL, deleted when done; and every input error stopping the step
 * before any request to reApi or the store. Variants: test/integration/video-file*.test.ts.
 */
import { copyFile, mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../emulator/emulator';
import { useActionFixture } from '../helpers/action-fixture';
import { runAction, type ActionRun } from '../helpers/run-action';
import { S3_CREDENTIALS, S3_REGION, S3TestServer } from '../helpers/s3-server';

const s3 = new S3TestServer();
const fixture = useActionFixture({ reset: { processingPolls: 1 }, tempDir: true, services: [s3] });
const { emulator } = fixture;
beforeEach(() => s3.reset());

async function workspaceFiles(files: Record<string, string>): Promise<void> {
  for (const [name, clip] of Object.entries(files)) {
    await mkdir(join(fixture.dir, name, '..'), { recursive: true });
    await copyFile(fileURLToPath(new URL(clip, FIXTURES_DIR)), join(fixture.dir, name));
  }
}

function run(inputs: Record<string, string>, env: Record<string, string> = s3.env()): Promise<ActionRun> {
  return runAction(fixture.inputs({ 'source-bucket': 's3://staging/ci/', 's3-endpoint': s3.endpoint, 's3-region': S3_REGION, verify: 'off', ...inputs }), {
    env: { GITHUB_WORKSPACE: fixture.dir, ...env },
  });
}

function results(result: ActionRun): Array<Record<string, unknown>> {
  return JSON.parse(result.outputs.results ?? '[]') as Array<Record<string, unknown>>;
}

describe('video-file through dist/', () => {
  it('a URL, then a file and a glob: staged, submitted by presigned URL, fetched by reApi, deleted', async () => {
    await workspaceFiles({ 'intro.mp4': 'clip-3.2s-faststart.mp4', 'clips/b.mkv': 'clip-5s.mkv', 'clips/a.mov': 'clip-2.4s-moov-at-end.mov' });
    const url = emulator.addFixture('remote.mp4', 'clip-3.2s-faststart.mp4');
    const result = await run({ 'video-url': url, 'video-file': 'intro.mp4\nclips/*' });
    expect(result.errors).toEqual([]);
    expect(result.code).toBe(0);
    expect(results(result).map((clip) => [clip.source, clip.status, clip.billable_seconds])).toEqual([
      [url, 'completed', 4],
      ['intro.mp4', 'completed', 4],
      ['clips/a.mov', 'completed', 3],
      ['clips/b.mkv', 'completed', 5],
    ]);
    expect(result.outputs['billable-seconds']).toBe('16');
    const puts = s3.requests.filter((request) => request.method === 'PUT');
    expect(puts.map((request) => [request.status, request.auth])).toEqual([
      [200, 'header'],
      [200, 'header'],
      [200, 'header'],
    ]);
    // reApi fetched each staged file twice (submit, render) with a plain GET the store verified as presigned.
    expect(emulator.sourceFetches.filter((fetch) => fetch.status === 200)).toHaveLength(6);
    expect(await s3.keys('staging')).toEqual([]);
    // The runner's masking commands (::add-mask::) carry the secrets on purpose; nothing else may.
    const stdout = result.stdout.replace(/^::add-mask::.*$/gm, '');
    const printed = stdout + result.stderr + result.summary + JSON.stringify(result.outputs);
    expect(printed).not.toContain('X-Amz-Signature');
    expect(printed).not.toContain(S3_CREDENTIALS.secretAccessKey);
    expect(result.stdout).toMatch(/Deleted the staged s3:\/\/staging\/ci\/.*\/intro\.mp4\./);
  });

  it('staged and stored together with download: true: the result in result-bucket and on disk, the staged file gone', async () => {
    await workspaceFiles({ 'renders/intro.mp4': 'clip-3.2s-faststart.mp4' });
    const out = join(fixture.dir, 'out');
    const result = await run({ 'video-file': 'renders/intro.mp4', 'result-bucket': 's3://results/ci/', download: 'true', 'download-path': out });
    expect(result.errors).toEqual([]);
    expect(JSON.parse(result.outputs['bucket-objects'] ?? '[]')).toEqual(['s3://results/ci/intro-2x.mp4']);
    expect(results(result)[0]).toMatchObject({ source: 'renders/intro.mp4', video_path: join(out, 'intro-2x.mp4') });
    const task = [...emulator.tasks.keys()][0] as string;
    const stored = await s3.object('results', 'ci/intro-2x.mp4');
    expect(stored?.bytes.equals(await readFile(join(out, 'intro-2x.mp4')))).toBe(true);
    expect(stored?.bytes.equals(emulator.taskResultBytes(task))).toBe(true);
    expect(await s3.keys('staging')).toEqual([]);
  });

  it('cancelled (SIGTERM) while the task renders: the staged object is kept for the task and named', async () => {
    emulator.plan('endless.mp4', { never: true });
    await workspaceFiles({ 'endless.mp4': 'clip-3.2s-faststart.mp4' });
    let killed = false;
    const result = await runAction(
      fixture.inputs({ 'video-file': 'endless.mp4', 'source-bucket': 's3://staging/ci/', 's3-endpoint': s3.endpoint, 's3-region': S3_REGION, timeout: '1m' }),
      {
        env: { GITHUB_WORKSPACE: fixture.dir, ...s3.env() },
        onStdout: (text, child) => {
          if (!killed && text.includes('processing after')) {
            killed = true;
            child.kill('SIGTERM');
          }
        },
      },
    );
    expect(killed).toBe(true);
    expect(result.code).toBe(1);
    const keys = await s3.keys('staging');
    expect(keys).toHaveLength(1);
    expect(s3.requests.some((request) => request.method === 'DELETE')).toBe(false);
    expect(result.stdout).toContain(`Kept the staged s3://staging/${keys[0]}: task ${result.outputs['task-id']} may still fetch it`);
  });

  it('each input error stops the step with one line, before any request to reApi or the store', async () => {
    await workspaceFiles({ 'clip.mp4': 'clip-3.2s-faststart.mp4' });
    await mkdir(join(fixture.dir, 'dir.mp4'));
    await writeFile(join(fixture.dir, 'big.mp4'), '');
    await truncate(join(fixture.dir, 'big.mp4'), 50 * 1024 * 1024 + 1);
    await writeFile(join(fixture.dir, 'text.mp4'), 'not a video at all');
    const cases: Array<[Record<string, string>, Record<string, string>, RegExp]> = [
      [{ 'video-file': 'missing.mp4' }, s3.env(), /missing\.mp4 does not exist/],
      [{ 'video-file': 'dir.mp4' }, s3.env(), /dir\.mp4 is a directory/],
      [{ 'video-file': 'big.mp4' }, s3.env(), /big\.mp4 is 50\.0 MiB .*over the upscaler's 50 MB limit/],
      [{ 'video-file': 'text.mp4' }, s3.env(), /text\.mp4 is not an MP4, MOV or MKV file by its bytes/],
      [{ 'video-file': 'clip.mp4', 'source-bucket': '' }, s3.env(), /needs 'source-bucket'/],
      [{ 'video-file': 'clip.mp4' }, { AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId }, /AWS_SECRET_ACCESS_KEY/],
      [{ 'video-file': 'clip.mp4' }, {}, /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/],
    ];
    for (const [inputs, env, message] of cases) {
      const result = await run(inputs, env);
      expect(result.code, JSON.stringify(inputs)).toBe(1);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatch(message);
      expect(result.stdout).not.toMatch(/\n\s+at /);
    }
    expect(emulator.requests).toEqual([]);
    expect(s3.requests).toEqual([]);
  });
});
