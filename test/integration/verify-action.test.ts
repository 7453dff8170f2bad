/**
 * The verify step, the action run in process against the emulator: real ffmpeg
 * results on its CDN (test/fixtures), probed with range requests (or read from
 * the downloaded file), checked against the source preflight read, and told in
 * the log, the outputs and the summary.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskPlan } from '../emulator/emulator';
import { useActionFixture } from '../helpers/action-fixture';
import { FakeGitHub } from '../helpers/fake-github';
import type { ActionRun } from '../helpers/run-action';
import { runInProcess as runAction } from '../helpers/run-in-process';

const github = new FakeGitHub();
const fixture = useActionFixture({ reset: { processingPolls: 0, realResults: true }, services: [github], inputs: () => ({ 'upscale-factor': '2' }) });
const { emulator, inputs } = fixture;
afterEach(() => {
  // Result probes go to the CDN without any credential.
  for (const request of emulator.cdnRequests()) {
    expect(request.headers.authorization).toBeUndefined();
    expect(JSON.stringify(request.headers)).not.toContain(emulator.config.apiKey);
  }
});

const SOURCE = 'clip-3.2s-faststart.mp4';
const RIGHT = '64×36 → 128×72 (2.0×) · 3.2 s → 3.2 s · H.264';
const BIG = 8 * 1024 * 1024;

/** Runs the action on the 3.2 s fixture at 2×, its result as `plan` says. */
async function runOn(plan: TaskPlan | undefined, extra: Record<string, string> = {}): Promise<ActionRun> {
  const source = emulator.addFixture(SOURCE);
  if (plan) emulator.plan(SOURCE, plan);
  return runAction(inputs({ 'video-url': source, ...extra }));
}

/** The card's row as Markdown (cell() escapes the parentheses). */
function videoRow(line: string): string {
  return `| **Video** | ${line.replace(/[()]/g, '\\$&')} |`;
}

function warnings(run: ActionRun): string[] {
  return run.stdout
    .split('\n')
    .filter((line) => line.startsWith('::warning'))
    .map((line) => line.replace(/^::warning[^:]*::/, ''));
}

function resultRequests(): string[] {
  return emulator.cdnRequests().flatMap((r) => (r.path.startsWith('/media/') ? [`${r.method} ${(r.headers.range as string | undefined) ?? 'whole'}`] : []));
}

function firstResult(run: ActionRun): Record<string, unknown> {
  return (JSON.parse(run.outputs.results ?? '[]') as Array<Record<string, unknown>>)[0] ?? {};
}

describe('the right result', () => {
  it('says what the upscale did in the log, the outputs and the summary, from one range request', async () => {
    const run = await runOn(undefined);
    expect(run.errors).toEqual([]);
    expect(warnings(run)).toEqual([]);
    expect(run.code).toBe(0);
    // Preflight names the source's size, frame rate and codec.
    expect(run.stdout).toMatch(/clip-3\.2s-faststart\.mp4: MP4\/MOV, [^\n]*64×36, 5 fps, H\.264, 3\.2 s → 4 billable seconds/);
    const taskId = run.outputs['task-id']!;
    expect(run.stdout).toContain(`Result of task ${taskId}: ${RIGHT} (1 request, `);
    expect(run.outputs).toMatchObject({ status: 'completed', 'video-width': '128', 'video-height': '72', 'video-duration': '3.2' });
    expect(firstResult(run)).toMatchObject({ width: 128, height: 72, duration: 3.2, source_width: 64, source_height: 36, source_duration: 3.2 });
    expect(run.summary).toContain(videoRow(RIGHT));
    expect(resultRequests()).toEqual(['GET bytes=0-262143']);
  });
});

