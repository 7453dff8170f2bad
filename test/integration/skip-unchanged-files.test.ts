/**
 * skip-unchanged with workspace files (video-file): the file's SHA-256, taken on disk when it is checked, is its
 * fingerprint, so an unchanged file costs no request at all: nothing staged, nothing submitted, no source host asked.
 * The emulator stands in for reApi, s3rver for source-bucket, the fake Actions cache service for GitHub's.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES_DIR, fixtureBytes } from '../emulator/emulator';
import { useActionFixture } from '../helpers/action-fixture';
import { CacheService } from '../helpers/cache-service';
import { runInProcess, type InProcessRun } from '../helpers/run-in-process';
import { S3_REGION, S3TestServer } from '../helpers/s3-server';

const s3 = new S3TestServer();
const cache = new CacheService();
const fixture = useActionFixture({ reset: { processingPolls: 1 }, tempDir: true, services: [s3, cache] });
const { emulator } = fixture;

beforeEach(async () => {
  s3.reset();
  cache.clear();
  await cache.setMode('ok');
});

async function job(inputs: Record<string, string>): Promise<InProcessRun & { results: Array<Record<string, unknown>> }> {
  emulator.requests.length = 0;
  s3.requests.length = 0;
  const run = await runInProcess(
    fixture.inputs({
      'source-bucket': 's3://staging/reapi/',
      's3-endpoint': s3.endpoint,
      's3-region': S3_REGION,
      verify: 'off',
      'skip-unchanged': 'true',
      ...inputs,
    }),
    {
      env: { ...s3.env(), ...cache.env(), GITHUB_WORKSPACE: fixture.dir, GITHUB_RUN_ID: '77', GITHUB_RUN_ATTEMPT: '1', GITHUB_JOB: 'refresh' },
      cwd: fixture.dir,
    },
  );
  return { ...run, results: JSON.parse(run.outputs.results ?? '[]') as Array<Record<string, unknown>> };
}

describe('skip-unchanged: workspace files', () => {
  it('an unchanged file is reused with no request to any source host and nothing staged; a changed one is submitted', async () => {
    await mkdir(join(fixture.dir, 'media'), { recursive: true });
    const path = join(fixture.dir, 'media', 'intro.mp4');
    await copyFile(fileURLToPath(new URL('clip-3.2s-faststart.mp4', FIXTURES_DIR)), path);

    const first = await job({ 'video-file': 'media/intro.mp4' });
    expect(first.errors).toEqual([]);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
    expect(s3.requests.filter((request) => request.method === 'PUT')).toHaveLength(1);
    // The fingerprint record only (besides the re-run record): a file has no URL to revalidate.
    expect(cache.entries.filter((entry) => entry.key.startsWith('reapi-topaz-video-upscaler-'))).toEqual([
      expect.objectContaining({ key: expect.stringMatching(/-x2-[0-9a-f]{64}$/) as string }),
    ]);

    const second = await job({ 'video-file': 'media/intro.mp4' });
    expect(second.errors).toEqual([]);
    expect(emulator.apiRequests('submit')).toHaveLength(0);
    expect(emulator.apiRequests('poll')).toHaveLength(1);
    expect(emulator.cdnRequests()).toEqual([]);
    expect(s3.requests).toEqual([]);
    expect(second.results).toMatchObject([{ source: 'media/intro.mp4', cached: true, status: 'completed' }]);
    expect(second.outputs['task-id']).toBe(first.outputs['task-id']);
    expect(second.outputs['billable-seconds']).toBe('0');

    const changed = Buffer.from(fixtureBytes('clip-3.2s-faststart.mp4'));
    changed[changed.length - 1] = (changed[changed.length - 1]! + 1) & 0xff;
    await writeFile(path, changed);
    const third = await job({ 'video-file': 'media/intro.mp4' });
    expect(third.errors).toEqual([]);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
    expect(third.results).toMatchObject([{ cached: false }]);
  });
});
