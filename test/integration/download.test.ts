/** Downloading the result, the action run in process against the emulator: bytes, names, redirects, failures, checks up front. */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { ReapiEmulator } from '../emulator/emulator';
import { runInProcess as runAction } from '../helpers/run-in-process';

/** A second origin, to check what a redirect target receives. */
const elsewhere = new ReapiEmulator();
const fixture = useActionFixture({
  reset: { processingPolls: 0 },
  services: [elsewhere],
  tempDir: true,
  inputs: () => ({ 'video-url': fixture.emulator.sourceUrl('clip.mp4'), download: 'true', 'download-path': fixture.dir }),
});
const { emulator, inputs } = fixture;
const KEY = fixture.key;

function resultRequests(server = emulator) {
  return server.cdnRequests().filter((request) => request.path.startsWith('/media/'));
}

function expectNoAuthorization(server: ReapiEmulator) {
  for (const request of server.cdnRequests()) {
    expect(request.headers.authorization).toBeUndefined();
    expect(JSON.stringify(request.headers)).not.toContain(KEY);
  }
}

describe('download', () => {
  it('saves the result byte for byte under a name from the source, without credentials', async () => {
    emulator.configure({ processingPolls: 0, resultBytes: 300_000 });
    const run = await runAction(inputs());
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);

    const path = join(fixture.dir, 'clip-2x.mp4');
    expect(run.outputs['video-path']).toBe(path);
    expect(JSON.parse(run.outputs['video-paths']!)).toEqual([path]);
    expect((await readFile(path)).equals(emulator.resultBytes())).toBe(true);
    expect(await readdir(fixture.dir)).toEqual(['clip-2x.mp4']); // no temporary file left over

    expect(resultRequests()).toHaveLength(1);
    expectNoAuthorization(emulator);
    expect(run.stdout).toContain('::group::Downloading the result to');
    expect(run.summary).toContain(path);
    expect(run.summary).toContain('293.0 KiB');
    expect(run.summary).toMatch(/\*\*Elapsed\*\* \| [\d.]+s \(preflight [\d.]+s · upscaling [\d.]+s · download [\d.]+s\)/);
  });

  it('uses RUNNER_TEMP/reapi-upscaled when download-path is empty, and names a resumed task after its id', async () => {
    const first = await runAction(inputs({ download: 'false' }));
    const taskId = first.outputs['task-id']!;
    const run = await runAction(inputs({ 'video-url': '', 'task-id': taskId, 'download-path': '' }), { env: { RUNNER_TEMP: fixture.dir } });
    expect(run.errors).toEqual([]);
    const path = join(fixture.dir, 'reapi-upscaled', `${taskId}.mp4`);
    expect(run.outputs['video-path']).toBe(path);
    expect((await readFile(path)).equals(emulator.resultBytes())).toBe(true);
  });

  it('saves several results as name-1, name-2 with their own bytes', async () => {
    emulator.plan('pair', { processingPolls: 0, resultCount: 2 });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('pair.mov'), 'upscale-factor': '4' }));
    expect(run.errors).toEqual([]);
    const paths = [join(fixture.dir, 'pair-4x-1.mp4'), join(fixture.dir, 'pair-4x-2.mp4')];
    expect(JSON.parse(run.outputs['video-paths']!)).toEqual(paths);
    expect(run.outputs['video-path']).toBe(paths[0]);
    expect((await readFile(paths[0]!)).equals(emulator.resultBytes(0))).toBe(true);
    expect((await readFile(paths[1]!)).equals(emulator.resultBytes(1))).toBe(true);
    expect(emulator.resultBytes(0).equals(emulator.resultBytes(1))).toBe(false);
    expect(run.summary).toContain('**Downloaded 2**');
  });

  it('never writes outside download-path, whatever the source name says', async () => {
    const nested = join(fixture.dir, 'a', 'b');
    const source = emulator.addSource('../../../etc/passwd.mp4', { data: emulator.resultBytes() });
    const run = await runAction(inputs({ 'video-url': source, 'download-path': nested }));
    expect(run.errors).toEqual([]);
    expect(await readdir(fixture.dir)).toEqual(['a']);
    expect(await readdir(join(fixture.dir, 'a'))).toEqual(['b']);
    expect(await readdir(nested)).toEqual(['etc-passwd-2x.mp4']);
    expect(run.outputs['video-path']).toBe(join(nested, 'etc-passwd-2x.mp4'));
  });
});

describe('redirects', () => {
  it('follows redirects to another origin, sending no credentials to either', async () => {
    elsewhere.addSource('moved.mp4', { data: emulator.resultBytes() });
    // Two hops: the CDN sends the action to another origin, which redirects again with a relative Location.
    emulator.fault({ route: 'cdn', match: '/media/', redirectTo: `${elsewhere.cdnUrl}/sources/hop.mp4` });
    elsewhere.fault({ route: 'cdn', match: '/sources/hop.mp4', redirectTo: '/sources/moved.mp4' });
    const run = await runAction(inputs());
    expect(run.errors).toEqual([]);
    expect((await readFile(join(fixture.dir, 'clip-2x.mp4'))).equals(emulator.resultBytes())).toBe(true);
    expect(elsewhere.cdnRequests().map((request) => request.path)).toEqual(['/sources/hop.mp4', '/sources/moved.mp4']);
    expectNoAuthorization(emulator);
    expectNoAuthorization(elsewhere);
  });

  it('stops after 5 redirects', async () => {
    emulator.fault({ route: 'cdn', match: '/media/', redirectTo: '/media/loop', times: 50 });
    const run = await runAction(inputs());
    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(/redirected more than 5 times/);
    expect(resultRequests()).toHaveLength(6);
    expect(await readdir(fixture.dir)).toEqual([]);
  });
});