describe('faulty results', () => {
  const faults: Array<[NonNullable<TaskPlan['result']>, string, string]> = [
    ['too-short', "expected a duration of 3.2 s (the source's, within one frame, 0.2 s), found 1.6 s", '1.6'],
    ['wrong-size', "expected a video larger than the source's 64×36 (2× is 128×72), found 64×36", '3.2'],
    ['no-video', 'expected an MP4 with a video track, found an MP4 without a video track', '3.2'],
  ];

  it.each(faults)('%s under warn: one warning naming the clip, the task and the problem; exit 0', async (result, problem, duration) => {
    const run = await runOn({ result });
    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    const taskId = run.outputs['task-id']!;
    expect(warnings(run)).toEqual([`${SOURCE}: the result of task ${taskId} is not what was asked for: ${problem}.`]);
    expect(run.outputs.status).toBe('completed');
    expect(run.outputs['video-duration']).toBe(duration);
  });

  it.each(faults)('%s under fail: the step fails naming the clip, expected, found and the task id; exit 1', async (result, problem) => {
    const run = await runOn({ result }, { verify: 'fail' });
    expect(run.code).toBe(1);
    const taskId = run.outputs['task-id']!;
    expect(run.errors).toEqual([
      `${SOURCE}: the result of task ${taskId} is not what was asked for: ${problem}. ` +
        `Task ${taskId} is completed, so re-running with task-id: ${taskId} delivers it again without paying.`,
    ]);
    expect(warnings(run)).toEqual([]);
    expect(run.outputs.status).toBe('failed');
    expect(firstResult(run)).toMatchObject({ status: 'failed', task_id: taskId, source_width: 64, source_height: 36 });
    expect(run.summary).toContain('❌');
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
  });

  it('under fail, a run whose result is right passes', async () => {
    const run = await runOn(undefined, { verify: 'fail' });
    expect(run.code).toBe(0);
    expect(run.outputs['video-width']).toBe('128');
  });
});

describe('results that are right but read differently', () => {
  it('names HEVC without a warning', async () => {
    const run = await runOn({ result: 'hevc' });
    expect(run.code).toBe(0);
    expect(warnings(run)).toEqual([]);
    expect(run.summary).toContain(videoRow('64×36 → 128×72 (2.0×) · 3.2 s → 3.2 s · H.265/HEVC'));
  });

  it('reads a moov at the end of an 8 MiB result with one more range read, within the budget', async () => {
    const run = await runOn({ result: 'moov-at-end', resultPaddingBytes: BIG });
    expect(run.code).toBe(0);
    expect(warnings(run)).toEqual([]);
    expect(run.outputs).toMatchObject({ 'video-width': '128', 'video-height': '72', 'video-duration': '3.2' });
    const reads = resultRequests();
    expect(reads).toHaveLength(2);
    expect(reads[0]).toBe('GET bytes=0-262143');
    expect(reads[1]).toMatch(/^GET bytes=\d+-\d+$/);
    expect(run.summary).toContain(videoRow(RIGHT));
  });

  it('gives one notice, not a warning, when the host refuses ranges and the moov is at the end', async () => {
    const run = await runOn({ result: 'moov-at-end', resultPaddingBytes: BIG, resultIgnoresRange: true });
    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(warnings(run)).toEqual([]);
    const taskId = run.outputs['task-id']!;
    const notice =
      `${SOURCE}: the result of task ${taskId} was not checked ` +
      '(the result host does not support range requests and the movie header is not within the first 256.0 KiB).';
    expect(run.stdout.split('\n').filter((line) => line.includes('was not checked'))).toEqual([notice]);
    expect(run.outputs.status).toBe('completed');
    expect(run.outputs['video-width']).toBeUndefined();
    // The source side is still told.
    expect(firstResult(run)).toMatchObject({ width: null, source_width: 64, source_duration: 3.2 });
    expect(run.summary).toContain(videoRow('64×36 → ? · 3.2 s → ?'));
    expect(resultRequests()).toEqual(['GET bytes=0-262143']);
  });

  it('under fail, an unreadable result is a warning, not a failure', async () => {
    const run = await runOn({ result: 'moov-at-end', resultPaddingBytes: BIG, resultIgnoresRange: true }, { verify: 'fail' });
    expect(run.code).toBe(0);
    expect(warnings(run)).toHaveLength(1);
    expect(warnings(run)[0]).toContain('was not checked (the result host does not support range requests');
  });
});

describe('verify: off', () => {
  it('sends no probe request and reports no media', async () => {
    const run = await runOn({ result: 'too-short' }, { verify: 'off' });
    expect(run.code).toBe(0);
    expect(warnings(run)).toEqual([]);
    expect(resultRequests()).toEqual([]);
    expect(run.outputs['video-width']).toBeUndefined();
    expect(run.outputs['video-duration']).toBeUndefined();
    expect(firstResult(run)).toMatchObject({ width: null, height: null, duration: null });
    expect(run.summary).not.toContain('**Video**');
  });
});

