/**
 * Batch mode, preflight, the cost guard and dry runs, the action run in process against the emulator: several sources
 * in one step, checked on their host before anything is submitted.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import type { ActionRun } from '../helpers/run-action';
import { runInProcess as runAction } from '../helpers/run-in-process';

const fixture = useActionFixture({ reset: { processingPolls: 1 } });
const { emulator, inputs } = fixture;
afterEach(() => {
  // Preflight and downloads go to the source and result host: never with the API key.
  for (const request of emulator.cdnRequests()) {
    expect(request.headers.authorization).toBeUndefined();
    expect(JSON.stringify(request.headers)).not.toContain(emulator.config.apiKey);
  }
});

interface Result {
  source: string | null;
  task_id: string | null;
  status: string;
  video_urls: string[];
  video_path: string | null;
  billable_seconds: number | null;
  error: string | null;
}

/** The results[] fields of skip-unchanged, release-tag, result-bucket and verify, for a clip none of them touched. */
const NOT_REUSED_NOR_PROBED = {
  cached: false,
  release_asset_url: null,
  bucket_object: null,
  width: null,
  height: null,
  duration: null,
  source_width: null,
  source_height: null,
  source_duration: null,
};

function results(run: ActionRun): Result[] {
  return JSON.parse(run.outputs.results ?? 'null') as Result[];
}

function sources(count: number, prefix = 'clip'): string[] {
  return Array.from({ length: count }, (_, index) => emulator.sourceUrl(`${prefix}-${String(index + 1).padStart(2, '0')}.mp4`));
}

/** The task the emulator created for a source. */
function taskFor(source: string) {
  return [...emulator.tasks.values()].find((task) => task.sourceUrl === source);
}

