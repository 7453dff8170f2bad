import { describe, expect, it } from 'vitest';
import type { UploadedArtifact } from '../../src/delivery/artifact';
import type { DownloadedFile } from '../../src/delivery/download';
import { cell, renderCard, shortUrl } from '../../src/report/summary';
import type { Phase } from '../../src/shared/timeline';

/** The card's facts, flat: one clip's and the run's. */
interface RunReport {
  source?: string;
  upscaleFactor: string;
  taskId?: string;
  status: string;
  elapsedMs: number;
  phases?: Phase[];
  videoUrls: string[];
  files?: Array<Omit<DownloadedFile, 'url'>>;
  artifact?: UploadedArtifact;
  error?: string;
  resumeTaskId?: string;
}

function renderSummary(report: RunReport): string {
  const files = (report.files ?? []).map((file) => ({ ...file, url: '' }));
  return renderCard({
    upscaleFactor: report.upscaleFactor,
    concurrency: 1,
    dryRun: false,
    status: report.status,
    elapsedMs: report.elapsedMs,
    phases: report.phases ?? [],
    outcomes: [{ plan: { index: 0, source: report.source }, status: 'completed', taskId: report.taskId, videoUrls: report.videoUrls, files }],
    artifact: report.artifact,
    failure: report.error,
    resumeTaskIds: report.resumeTaskId ? [report.resumeTaskId] : [],
  });
}

const completed: RunReport = {
  source: 'https://cdn.example.com/videos/clip.mp4',
  upscaleFactor: '4',
  taskId: 'task_1',
  status: 'completed',
  elapsedMs: 65_000,
  videoUrls: ['https://cdn.reapi.ai/media/tasks/1/0.mp4'],
};

describe('renderSummary', () => {
  it('shows source, factor, task, status, elapsed and the result link', () => {
    const text = renderSummary(completed);
    expect(text).toContain('### ✅ reApi Topaz Video Upscaler: done');
    expect(text).toContain('| **Source** | [cdn.example.com/…/clip.mp4](https://cdn.example.com/videos/clip.mp4) |');
    expect(text).toContain('| **Upscale factor** | 4× |');
    expect(text).toContain('| **Task id** | `task_1` |');
    expect(text).toContain('| **Status** | ✅ completed |');
    expect(text).toContain('| **Elapsed** | 1m 05s |');
    expect(text).toContain('| **Result** | [cdn.reapi.ai/…/0.mp4](https://cdn.reapi.ai/media/tasks/1/0.mp4) |');
    expect(text).not.toContain('**Error**');
    expect(text).not.toContain('**Resume**');
  });

  it('adds the time per phase, the downloaded files and the artifact link', () => {
    const text = renderSummary({
      ...completed,
      videoUrls: ['https://cdn.reapi.ai/media/tasks/1/0.mp4', 'https://cdn.reapi.ai/media/tasks/1/1.mp4'],
      phases: [
        { name: 'upscaling', ms: 61_000 },
        { name: 'download', ms: 2_500 },
        { name: 'artifact upload', ms: 1_500 },
      ],
      files: [
        { name: 'clip-4x-1.mp4', path: '/runner/_temp/reapi-upscaled/clip-4x-1.mp4', bytes: 5 * 1024 * 1024 },
        { name: 'clip-4x-2.mp4', path: '/runner/_temp/reapi-upscaled/clip-4x-2.mp4', bytes: 2048 },
      ],
      artifact: { name: 'upscaled', id: 42, url: 'https://github.com/o/r/actions/runs/1/artifacts/42', bytes: 5 * 1024 * 1024 + 2300, unzipped: false },
    });
    expect(text).toContain('| **Elapsed** | 1m 05s (upscaling 1m 01s · download 2.5s · artifact upload 1.5s) |');
    expect(text).toContain('| **Result 1** | [cdn.reapi.ai/…/0.mp4]');
    expect(text).toContain('| **Result 2** | [cdn.reapi.ai/…/1.mp4]');
    expect(text).toContain('| **Downloaded 1** | `/runner/_temp/reapi-upscaled/clip-4x-1.mp4` (5.0 MiB) |');
    expect(text).toContain('| **Downloaded 2** | `/runner/_temp/reapi-upscaled/clip-4x-2.mp4` (2.0 KiB) |');
    expect(text).toContain('| **Artifact** | [upscaled](https://github.com/o/r/actions/runs/1/artifacts/42) · 5.0 MiB · zip · repository default retention |');
  });

  it('describes an unzipped artifact with its retention, and one without a run link', () => {
    const text = renderSummary({ ...completed, artifact: { name: 'clip.mp4', id: 7, unzipped: true, retentionDays: 1 } });
    expect(text).toContain('| **Artifact** | `clip.mp4` (id 7) · the MP4 itself, not zipped · kept 1 day |');
  });

  it('shows a failure with its error and how to resume', () => {
    const text = renderSummary({
      ...completed,
      error: 'Downloading the result failed after 4 attempts: HTTP 503.',
      resumeTaskId: 'task_1',
    });
    expect(text).toContain('### ❌ reApi Topaz Video Upscaler: failed');
    expect(text).toContain('| **Status** | ✅ completed |'); // the task did complete; delivering it failed
    expect(text).toContain('| **Error** | Downloading the result failed after 4 attempts: HTTP 503. |');
    expect(text).toContain('| **Resume** | Re-run with `task-id: task_1` to pick the task up without paying again. |');
  });

  it('keeps a failure inside its table row and marks a resumed task', () => {
    const text = renderSummary({ upscaleFactor: '2', status: 'failed', elapsedMs: 0, videoUrls: [], error: 'bad | pipe\nnewline' });
    expect(text).toContain('| **Error** | bad \\| pipe newline |');
    expect(text).toContain('| **Source** | (resumed task) |');
    expect(text).toContain('| **Upscale factor** | (as submitted) |');
    expect(text).toContain('| **Status** | ❌ failed |');
  });

  it('escapes table cells and link labels', () => {
    expect(cell('a|b\r\nc')).toBe('a\\|b c');
    const text = renderSummary({ ...completed, source: 'https://cdn.example.com/a%5Db%7Cc.mp4?sig=x' });
    expect(text).toContain('[cdn.example.com/a\\]b\\|c.mp4](https://cdn.example.com/a%5Db%7Cc.mp4?sig=x)');
  });
});

describe('shortUrl', () => {
  it('keeps the host and file name, drops the query', () => {
    expect(shortUrl('https://cdn.reapi.ai/media/tasks/1/0.mp4?X-Amz-Signature=abc')).toBe('cdn.reapi.ai/…/0.mp4');
    expect(shortUrl('https://cdn.example.com/clip.mp4')).toBe('cdn.example.com/clip.mp4');
    expect(shortUrl('https://cdn.example.com/')).toBe('cdn.example.com');
  });
});