describe('a downloaded result', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'verify-e2e-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is probed from disk: no request to the result host beyond the download itself', async () => {
    const off = await runOn({ result: 'too-short' }, { download: 'true', 'download-path': join(dir, 'off'), verify: 'off' });
    expect(off.code).toBe(0);
    const downloadOnly = resultRequests();
    expect(downloadOnly.length).toBeGreaterThan(0);

    emulator.reset({ processingPolls: 0, realResults: true });
    const run = await runOn({ result: 'too-short' }, { download: 'true', 'download-path': join(dir, 'on') });
    expect(run.code).toBe(0);
    expect(resultRequests()).toEqual(downloadOnly);
    const taskId = run.outputs['task-id']!;
    expect(run.stdout).toContain(`Result of task ${taskId}: 64×36 → 128×72 (2.0×) · 3.2 s → 1.6 s · H.264 (read from the saved file, `);
    expect(warnings(run)).toEqual([
      `${SOURCE}: the result of task ${taskId} is not what was asked for: expected a duration of 3.2 s (the source's, within one frame, 0.2 s), found 1.6 s.`,
    ]);
    expect(run.outputs).toMatchObject({ 'video-width': '128', 'video-height': '72', 'video-duration': '1.6' });
    expect(run.outputs['video-path']).toContain(join(dir, 'on'));
  });
});

describe('with release-tag', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'verify-release-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const releaseInputs = (verify: string) => ({ 'release-tag': 'v1.0.0', 'github-token': github.token, 'download-path': dir, verify });

  it('under fail, a wrong result is checked before the upload and never published', async () => {
    const release = github.addRelease('v1.0.0');
    const source = emulator.addFixture(SOURCE);
    emulator.plan(SOURCE, { result: 'too-short' });
    const run = await runAction(inputs({ 'video-url': source, ...releaseInputs('fail') }), { env: github.env() });
    expect(run.code).toBe(1);
    expect(run.errors[0]).toContain(`the result of task ${run.outputs['task-id']} is not what was asked for`);
    expect(github.requestsTo('uploads', 'POST')).toEqual([]);
    expect(release.assets).toEqual([]);
    expect(run.outputs['release-asset-urls']).toBe('[]');
  });

  it('under warn, the same result is published with a warning', async () => {
    const release = github.addRelease('v1.0.0');
    const source = emulator.addFixture(SOURCE);
    emulator.plan(SOURCE, { result: 'too-short' });
    const run = await runAction(inputs({ 'video-url': source, ...releaseInputs('warn') }), { env: github.env() });
    expect(run.code).toBe(0);
    expect(warnings(run)).toHaveLength(1);
    expect(release.assets.map((asset) => asset.name)).toEqual(['clip-3.2s-faststart-2x.mp4']);
  });
});

describe('a batch', () => {
  it('shows each clip’s upscale in a column of its row, and each clip’s media in results', async () => {
    const sources = [emulator.addFixture(SOURCE), emulator.addFixture('clip-5s.mkv')];
    const run = await runAction(inputs({ 'video-url': sources.join('\n') }));
    expect(run.code).toBe(0);
    expect(warnings(run)).toEqual([]);
    expect(run.summary).toContain('| # | Source | Task | Status | Billable s | Result | Downloaded | Video |');
    const rows = run.summary.split('\n').filter((line) => /^\| [12] \|/.test(line));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain(`| ${RIGHT.replace(/[()]/g, '\\$&')} |`);
    expect(rows[1]).toContain('| 64×36 → 128×72 \\(2.0×\\) · 5.0 s → 5.0 s · H.264 |');
    const results = JSON.parse(run.outputs.results ?? '[]') as Array<Record<string, unknown>>;
    expect(results.map((r) => [r.width, r.height, r.duration, r.source_duration])).toEqual([
      [128, 72, 3.2, 3.2],
      [128, 72, 5, 5],
    ]);
    expect(run.outputs).toMatchObject({ 'video-width': '128', 'video-duration': '3.2' });
  });
});