describe('batch', () => {
  it('upscales 10 sources with at most 3 tasks running at once, outputs in source order', async () => {
    emulator.configure({ processingMs: 300 });
    const urls = sources(10);
    const run = await runAction(inputs({ 'video-url': `# release clips\n${urls.join('\n')}\n\n`, concurrency: '3' }));
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);

    expect(emulator.apiRequests('submit')).toHaveLength(10);
    expect(emulator.tasks.size).toBe(10);
    expect(emulator.peakRunning).toBe(3); // never more, and the slots were used
    const expectedUrls = urls.map((url) => `${emulator.cdnUrl}/media/tasks/${taskFor(url)!.id}/0.mp4`);
    expect(JSON.parse(run.outputs['video-urls']!)).toEqual(expectedUrls);
    expect(run.outputs['video-url']).toBe(expectedUrls[0]);
    expect(run.outputs['task-id']).toBe(taskFor(urls[0]!)!.id);
    expect(JSON.parse(run.outputs['task-ids']!)).toEqual(urls.map((url) => taskFor(url)!.id));
    expect(run.outputs.status).toBe('completed');
    expect(results(run)).toEqual(
      urls.map((url, index) => ({
        source: url,
        task_id: taskFor(url)!.id,
        status: 'completed',
        video_urls: [expectedUrls[index]],
        video_path: null,
        billable_seconds: null, // the synthetic sources state no duration
        error: null,
        ...NOT_REUSED_NOR_PROBED,
      })),
    );
    expect(run.summary).toContain('10 clips done');
    expect(run.summary).toContain('| 10 |');
    expect(run.summary).toMatch(/\*\*Total\*\* \| \| 10 completed/);
  });

  it('runs every clip to its end when one fails, then fails the step with a complete results output', async () => {
    const urls = sources(4);
    emulator.plan('clip-02', { processingPolls: 1, fail: { code: '80007', message: 'Provider rejected the request as invalid' } });
    const run = await runAction(inputs({ 'video-url': urls.join('\n'), concurrency: '2' }));
    expect(run.code).toBe(1);
    expect(emulator.apiRequests('submit')).toHaveLength(4);

    const list = results(run);
    expect(list.map((result) => result.status)).toEqual(['completed', 'failed', 'completed', 'completed']);
    expect(list[1]!.error).toMatch(/^Task task_\w+ failed on reApi \(code 80007: Provider rejected the request as invalid\)/);
    expect(list.filter((result) => result.error === null)).toHaveLength(3);
    expect(run.outputs.status).toBe('failed');
    expect(JSON.parse(run.outputs['video-urls']!)).toHaveLength(3);

    // One annotation for the failed clip, then the step's one-line summary.
    expect(run.errors).toHaveLength(2);
    expect(run.errors[0]).toMatch(/^#2 clip-02\.mp4: Task task_\w+ failed on reApi/);
    expect(run.errors[1]).toMatch(/^1 of 4 clips did not complete \(1 failed; see the results output\): #2 clip-02\.mp4 \(task task_\w+\)/);
    expect(run.summary).toContain('1 of 4 clips did not complete');
  });

  it('resumes several task ids, given as the task-ids output of an earlier step, without submitting', async () => {
    const urls = sources(3);
    const first = await runAction(inputs({ 'video-url': urls.join('\n'), wait: 'false' }));
    expect(first.code).toBe(0);
    expect(first.outputs.status).toBe('processing');
    expect(emulator.apiRequests('poll')).toHaveLength(0);
    const ids = JSON.parse(first.outputs['task-ids']!) as string[];
    expect(ids).toHaveLength(3);

    const submitsBefore = emulator.apiRequests('submit').length;
    const resumed = await runAction(inputs({ 'task-id': first.outputs['task-ids']! }));
    expect(resumed.errors).toEqual([]);
    expect(emulator.apiRequests('submit')).toHaveLength(submitsBefore); // zero POSTs
    expect(results(resumed).map((result) => [result.task_id, result.status])).toEqual(ids.map((id) => [id, 'completed']));
    expect(resumed.outputs['task-id']).toBe(ids[0]);

    // And one id per line works as well.
    const again = await runAction(inputs({ 'task-id': ids.join('\n') }));
    expect(again.code).toBe(0);
    expect(emulator.apiRequests('submit')).toHaveLength(submitsBefore);
  });

  it('does not submit clips whose turn comes after the timeout, and says how to pick up the rest', async () => {
    emulator.configure({ processingMs: 60_000 });
    const urls = sources(3);
    const run = await runAction(inputs({ 'video-url': urls.join('\n'), concurrency: '1', timeout: '1.5s' }));
    expect(run.code).toBe(1);
    expect(emulator.apiRequests('submit')).toHaveLength(1); // only the first got its turn
    const list = results(run);
    expect(list.map((result) => result.status)).toEqual(['processing', 'skipped', 'skipped']);
    expect(list[1]!.error).toBe('Not submitted: the timeout ran out before its turn.');
    const taskId = list[0]!.task_id!;
    expect(run.errors.at(-1)).toContain(`Pick up the unfinished tasks without paying again with task-id: ${taskId}`);
  });

  it('names downloads after each source, numbering clips that share a name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reapi-batch-'));
    try {
      // Two sources with the same file name (as from two folders of a CDN).
      const urls = [emulator.sourceUrl('intro.mp4'), `${emulator.sourceUrl('intro.mp4')}?take=2`, emulator.sourceUrl('outro.mp4')];
      const run = await runAction(inputs({ 'video-url': urls.join('\n'), download: 'true', 'download-path': dir }));
      expect(run.errors).toEqual([]);
      const paths = [join(dir, 'intro-2x.mp4'), join(dir, 'intro-2x_2.mp4'), join(dir, 'outro-2x.mp4')];
      expect(JSON.parse(run.outputs['video-paths']!)).toEqual(paths);
      expect(run.outputs['video-path']).toBe(paths[0]);
      expect(results(run).map((result) => result.video_path)).toEqual(paths);
      expect((await readdir(dir)).sort()).toEqual(['intro-2x.mp4', 'intro-2x_2.mp4', 'outro-2x.mp4']);
      for (const path of paths) expect((await readFile(path)).equals(emulator.resultBytes())).toBe(true);
      expect(run.summary).toContain('`intro-2x_2.mp4`');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('preflight', () => {
  it('reads the duration of MP4, MOV and MKV sources over range requests and totals the billable seconds', async () => {
    const urls = [emulator.addFixture('clip-3.2s-faststart.mp4'), emulator.addFixture('clip-2.4s-moov-at-end.mov'), emulator.addFixture('clip-5s.mkv')];
    const run = await runAction(inputs({ 'video-url': urls.join('\n') }));
    expect(run.errors).toEqual([]);
    expect(results(run).map((result) => result.billable_seconds)).toEqual([4, 3, 5]);
    expect(run.outputs['billable-seconds']).toBe('12');
    expect(run.stdout).toContain('Billable seconds: 12');
    // Each source is read with range requests, never fetched whole without one.
    for (const request of emulator.cdnRequests().filter((r) => r.path.startsWith('/sources/'))) {
      expect(request.method === 'HEAD' || typeof request.headers.range === 'string').toBe(true);
    }
    expect(run.summary).toMatch(/\/clip-3\.2s-faststart\.mp4\]\([^)]*\) \| `task_\w+` \| ✅ completed \| 4 \|/);
  });

  it.each([
    ['over 50 MB by Content-Length', { size: 60 * 1024 * 1024 }, /is 60\.0 MiB \(62914560 bytes\), over the upscaler's 50 MB limit/],
    ['a 404', { status: 404 }, /answered (HEAD|GET) with HTTP 404 \(no file there\)/],
    [
      'an HTML page',
      { data: Buffer.from('<!DOCTYPE html><html><body>Sign in</body></html>'), contentType: 'text/html' },
      /is not a video: it is served as text\/html and holds an HTML page/,
    ],
  ])('refuses a source that is %s before anything is submitted', async (_label, source, message) => {
    const url = emulator.addSource('bad.mp4', source);
    const run = await runAction(inputs({ 'video-url': url }));
    expect(run.code).toBe(1);
    expect(emulator.apiRequests()).toHaveLength(0);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(message);
    expect(run.errors[0]).toMatch(/Nothing was submitted\.$/);
    expect(run.outputs.status).toBe('failed');
    expect(run.outputs['task-id']).toBeUndefined();
  });

  it('refuses the whole batch when one source fails preflight, listing it', async () => {
    const good = sources(2);
    const bad = emulator.addSource('missing.mp4', { status: 404 });
    const run = await runAction(inputs({ 'video-url': [good[0], bad, good[1]].join('\n') }));
    expect(run.code).toBe(1);
    expect(emulator.apiRequests()).toHaveLength(0);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/^Preflight refused 1 of 3 sources, so nothing was submitted: #2 missing\.mp4: .*HTTP 404/);
    expect(results(run).map((result) => result.status)).toEqual(['skipped', 'failed', 'skipped']);
  });

  it('checks with a ranged GET when the host refuses HEAD', async () => {
    const url = emulator.addFixture('clip-5s.mkv', 'clip-5s.mkv', { noHead: true });
    const run = await runAction(inputs({ 'video-url': url }));
    expect(run.errors).toEqual([]);
    expect(emulator.sourceRequests('clip-5s.mkv').map((r) => r.method)).toEqual(['HEAD', 'GET']);
    expect(run.outputs['billable-seconds']).toBe('5');
    expect(emulator.apiRequests('submit')).toHaveLength(1);
  });

  it('can be turned off', async () => {
    const url = emulator.addSource('big.mp4', { size: 60 * 1024 * 1024 });
    const run = await runAction(inputs({ 'video-url': url, preflight: 'false' }));
    expect(emulator.cdnRequests()).toHaveLength(0);
    expect(emulator.apiRequests('submit')).toHaveLength(1); // the API refuses it instead (80007)
    expect(run.errors[0]).toContain('reApi error 80007');
  });
});

describe('cost guard', () => {
  it('refuses before any POST when the sources add up to more than max-billable-seconds', async () => {
    const urls = [emulator.addFixture('clip-3.2s-faststart.mp4'), emulator.addFixture('clip-5s.mkv')];
    const run = await runAction(inputs({ 'video-url': urls.join('\n'), 'max-billable-seconds': '8' }));
    expect(run.code).toBe(1);
    expect(emulator.apiRequests()).toHaveLength(0);
    expect(run.errors).toEqual([
      'The sources add up to 9 billable seconds, over max-billable-seconds (8); billable seconds per source: clip-3.2s-faststart.mp4: 4, clip-5s.mkv: 5. Nothing was submitted.',
    ]);
    expect(run.outputs['billable-seconds']).toBe('9');
    expect(results(run).every((result) => result.status === 'skipped')).toBe(true);
  });

  it('refuses when a duration cannot be read, since the limit cannot be checked', async () => {
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('unknown.mp4'), 'max-billable-seconds': '600' }));
    expect(run.code).toBe(1);
    expect(emulator.apiRequests()).toHaveLength(0);
    expect(run.errors[0]).toMatch(/max-billable-seconds is 600, but the duration of unknown\.mp4 could not be read/);
  });

  it('lets a batch within the limit through', async () => {
    const urls = [emulator.addFixture('clip-3.2s-faststart.mp4'), emulator.addFixture('clip-5s.mkv')];
    const run = await runAction(inputs({ 'video-url': urls.join('\n'), 'max-billable-seconds': '9' }));
    expect(run.errors).toEqual([]);
    expect(emulator.apiRequests('submit')).toHaveLength(2);
    expect(run.stdout).toContain('Within max-billable-seconds (9 of 9).');
  });
});

