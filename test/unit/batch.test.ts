import { describe, expect, it } from 'vitest';
import { batchFailureMessage, buildClips, clipResults, overallStatus, resumableTaskIds, taskIdInput, totalBillable, type Clip } from '../../src/batch';
import { renderBatchSummary } from '../../src/summary';

function clip(index: number, extra: Partial<Clip> = {}): Clip {
  return { index, source: `https://cdn.example.com/${index + 1}.mp4`, submitted: true, status: 'completed', videoUrls: [], files: [], ...extra };
}

describe('buildClips', () => {
  it('makes one clip per source, in order', () => {
    const clips = buildClips({
      videoUrls: ['https://a.example.com/x/intro.mp4', 'https://b.example.com/y/intro.mov', 'https://a.example.com/outro.mp4'],
      taskIds: [],
    });
    expect(clips.map((c) => [c.index, c.source, c.submitted, c.status])).toEqual([
      [0, 'https://a.example.com/x/intro.mp4', true, 'pending'],
      [1, 'https://b.example.com/y/intro.mov', true, 'pending'],
      [2, 'https://a.example.com/outro.mp4', true, 'pending'],
    ]);
  });

  it('makes resumed clips from task ids, paired with their sources when given', () => {
    expect(buildClips({ videoUrls: [], taskIds: ['task_a', 'task_b'] }).map((c) => [c.taskId, c.source, c.submitted])).toEqual([
      ['task_a', undefined, false],
      ['task_b', undefined, false],
    ]);
    const paired = buildClips({ videoUrls: ['https://x.test/a.mp4', 'https://x.test/a.mov'], taskIds: ['task_a', 'task_b'] });
    expect(paired.map((c) => [c.taskId, c.source])).toEqual([
      ['task_a', 'https://x.test/a.mp4'],
      ['task_b', 'https://x.test/a.mov'],
    ]);
  });
});

describe('overallStatus', () => {
  it('is failed when any clip failed or was skipped, else processing while any runs, else completed', () => {
    expect(overallStatus([clip(0), clip(1)])).toBe('completed');
    expect(overallStatus([clip(0), clip(1, { status: 'processing' })])).toBe('processing');
    expect(overallStatus([clip(0, { status: 'processing' }), clip(1, { status: 'failed' })])).toBe('failed');
    expect(overallStatus([clip(0), clip(1, { status: 'skipped' })])).toBe('failed');
    expect(overallStatus([clip(0, { status: 'dry-run' }), clip(1, { status: 'dry-run' })])).toBe('dry-run');
    // One clip: its own status.
    expect(overallStatus([clip(0, { status: 'processing' })])).toBe('processing');
  });
});

describe('results', () => {
  it('has one object per clip with every documented field, pending ones reported as skipped', () => {
    const clips = [
      clip(0, {
        taskId: 'task_a',
        videoUrls: ['https://r/0.mp4'],
        files: [{ url: 'https://r/0.mp4', path: '/out/1-2x.mp4', name: '1-2x.mp4', bytes: 9 }],
        billableSeconds: 4,
      }),
      clip(1, { status: 'pending', error: 'Not submitted: the timeout ran out before its turn.' }),
    ];
    expect(clipResults(clips)).toEqual([
      {
        source: 'https://cdn.example.com/1.mp4',
        task_id: 'task_a',
        status: 'completed',
        video_urls: ['https://r/0.mp4'],
        video_path: '/out/1-2x.mp4',
        billable_seconds: 4,
        error: null,
      },
      {
        source: 'https://cdn.example.com/2.mp4',
        task_id: null,
        status: 'skipped',
        video_urls: [],
        video_path: null,
        billable_seconds: null,
        error: 'Not submitted: the timeout ran out before its turn.',
      },
    ]);
  });

  it('totals billable seconds only when every duration is known', () => {
    expect(totalBillable([clip(0, { billableSeconds: 4 }), clip(1, { billableSeconds: 5 })])).toBe(9);
    expect(totalBillable([clip(0, { billableSeconds: 4 }), clip(1)])).toBeUndefined();
  });
});

