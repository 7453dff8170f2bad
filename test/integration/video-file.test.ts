/**
 * video-file before anything is staged: the files found in the workspace (paths and globs, sorted, URLs first),
 * each checked on disk before any request, and preflight read from disk so the billable seconds, the cost guard and
 * the dry run work without uploading anything.
 */
import { copyFile, mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../emulator/emulator';
import { useActionFixture } from '../helpers/action-fixture';
import { runInProcess } from '../helpers/run-in-process';
import { fileURLToPath } from 'node:url';

const fixture = useActionFixture({ reset: { processingPolls: 0 }, tempDir: true });
const { emulator } = fixture;

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDSTAGINGTEST', AWS_SECRET_ACCESS_KEY: 'staging-secret-key/abc+def' };

/** Copies committed clips into the test's workspace under `names`. */
async function workspaceFiles(files: Record<string, string>): Promise<void> {
  for (const [name, clip] of Object.entries(files)) {
    await mkdir(join(fixture.dir, name, '..'), { recursive: true });
    await copyFile(fileURLToPath(new URL(clip, FIXTURES_DIR)), join(fixture.dir, name));
  }
}

function run(inputs: Record<string, string>, env: Record<string, string> = CREDENTIALS) {
  return runInProcess(fixture.inputs({ 'source-bucket': 's3://staging-bucket/reapi/', ...inputs }), {
    env: { GITHUB_WORKSPACE: fixture.dir, ...env },
  });
}

function results(outputs: Record<string, string>): Array<Record<string, unknown>> {
  return JSON.parse(outputs.results ?? '[]') as Array<Record<string, unknown>>;
}

describe('dry run and preflight from disk', () => {
  it('reads duration, size and container from the file; uploads and submits nothing', async () => {
    await workspaceFiles({ 'media/clip.mp4': 'clip-3.2s-faststart.mp4' });
    const result = await run({ 'video-file': 'media/clip.mp4', 'dry-run': 'true' });
    expect(result.errors).toEqual([]);
    expect(result.outputs.status).toBe('dry-run');
    expect(result.outputs['billable-seconds']).toBe('4');
    expect(results(result.outputs)).toMatchObject([{ source: 'media/clip.mp4', status: 'dry-run', billable_seconds: 4 }]);
    expect(result.stdout).toMatch(/media\/clip\.mp4: MP4\/MOV, [\d.]+ KiB, video\/mp4, 64×36, .*3\.2 s → 4 billable seconds \([\d.]+ KiB read from disk\)$/m);
    expect(result.stdout).toContain('Would submit media/clip.mp4 for 2× upscaling (4 billable seconds).');
    expect(emulator.requests).toEqual([]);
  });

  it('takes URLs first, then files in input order, each glob sorted; a file listed twice once', async () => {
    await workspaceFiles({
      'clips/b.mov': 'clip-2.4s-moov-at-end.mov',
      'clips/a.mp4': 'clip-3.2s-faststart.mp4',
      'clips/notes/ignored.mp4': 'clip-3.2s-faststart.mp4',
      'z.mkv': 'clip-5s.mkv',
    });
    const url = emulator.addFixture('remote.mp4', 'clip-3.2s-faststart.mp4');
    const result = await run({ 'video-url': url, 'video-file': 'z.mkv\nclips/*\nclips/a.mp4', 'dry-run': 'true' });
    expect(result.errors).toEqual([]);
    expect(results(result.outputs).map((clip) => [clip.source, clip.billable_seconds])).toEqual([
      [url, 4],
      ['z.mkv', 5],
      ['clips/a.mp4', 4],
      ['clips/b.mov', 3],
    ]);
    expect(result.outputs['billable-seconds']).toBe('16');
    // Only the URL's host was asked: files are read from disk.
    expect(emulator.apiRequests()).toEqual([]);
    expect(emulator.cdnRequests().every((request) => request.path === '/sources/remote.mp4')).toBe(true);
  });

  it('the cost guard counts the files and refuses before anything is staged', async () => {
    await workspaceFiles({ 'a.mp4': 'clip-3.2s-faststart.mp4', 'b.mkv': 'clip-5s.mkv' });
    const result = await run({ 'video-file': '*.*', 'max-billable-seconds': '8' });
    expect(result.code).toBe(1);
    expect(result.errors.join('\n')).toMatch(/max-billable-seconds/);
    expect(results(result.outputs).map((clip) => clip.status)).toEqual(['skipped', 'skipped']);
    expect(emulator.requests).toEqual([]);
  });
});

describe('session credentials', () => {
  it('a timeout over an hour is warned about before anything is staged, in a dry run too', async () => {
    await workspaceFiles({ 'clip.mp4': 'clip-3.2s-faststart.mp4' });
    const result = await run({ 'video-file': 'clip.mp4', 'dry-run': 'true', timeout: '90m' }, { ...CREDENTIALS, AWS_SESSION_TOKEN: 'session-token' });
    expect(result.errors).toEqual([]);
    expect(result.stdout).toMatch(/::warning::Input 'timeout' is longer than an hour, but the AWS credentials are session credentials/);
    expect(emulator.requests).toEqual([]);
  });
});

describe('input errors, before any request', () => {
  async function refused(inputs: Record<string, string>, env?: Record<string, string>): Promise<string> {
    const result = await run(inputs, env);
    expect(result.code).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(emulator.requests).toEqual([]);
    return result.errors[0] ?? '';
  }

  it('a missing file, a directory, an empty glob, a path out of the workspace', async () => {
    await workspaceFiles({ 'clip.mp4': 'clip-3.2s-faststart.mp4' });
    await mkdir(join(fixture.dir, 'folder.mp4'));
    expect(await refused({ 'video-file': 'clip.mp4\nmissing.mp4' })).toMatch(/Input 'video-file': missing\.mp4 does not exist/);
    expect(await refused({ 'video-file': 'folder.mp4' })).toMatch(/folder\.mp4 is a directory, not a file/);
    expect(await refused({ 'video-file': 'renders/*.mp4' })).toMatch(/renders\/\*\.mp4.* matches no file/);
    expect(await refused({ 'video-file': '../outside.mp4' })).toMatch(/inside the workspace.*'\.\.' are not accepted/);
    expect(await refused({ 'video-file': '/etc/passwd' })).toMatch(/absolute paths/);
  });

  it('a link to a file outside the workspace', async () => {
    const outside = join(fixture.dir, '..', `outside-${Date.now()}.mp4`);
    await copyFile(fileURLToPath(new URL('clip-3.2s-faststart.mp4', FIXTURES_DIR)), outside);
    await mkdir(join(fixture.dir, 'ws'));
    await symlink(outside, join(fixture.dir, 'ws', 'link.mp4'));
    const result = await runInProcess(fixture.inputs({ 'source-bucket': 's3://staging/', 'video-file': 'link.mp4' }), {
      env: { GITHUB_WORKSPACE: join(fixture.dir, 'ws'), ...CREDENTIALS },
    });
    expect(result.errors[0]).toMatch(/link\.mp4 is a link to a file outside the workspace/);
    expect(emulator.requests).toEqual([]);
  });

  it('over 50 MB, and not a video by its bytes whatever its extension', async () => {
    await writeFile(join(fixture.dir, 'big.mp4'), '');
    await truncate(join(fixture.dir, 'big.mp4'), 50 * 1024 * 1024 + 1);
    await writeFile(join(fixture.dir, 'page.mp4'), '<html><body>Not Found</body></html>');
    expect(await refused({ 'video-file': 'big.mp4' })).toMatch(/big\.mp4 is 50\.0 MiB \(52428801 bytes\), over the upscaler's 50 MB limit/);
    expect(await refused({ 'video-file': 'page.mp4' })).toMatch(/page\.mp4 is not an MP4, MOV or MKV file by its bytes/);
  });

  it('a glob matching more files than one step takes', async () => {
    await mkdir(join(fixture.dir, 'many'));
    const clip = fileURLToPath(new URL('clip-3.2s-faststart.mp4', FIXTURES_DIR));
    for (let i = 0; i < 256; i++) await copyFile(clip, join(fixture.dir, 'many', `${String(i).padStart(3, '0')}.mp4`));
    const url = emulator.addFixture('remote.mp4', 'clip-3.2s-faststart.mp4');
    const error = await refused({ 'video-url': url, 'video-file': 'many/*.mp4' });
    expect(error).toMatch(/Input 'video-file' matches more than 255 files \(with 1 video-url source\); at most 256 sources/);
  });

  it('no source-bucket, a malformed one, and missing AWS credentials (named)', async () => {
    await workspaceFiles({ 'clip.mp4': 'clip-3.2s-faststart.mp4' });
    expect(await refused({ 'video-file': 'clip.mp4', 'source-bucket': '' })).toMatch(/Input 'video-file' needs 'source-bucket'/);
    expect(await refused({ 'video-file': 'clip.mp4', 'source-bucket': 'https://bucket/' })).toMatch(/Input 'source-bucket' must be an s3:\/\/ location/);
    expect(await refused({ 'video-file': 'clip.mp4' }, {})).toMatch(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set/);
    expect(await refused({ 'video-file': 'clip.mp4' }, { AWS_ACCESS_KEY_ID: 'AKID' })).toMatch(/AWS_SECRET_ACCESS_KEY is not set/);
  });
});