describe('dry run', () => {
  it('checks the sources, prints what would be submitted and sends nothing to the API', async () => {
    const urls = [emulator.addFixture('clip-2.4s-moov-at-end.mov'), emulator.addFixture('clip-5s.mkv')];
    const run = await runAction(inputs({ 'video-url': urls.join('\n'), 'dry-run': 'true', 'upscale-factor': '4x' }));
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(emulator.apiRequests()).toHaveLength(0);
    expect(emulator.cdnRequests().length).toBeGreaterThan(0);
    expect(run.outputs.status).toBe('dry-run');
    expect(run.outputs['billable-seconds']).toBe('8');
    expect(run.outputs['task-id']).toBeUndefined();
    expect(results(run)).toEqual([
      { source: urls[0], task_id: null, status: 'dry-run', video_urls: [], video_path: null, billable_seconds: 3, error: null, ...NOT_REUSED_NOR_PROBED },
      { source: urls[1], task_id: null, status: 'dry-run', video_urls: [], video_path: null, billable_seconds: 5, error: null, ...NOT_REUSED_NOR_PROBED },
    ]);
    expect(run.stdout).toContain(`Would submit ${urls[0]} for 4× upscaling (3 billable seconds).`);
    expect(run.stdout).toContain('2 submissions, 8 billable seconds at 4×.');
    expect(run.summary).toContain('dry run of 2 clips, nothing submitted');
  });

  it('still fails when the run would be refused', async () => {
    const run = await runAction(inputs({ 'video-url': emulator.addFixture('clip-5s.mkv'), 'dry-run': 'true', 'max-billable-seconds': '4' }));
    expect(run.code).toBe(1);
    expect(emulator.apiRequests()).toHaveLength(0);
    expect(run.errors[0]).toMatch(/over max-billable-seconds \(4\)/);
  });
});