describe('failure message', () => {
  const clips = [
    clip(0, { taskId: 'task_ok' }),
    clip(1, { taskId: 'task_bad', status: 'failed', error: 'Task task_bad failed on reApi (code 80007: too big). Failed jobs are refunded automatically.' }),
    clip(2, { taskId: 'task_slow', status: 'processing', error: 'Timed out after 30s waiting for task task_slow.' }),
    clip(3, { taskId: 'task_dl', status: 'completed', videoUrls: ['https://r/3.mp4'], error: 'Downloading the result failed.' }),
    clip(4, { status: 'skipped', error: 'Not submitted: the timeout ran out before its turn.' }),
  ];

  it('counts, lists and tells how to pick up what can be picked up, on one line', () => {
    const message = batchFailureMessage(clips);
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^4 of 5 clips did not complete \(1 failed, 1 still processing, 1 not delivered, 1 skipped; see the results output\): /);
    expect(message).toContain('#2 2.mp4 (task task_bad): Task task_bad failed on reApi (code 80007: too big)');
    expect(message).toContain('#5 5.mp4: Not submitted');
    expect(message).toMatch(/Pick up the unfinished tasks without paying again with task-id: '\["task_slow","task_dl"\]'\.$/);
  });

  it('resumes running tasks and completed ones that were not delivered, never failed ones', () => {
    expect(resumableTaskIds(clips)).toEqual(['task_slow', 'task_dl']);
    expect(taskIdInput(['task_a'])).toBe('task-id: task_a');
  });

  it('lists at most five clips', () => {
    const many = Array.from({ length: 8 }, (_, index) => clip(index, { status: 'failed', error: `boom ${index}` }));
    expect(batchFailureMessage(many)).toMatch(/boom 4; and 3 more\.$/);
  });
});

describe('renderBatchSummary', () => {
  it('has one row per clip, the totals, the errors and how to resume', () => {
    const text = renderBatchSummary({
      upscaleFactor: '2',
      status: 'failed',
      elapsedMs: 75_000,
      concurrency: 3,
      phases: [{ name: 'preflight', ms: 400 }],
      clips: [
        clip(0, {
          taskId: 'task_a',
          videoUrls: ['https://r.example.com/t/a/0.mp4'],
          files: [{ url: '', path: '/out/1-2x.mp4', name: '1-2x.mp4', bytes: 2048 }],
          billableSeconds: 4,
        }),
        clip(1, { taskId: 'task_b', status: 'processing', billableSeconds: 5, error: 'Timed out | waiting.' }),
      ],
      error: '1 of 2 clips did not complete.',
      resumeTaskIds: ['task_b'],
    });
    expect(text).toContain('### ❌ reApi Topaz Video Upscaler: 1 of 2 clips did not complete');
    expect(text).toContain('| # | Source | Task | Status | Billable s | Result | Downloaded |');
    expect(text).toContain(
      '| 1 | [cdn.example.com/1.mp4](https://cdn.example.com/1.mp4) | `task_a` | ✅ completed | 4 | [r.example.com/…/0.mp4](https://r.example.com/t/a/0.mp4) | `1-2x.mp4` (2.0 KiB) |',
    );
    expect(text).toContain('| 2 | [cdn.example.com/2.mp4](https://cdn.example.com/2.mp4) | `task_b` | ⏳ processing | 5 | — | — |');
    expect(text).toContain('| | **Total** | | 1 completed, 1 processing | 9 | 1 | 1 (2.0 KiB) |');
    expect(text).toContain('**Upscale factor** 2× · **Concurrency** 3 · **Elapsed** 1m 15s (preflight 0.4s)');
    expect(text).toContain('- #2: Timed out \\| waiting.');
    expect(text).toContain('**Resume** Re-run with `task-id: task_b` to pick up the unfinished tasks without paying again.');
  });
});
