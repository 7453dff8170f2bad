/**
 * The verify step on committed ffmpeg results read from disk (as after a
 * download, so no server is needed), the clip's status and message it leads
 * to, and how the preflight line and the summary show the media facts.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settleClip, type ClipOutcome, type ClipPlan, type ClipSoFar } from '../../src/model/clip';
import { VerifyError } from '../../src/shared/errors';
import type { VerifyMode } from '../../src/inputs/parse';
import { describeProbe } from '../../src/source/preflight';
import { clipResults } from '../../src/report/outputs';
import { renderCard, renderTable, type SummaryReport } from '../../src/report/summary';
import { verifyResults, type DeliveredTask } from '../../src/pipeline/verify-step';

const FIXTURES = resolve(import.meta.dirname, '../fixtures');
const SOURCE_MEDIA = { durationSeconds: 3.2, video: { width: 64, height: 36, frameRate: 5, codec: 'avc1' } };
const PLAN: ClipPlan = { index: 0, source: 'https://cdn.example.com/v/clip.mp4', billableSeconds: 4, sourceMedia: SOURCE_MEDIA };

async function saved(...fixtures: string[]): Promise<DeliveredTask> {
  const files = await Promise.all(
    fixtures.map(async (name) => {
      const path = resolve(FIXTURES, name);
      return { url: `https://cdn.example.com/r/${name}`, path, name, bytes: (await stat(path)).size };
    }),
  );
  return { taskId: 'task_abc', videoUrls: files.map((file) => file.url), files };
}

function recordingLog() {
  const lines: string[] = [];
  return { lines, log: { info: (m: string) => lines.push(`info: ${m}`), warning: (m: string) => lines.push(`warning: ${m}`) } };
}

const report = (outcomes: ClipOutcome[]): SummaryReport => ({
  upscaleFactor: '2',
  concurrency: 2,
  dryRun: false,
  outcomes,
  elapsedMs: 1000,
  phases: [],
  status: 'completed',
  resumeTaskIds: [],
});

const ctx = (verify: VerifyMode) => ({ inputs: { verify, upscaleFactor: '2' as const }, signal: new AbortController().signal });

describe('verifyResults', () => {
  it('fills the media facts and logs the upscale for a right result', async () => {
    const task = await saved('result-3.2s-2x-128x72.mp4');
    const { lines, log } = recordingLog();
    const verified = await verifyResults(PLAN, task, ctx('warn'), log);
    expect(verified?.failure).toBeUndefined();
    expect(verified?.media.source).toBe(SOURCE_MEDIA);
    expect(verified?.media.result).toMatchObject({ container: 'mp4', hasVideo: true, video: { width: 128, height: 72, codec: 'avc1' } });
    expect(verified?.media.result?.durationSeconds).toBeCloseTo(3.2, 3);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^info: Result of task task_abc: 64×36 → 128×72 \(2\.0×\) · 3\.2 s → 3\.2 s · H\.264 \(read from the saved file, .+\)\.$/);
  });

  it('warns once under warn, naming the clip, the task, what was expected and found', async () => {
    const task = await saved('fault-too-short-1.6s-128x72.mp4');
    const { lines, log } = recordingLog();
    const verified = await verifyResults(PLAN, task, ctx('warn'), log);
    expect(lines.filter((line) => line.startsWith('warning'))).toEqual([
      "warning: clip.mp4: the result of task task_abc is not what was asked for: expected a duration of 3.2 s (the source's, within one frame, 0.2 s), found 1.6 s.",
    ]);
    expect(verified?.failure).toBeUndefined();
  });

  it('fails the clip under fail, keeping its facts; the message says it can be delivered again without paying', async () => {
    const task = await saved('result-3.2s-1x-64x36.mp4');
    const { lines, log } = recordingLog();
    const verified = await verifyResults(PLAN, task, ctx('fail'), log);
    const error = verified?.failure;
    expect(error).toBeInstanceOf(VerifyError);
    expect(lines.filter((line) => line.startsWith('warning'))).toEqual([]);
    const clip: ClipSoFar = { stage: 'completed', ...task, media: verified?.media };
    const outcome = settleClip(PLAN, clip, error);
    expect(outcome.status).toBe('failed');
    expect(clipResults([outcome])[0]).toMatchObject({ width: 64, height: 36, source_width: 64 });
    expect(renderCard(report([outcome]))).toContain('| **Video** | 64×36 → 64×36 \\(1.0×\\) · 3.2 s → 3.2 s · H.264 |');
    expect(outcome.message).toBe(
      "clip.mp4: the result of task task_abc is not what was asked for: expected a video larger than the source's 64×36 (2× is 128×72), found 64×36. " +
        'Task task_abc is completed, so re-running with task-id: task_abc delivers it again without paying.',
    );
  });

  it('labels each of several results', async () => {
    const task = await saved('result-3.2s-2x-128x72.mp4', 'fault-no-video-3.2s.mp4');
    const { lines, log } = recordingLog();
    const verified = await verifyResults(PLAN, task, ctx('warn'), log);
    expect(lines.filter((line) => line.startsWith('warning'))).toEqual([
      'warning: clip.mp4: the result of task task_abc is not what was asked for: result 2 of 2: expected an MP4 with a video track, found an MP4 without a video track.',
    ]);
    // The outputs tell the first result.
    expect(verified?.media.result?.video?.width).toBe(128);
  });

  it('gives one notice for a result it cannot read: info under warn, warning under fail, never a failure', async () => {
    for (const [mode, level] of [
      ['warn', 'info'],
      ['fail', 'warning'],
    ] as const) {
      const task = await saved('result-3.2s-2x-128x72.mp4');
      const missing = { ...task, files: [{ ...task.files[0]!, path: resolve(FIXTURES, 'missing.mp4') }] };
      const { lines, log } = recordingLog();
      const verified = await verifyResults(PLAN, missing, ctx(mode), log);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^${level}: clip\\.mp4: the result of task task_abc was not checked \\(.*(ENOENT|no such file).*\\)\\.$`));
      expect(verified).toEqual({ media: { source: SOURCE_MEDIA, result: undefined } });
      const outcome = settleClip(PLAN, { stage: 'completed', ...missing, media: verified?.media });
      expect(clipResults([outcome])[0]).toMatchObject({ width: null, height: null, duration: null, source_width: 64, source_height: 36, source_duration: 3.2 });
      expect(renderCard(report([outcome]))).toContain('| **Video** | 64×36 → ? · 3.2 s → ? |');
    }
  });

  it('does nothing under off', async () => {
    const { lines, log } = recordingLog();
    const off = await saved('fault-too-short-1.6s-128x72.mp4');
    expect(await verifyResults(PLAN, off, ctx('off'), log)).toBeUndefined();
    expect(lines).toEqual([]);
  });
});

describe('describeProbe', () => {
  it('names the source’s size, frame rate and codec when the container states them', () => {
    const line = describeProbe({
      url: 'https://h/a.mp4',
      container: 'mp4',
      sizeBytes: 2048,
      durationSeconds: 3.2,
      video: { width: 854, height: 480, frameRate: 30000 / 1001, codec: 'hvc1' },
      billableSeconds: 4,
      bytesFetched: 2048,
      requests: 1,
      warnings: [],
    });
    expect(line).toBe('https://h/a.mp4: MP4/MOV, 2.0 KiB, 854×480, 29.97 fps, H.265/HEVC, 3.2 s → 4 billable seconds (1 requests, 2.0 KiB read)');
  });
});

describe('the summary', () => {
  const media = {
    source: { durationSeconds: 3.2, video: { width: 854, height: 480 } },
    result: { durationSeconds: 3.2, video: { width: 1708, height: 960, codec: 'avc1' } },
  };
  const outcome = (index: number, extra: Partial<ClipOutcome> = {}): ClipOutcome => ({
    plan: { index, source: `https://cdn.example.com/v/clip-${index}.mp4` },
    status: 'completed',
    taskId: `task_${index}`,
    videoUrls: [`https://cdn.example.com/r/${index}.mp4`],
    files: [],
    ...extra,
  });

  it('gives the card a Video row, escaped', () => {
    expect(renderCard(report([outcome(0, { media })]))).toContain('| **Video** | 854×480 → 1708×960 \\(2.0×\\) · 3.2 s → 3.2 s · H.264 |');
    expect(renderCard(report([outcome(0)]))).not.toContain('**Video**');
  });

  it('gives the table a Video column when any clip has one, a dash where a clip has none', () => {
    const table = renderTable(report([outcome(0, { media }), outcome(1)]));
    const lines = table.split('\n');
    expect(lines).toContain('| # | Source | Task | Status | Billable s | Result | Downloaded | Video |');
    expect(lines).toContain('|---|---|---|---|---|---|---|---|');
    const rows = lines.filter((line) => line.startsWith('| 1 |') || line.startsWith('| 2 |') || line.startsWith('| | **Total**'));
    // Every row has as many cells as the header.
    const cells = (row: string) => row.replace(/\\\|/g, '').split('|').length - 2;
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(cells(row)).toBe(8);
    expect(rows[0]).toContain('| 854×480 → 1708×960 \\(2.0×\\) · 3.2 s → 3.2 s · H.264 |');
    expect(rows[1]).toContain('| — |');
    expect(renderTable(report([outcome(0), outcome(1)]))).toContain('| # | Source | Task | Status | Billable s | Result | Downloaded |');
  });
});

describe('results[]', () => {
  it('gives the probed facts of the source and the first result, durations to the millisecond', () => {
    const media = {
      source: SOURCE_MEDIA,
      result: { container: 'mp4' as const, hasVideo: true, durationSeconds: 3.2000000000000002, video: { width: 128, height: 72 } },
    };
    const [entry] = clipResults([{ plan: PLAN, status: 'completed', taskId: 'task_abc', videoUrls: [], files: [], media }]);
    expect(entry).toMatchObject({ width: 128, height: 72, duration: 3.2, source_width: 64, source_height: 36, source_duration: 3.2 });
  });
});