describe('failures leave no file behind', () => {
  it('retries a body cut short and ends with an intact file', async () => {
    emulator.configure({ processingPolls: 0, resultBytes: 200_000 });
    emulator.fault({ route: 'cdn', match: '/media/', truncateAfterBytes: 50_000 });
    const run = await runAction(inputs());
    expect(run.errors).toEqual([]);
    expect(resultRequests()).toHaveLength(2);
    expect(run.stdout).toMatch(/broke off after 50000 of 200000 bytes.*Retrying in [\d.]+s \(attempt 2 of 4\)/);
    expect((await readFile(join(fixture.dir, 'clip-2x.mp4'))).equals(emulator.resultBytes())).toBe(true);
    expect(await readdir(fixture.dir)).toEqual(['clip-2x.mp4']);
  });

  it('gives up on a body that keeps breaking off short of its Content-Length', async () => {
    emulator.configure({ processingPolls: 0, resultBytes: 200_000 });
    emulator.fault({ route: 'cdn', match: '/media/', truncateAfterBytes: 50_000, times: 10 });
    const run = await runAction(inputs());
    expect(run.code).toBe(1);
    expect(resultRequests()).toHaveLength(4);
    const taskId = run.outputs['task-id']!;
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/failed after 4 attempts: .*broke off after 50000 of 200000 bytes/);
    expect(run.errors[0]).toContain(`task-id: ${taskId}`);
    expect(run.outputs['video-url']).toContain(taskId); // the URL is still handed on
    expect(run.outputs['video-path']).toBeUndefined();
    expect(await readdir(fixture.dir)).toEqual([]);
    expect(run.summary).toContain('**Error**');
    expect(run.summary).toContain(`\`task-id: ${taskId}\``);
  });

  it('gives up on a result host that keeps answering 503', async () => {
    emulator.fault({ route: 'cdn', match: '/media/', status: 503, times: 10 });
    const run = await runAction(inputs());
    expect(run.code).toBe(1);
    expect(resultRequests()).toHaveLength(4);
    expect(run.errors[0]).toMatch(/failed after 4 attempts: The result host answered HTTP 503/);
    expect(await readdir(fixture.dir)).toEqual([]);
  });

  it('does not retry a 404', async () => {
    emulator.fault({ route: 'cdn', match: '/media/', status: 404 });
    const run = await runAction(inputs());
    expect(run.code).toBe(1);
    expect(resultRequests()).toHaveLength(1);
    expect(run.errors[0]).toMatch(/answered HTTP 404/);
    expect(await readdir(fixture.dir)).toEqual([]);
  });

  it('refuses an HTML page served with status 200 instead of the MP4', async () => {
    emulator.fault({
      route: 'cdn',
      match: '/media/',
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: '<!DOCTYPE html><html><body><h1>Access denied</h1></body></html>',
    });
    const run = await runAction(inputs());
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/did not send a video: it is an HTML page \(content-type text\/html; charset=utf-8\), not an MP4/);
    expect(run.errors[0]).toContain('Access denied');
    expect(resultRequests()).toHaveLength(1);
    expect(await readdir(fixture.dir)).toEqual([]);
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('checked before anything is submitted', () => {
  it('refuses a download-path that is not a writable directory', async () => {
    const file = join(fixture.dir, 'not-a-dir');
    await writeFile(file, 'x');
    const run = await runAction(inputs({ 'download-path': file }));
    expect(run.code).toBe(1);
    expect(run.errors).toEqual([`Input 'download-path' must be a writable directory; ${JSON.stringify(file)} is not (a file is in the way).`]);
    expect(emulator.apiRequests()).toHaveLength(0);
  });

  it.each([
    [{ 'retention-days': '120' }, /Input 'retention-days' must be a whole number of days from 1 to 90.*"120"/],
    [{ 'artifact-name': 'a/b' }, /Input 'artifact-name' contains "\/"/],
    [{ wait: 'false' }, /Input 'download' needs wait: true/],
  ])('rejects %o in one line', async (bad, pattern) => {
    const run = await runAction(inputs(bad));
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(pattern);
    expect(emulator.apiRequests()).toHaveLength(0);
  });

  it('warns that retention-days does nothing without artifact-name', async () => {
    const run = await runAction(inputs({ 'retention-days': '5' }));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("::warning::Input 'retention-days' has no effect without 'artifact-name'.");
  });

  it('warns that the bucket inputs do nothing without video-file or result-bucket', async () => {
    const run = await runAction(inputs({ 'source-bucket': 's3://staging/reapi/', 's3-endpoint': 'https://s3.example.com' }));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("::warning::Input 'source-bucket' has no effect without 'video-file'.");
    expect(run.stdout).toContain("::warning::Input 's3-endpoint' has no effect without 'video-file' or 'result-bucket'.");
  });
});
