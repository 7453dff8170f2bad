/**
 * The orchestration in process: run() against the emulator with a recording
 * IO in place of the runner, so a change to main.ts, plan.ts, pipeline.ts or
 * reporter.ts is tested without rebuilding dist/. The end-to-end tests keep
 * checking the bundle itself.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/main';
import { ReapiEmulator } from '../emulator/emulator';
import { RecordingIO } from '../helpers/recording-io';

const emulator = new ReapiEmulator();
beforeAll(() => emulator.start());
afterAll(() => emulator.stop());

let dir: string;
beforeEach(async () => {
  emulator.reset({ processingPolls: 1 });
  dir = await mkdtemp(join(tmpdir(), 'reapi-run-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function io(inputs: Record<string, string>): RecordingIO {
  return new RecordingIO({ 'api-key': 'test-key', 'api-base-url': emulator.apiUrl, 'poll-interval': '0.05', timeout: '20s', ...inputs });
}

describe('run() in process', () => {
  it('one clip: preflight, submit, wait and download in log groups; outputs and the card', async () => {
    const actionIO = io({ 'video-url': emulator.addFixture('clip.mp4', 'clip-3.2s-faststart.mp4'), download: 'true', 'download-path': dir });
    expect(await run(actionIO)).toEqual({ cancelled: false, mustExit: false });
    expect(actionIO.failed).toBeUndefined();
    expect(actionIO.secrets).toEqual(['test-key']);
    const groups = actionIO.lines.filter((line) => line.startsWith('::group::'));
    expect(groups).toEqual([
      '::group::Preflight: checking the source',
      expect.stringMatching(/^::group::Submitting .*clip\.mp4 for 2× upscaling$/),
      expect.stringMatching(/^::group::Waiting for task task_\w+ \(timeout 20s\)$/),
      `::group::Downloading the result to ${dir}`,
    ]);
    const taskId = actionIO.outputs['task-id'] as string;
    expect(actionIO.outputs).toMatchObject({
      status: 'completed',
      'billable-seconds': '4',
      'video-path': join(dir, 'clip-2x.mp4'),
      'task-ids': JSON.stringify([taskId]),
    });
    expect(JSON.parse(actionIO.outputs.results as string)).toEqual([
      expect.objectContaining({ task_id: taskId, status: 'completed', billable_seconds: 4, video_path: join(dir, 'clip-2x.mp4'), error: null }),
    ]);
    expect(actionIO.summary).toContain('### ✅ reApi Topaz Video Upscaler: done');
    expect(actionIO.summary).toContain('| **Billable seconds** | 4 |');
    expect(await readdir(dir)).toEqual(['clip-2x.mp4']);
  });

  it('several clips: prefixed lines, one annotation per failed clip, one failure line, the table', async () => {
    emulator.plan('bad', { processingPolls: 1, fail: { code: '80007', message: 'Provider rejected' } });
    const urls = [emulator.sourceUrl('ok1.mp4'), emulator.sourceUrl('bad.mp4'), emulator.sourceUrl('ok2.mp4')];
    const actionIO = io({ 'video-url': urls.join('\n'), concurrency: '2' });
    await run(actionIO);
    expect(actionIO.lines).toContain('Upscaling 3 clips, at most 2 at a time.');
    expect(actionIO.lines.some((line) => line.startsWith('[#2 bad.mp4] Submitting '))).toBe(true);
    expect(actionIO.lines.filter((line) => line.startsWith('::group::'))).toEqual(['::group::Preflight: checking 3 sources']);
    expect(actionIO.errors[0]).toMatch(/^#2 bad\.mp4: Task task_\w+ failed on reApi \(code 80007: Provider rejected\)/);
    expect(actionIO.failed).toMatch(/^1 of 3 clips did not complete \(1 failed; see the results output\): #2 bad\.mp4 \(task task_\w+\)/);
    expect(actionIO.outputs.status).toBe('failed');
    expect(JSON.parse(actionIO.outputs['video-urls'] as string)).toHaveLength(2);
    expect(actionIO.summary).toContain('| | **Total** | | 2 completed, 1 failed |');
    expect(emulator.peakRunning).toBeLessThanOrEqual(2);
  });

  it('refuses the whole run in preflight without submitting anything', async () => {
    emulator.addSource('missing.mp4', { status: 404 });
    const actionIO = io({ 'video-url': [emulator.sourceUrl('ok.mp4'), `${emulator.cdnUrl}/sources/missing.mp4`].join('\n') });
    await run(actionIO);
    expect(emulator.apiRequests()).toHaveLength(0);
    expect(actionIO.failed).toMatch(/^Preflight refused 1 of 2 sources, so nothing was submitted: #2 missing\.mp4: .*HTTP 404/);
    const results = JSON.parse(actionIO.outputs.results as string) as Array<{ status: string }>;
    expect(results.map((result) => result.status)).toEqual(['skipped', 'failed']);
  });

  it('a dry run sends no API request and reports dry-run', async () => {
    const actionIO = io({ 'video-url': emulator.addFixture('a.mp4', 'clip-3.2s-faststart.mp4'), 'dry-run': 'true', 'upscale-factor': '4' });
    await run(actionIO);
    expect(emulator.apiRequests()).toHaveLength(0);
    expect(actionIO.failed).toBeUndefined();
    expect(actionIO.outputs.status).toBe('dry-run');
    expect(actionIO.lines).toContain('1 submission, 4 billable seconds at 4×.');
  });

  it('clips whose turn comes after the timeout are never submitted', async () => {
    emulator.plan('slow', { never: true });
    const actionIO = io({ 'video-url': [emulator.sourceUrl('slow.mp4'), emulator.sourceUrl('late.mp4')].join('\n'), concurrency: '1', timeout: '1s' });
    await run(actionIO);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
    const results = JSON.parse(actionIO.outputs.results as string) as Array<{ status: string; error: string }>;
    expect(results.map((r) => r.status)).toEqual(['processing', 'skipped']);
    expect(results[1]?.error).toBe('Not submitted: the timeout ran out before its turn.');
  });

  it('a stop signal cancels the wait, names the task and resumes nothing twice', async () => {
    emulator.plan('slow', { never: true });
    const actionIO = io({ 'video-url': emulator.sourceUrl('slow.mp4') });
    const running = run(actionIO);
    while (!actionIO.lines.some((line) => line.startsWith('::group::Waiting'))) await new Promise((resolve) => setTimeout(resolve, 20));
    process.emit('SIGTERM', 'SIGTERM');
    expect(await running).toEqual({ cancelled: true, mustExit: true });
    const taskId = actionIO.outputs['task-id'] as string;
    expect(actionIO.lines).toContain('Received SIGTERM: stopping.');
    expect(actionIO.failed).toBe(
      `Cancelled while waiting for task ${taskId}; the task keeps running on reApi. Resume it without paying again with task-id: ${taskId}.`,
    );
    expect(actionIO.outputs.status).toBe('processing');
  });

  it('a bad input fails with one line before any request, and sets no outputs', async () => {
    const actionIO = io({ 'video-url': 'ftp://example.com/a.mp4' });
    await run(actionIO);
    expect(actionIO.failed).toMatch(/^Input 'video-url' uses the ftp: scheme/);
    expect(actionIO.outputs).toEqual({});
    expect(emulator.requests).toHaveLength(0);
  });
});
