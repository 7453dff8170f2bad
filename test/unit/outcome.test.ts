/** Clip plans and outcomes, the one status decision, the outputs and the failure line: pure logic, no runner. */
import { describe, expect, it } from 'vitest';
import { clipStatus, isResumable, runStatus, settleClip, unrunClip, type ClipOutcome, type ClipPlan, type ClipSoFar } from '../../src/model/clip';
import { ActionError, CancelledError, NotStartedError, RunRefusedError } from '../../src/shared/errors';
import { buildClipPlans } from '../../src/plan/plan';
import { billedSeconds, isSubmitted } from '../../src/model/billing';
import { clipResults, finalStatus, resumableTaskIds, stepFailure } from '../../src/report/outputs';
import { renderTable } from '../../src/report/summary';
import { taskIdInput } from '../../src/shared/wording';

function plan(index: number, extra: Partial<ClipPlan> = {}): ClipPlan {
  return { index, source: `https://cdn.example.com/${index + 1}.mp4`, ...extra };
}

function outcome(index: number, extra: Partial<ClipOutcome> & { billableSeconds?: number } = {}): ClipOutcome {
  const { billableSeconds, ...rest } = extra;
  return { plan: plan(index, { billableSeconds }), status: 'completed', videoUrls: [], files: [], ...rest };
}

function soFar(extra: Partial<ClipSoFar> = {}): ClipSoFar {
  return { stage: 'queued', videoUrls: [], files: [], ...extra };
}

describe('buildClipPlans', () => {
  it('makes one plan per source, in order', () => {
    const plans = buildClipPlans({
      videoUrls: [
        'https://a.example.com/x/intro.mp4',
        'https://b.example.com/y/intro.mov',
        'https://a.example.com/outro.mp4',
        'https://c.example.com/intro.mkv',
      ],
      taskIds: [],
      upscaleFactor: '2',
    });
    expect(plans.map((p) => [p.index, p.resumeTaskId, p.source])).toEqual([
      [0, undefined, 'https://a.example.com/x/intro.mp4'],
      [1, undefined, 'https://b.example.com/y/intro.mov'],
      [2, undefined, 'https://a.example.com/outro.mp4'],
      [3, undefined, 'https://c.example.com/intro.mkv'],
    ]);
  });

  it('makes resumed plans from task ids, paired with their sources when given', () => {
    expect(buildClipPlans({ videoUrls: [], taskIds: ['task_a', 'task_b'], upscaleFactor: '4' }).map((p) => [p.resumeTaskId, p.source])).toEqual([
      ['task_a', undefined],
      ['task_b', undefined],
    ]);
    const paired = buildClipPlans({ videoUrls: ['https://x.test/a.mp4', 'https://x.test/a.mov'], taskIds: ['task_a', 'task_b'], upscaleFactor: '2' });
    expect(paired.map((p) => [p.resumeTaskId, p.source])).toEqual([
      ['task_a', 'https://x.test/a.mp4'],
      ['task_b', 'https://x.test/a.mov'],
    ]);
  });
});

describe('clipStatus', () => {
  it('follows how far the clip got, then what stopped it', () => {
    expect(clipStatus('completed')).toBe('completed');
    expect(clipStatus('completed', new ActionError('download failed'))).toBe('completed');
    expect(clipStatus('failed', new ActionError('task failed'))).toBe('failed');
    expect(clipStatus('running')).toBe('processing');
    expect(clipStatus('running', new CancelledError('Cancelled.'))).toBe('processing');
    expect(clipStatus('queued', new NotStartedError('late'))).toBe('skipped');
    expect(clipStatus('queued', new CancelledError('Cancelled.'))).toBe('skipped');
    expect(clipStatus('queued', new CancelledError('in flight', true))).toBe('failed');
    expect(clipStatus('queued', new ActionError('reApi error 20003'))).toBe('failed');
  });
});

describe('settleClip', () => {
  it('names the task and how to resume it, in one sentence per case', () => {
    const cancelledWaiting = settleClip(plan(0), soFar({ stage: 'running', taskId: 'task_w' }), new CancelledError('Cancelled.'));
    expect(cancelledWaiting.message).toBe(
      'Cancelled while waiting for task task_w; the task keeps running on reApi. Resume it without paying again with task-id: task_w.',
    );
    const notDelivered = settleClip(plan(0), soFar({ stage: 'completed', taskId: 'task_d', videoUrls: ['https://r/0.mp4'] }), new ActionError('HTTP 503'));
    expect(notDelivered.message).toBe('HTTP 503. Task task_d is completed, so re-running with task-id: task_d delivers it again without paying.');
    expect(settleClip(plan(0), soFar(), new CancelledError('Cancelled.')).message).toBe('Cancelled before it was submitted; nothing was billed.');
    const pollFailed = settleClip(plan(0), soFar({ stage: 'running', taskId: 'task_p' }), new ActionError('reApi error 40401'));
    expect(pollFailed.message).toBe('reApi error 40401 (task-id: task_p; Resume it without paying again with task-id: task_p.)');
    expect(settleClip(plan(0), soFar(), new Error('boom')).message).toBe('Unexpected error: boom');
    expect(Object.isFrozen(pollFailed)).toBe(true);
  });
});

describe('runStatus', () => {
  const statuses = (...outcomes: ClipOutcome[]) => runStatus(outcomes.map((o) => o.status));
  it('is failed when any clip failed or was skipped, else processing while any runs, else completed', () => {
    expect(statuses(outcome(0), outcome(1))).toBe('completed');
    expect(statuses(outcome(0), outcome(1, { status: 'processing' }))).toBe('processing');
    expect(statuses(outcome(0, { status: 'processing' }), outcome(1, { status: 'failed' }))).toBe('failed');
    expect(statuses(outcome(0), outcome(1, { status: 'skipped' }))).toBe('failed');
    expect(statuses(outcome(0, { status: 'dry-run' }), outcome(1, { status: 'dry-run' }))).toBe('dry-run');
    expect(statuses(outcome(0, { status: 'processing' }))).toBe('processing');
  });

  it('is nothing at the end of a run that stopped before any clip got anywhere', () => {
    const error = new CancelledError('Cancelled.');
    expect(finalStatus({ outcomes: [outcome(0, { status: 'skipped' })], error })).toBeUndefined();
    expect(finalStatus({ outcomes: [outcome(0, { status: 'skipped' })], error, refused: true })).toBe('failed');
    expect(finalStatus({ outcomes: [outcome(0, { status: 'skipped' })], error, clipsRan: true })).toBe('failed');
    expect(finalStatus({ outcomes: [outcome(0, { status: 'processing', taskId: 'task_a' })], error })).toBe('processing');
    expect(finalStatus({ outcomes: [outcome(0, { status: 'skipped' })] })).toBe('failed');
  });
});

/** The results[] fields of skip-unchanged, release-tag and verify, for a clip none of them touched. */
const UNTOUCHED_BY_NEW_STEPS = {
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

describe('results', () => {
  it('has one object per clip with every documented field', () => {
    const outcomes = [
      outcome(0, {
        taskId: 'task_a',
        videoUrls: ['https://r/0.mp4'],
        files: [{ url: 'https://r/0.mp4', path: '/out/1-2x.mp4', name: '1-2x.mp4', bytes: 9 }],
        billableSeconds: 4,
      }),
      unrunClip(plan(1), 'skipped', 'Not submitted: the timeout ran out before its turn.'),
    ];
    expect(clipResults(outcomes)).toEqual([
      {
        source: 'https://cdn.example.com/1.mp4',
        task_id: 'task_a',
        status: 'completed',
        video_urls: ['https://r/0.mp4'],
        video_path: '/out/1-2x.mp4',
        billable_seconds: 4,
        error: null,
        ...UNTOUCHED_BY_NEW_STEPS,
      },
      {
        source: 'https://cdn.example.com/2.mp4',
        task_id: null,
        status: 'skipped',
        video_urls: [],
        video_path: null,
        billable_seconds: null,
        error: 'Not submitted: the timeout ran out before its turn.',
        ...UNTOUCHED_BY_NEW_STEPS,
      },
    ]);
  });
});

describe('failure line', () => {
  const outcomes = [
    outcome(0, { taskId: 'task_ok' }),
    outcome(1, {
      taskId: 'task_bad',
      status: 'failed',
      message: 'Task task_bad failed on reApi (code 80007: too big). Failed jobs are refunded automatically.',
    }),
    outcome(2, { taskId: 'task_slow', status: 'processing', message: 'Timed out after 30s waiting for task task_slow.' }),
    outcome(3, { taskId: 'task_dl', status: 'completed', videoUrls: ['https://r/3.mp4'], message: 'Downloading the result failed.' }),
    outcome(4, { status: 'skipped', message: 'Not submitted: the timeout ran out before its turn.' }),
  ];

  it('counts, lists and tells how to pick up what can be picked up, on one line', () => {
    const message = stepFailure({ outcomes }) ?? '';
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^4 of 5 clips did not complete \(1 failed, 1 still processing, 1 not delivered, 1 skipped; see the results output\): /);
    expect(message).toContain('#2 2.mp4 (task task_bad): Task task_bad failed on reApi (code 80007: too big)');
    expect(message).toContain('#5 5.mp4: Not submitted');
    expect(message).toMatch(/Pick up the unfinished tasks without paying again with task-id: '\["task_slow","task_dl"\]'\.$/);
  });

  it('resumes running tasks and completed ones that were not delivered, never failed ones', () => {
    expect(resumableTaskIds(outcomes)).toEqual(['task_slow', 'task_dl']);
    expect(outcomes.map(isResumable)).toEqual([false, false, true, true, false]);
    expect(taskIdInput(['task_a'])).toBe('task-id: task_a');
  });

  it('lists at most five clips', () => {
    const many = Array.from({ length: 8 }, (_, index) => outcome(index, { status: 'failed', message: `boom ${index}` }));
    expect(stepFailure({ outcomes: many })).toMatch(/boom 4; and 3 more\.$/);
  });

  it('is the clip’s own message when there is one clip, and the run’s failure alone when it refused the run', () => {
    expect(stepFailure({ outcomes: [outcome(0, { status: 'failed', message: 'It broke.' })] })).toBe('It broke.');
    const refusal = {
      outcomes: [unrunClip(plan(0), 'skipped', 'Not submitted.')],
      error: new RunRefusedError('Refused. Nothing was submitted.'),
      refused: true,
    };
    expect(stepFailure(refusal)).toBe('Refused. Nothing was submitted.');
    expect(stepFailure({ outcomes: [outcome(0)] })).toBeUndefined();
  });
});

describe('renderTable', () => {
  it('has one row per clip, the totals, the errors and how to resume', () => {
    const text = renderTable({
      upscaleFactor: '2',
      status: 'failed',
      elapsedMs: 75_000,
      concurrency: 3,
      dryRun: false,
      phases: [{ name: 'preflight', ms: 400 }],
      outcomes: [
        outcome(0, {
          taskId: 'task_a',
          videoUrls: ['https://r.example.com/t/a/0.mp4'],
          files: [{ url: '', path: '/out/1-2x.mp4', name: '1-2x.mp4', bytes: 2048 }],
          billableSeconds: 4,
        }),
        outcome(1, { taskId: 'task_b', status: 'processing', billableSeconds: 5, message: 'Timed out | waiting.' }),
      ],
      failure: '1 of 2 clips did not complete.',
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

describe('billedSeconds', () => {
  it('counts only what the run submits: not resumed tasks, not reused ones', () => {
    const reused = outcome(1, { billableSeconds: 7, reusedFrom: { completedAt: '2026-11-20T08:30:00.000Z' } });
    expect(billedSeconds([outcome(0, { billableSeconds: 4 }), reused, outcome(2, { billableSeconds: 3 })])).toBe(7);
    expect([outcome(0), reused, unrunClip({ index: 2, resumeTaskId: 'task_r' }, 'processing')].map(isSubmitted)).toEqual([true, false, false]);
  });

  it('adds nothing for a clip resumed from an earlier attempt of the workflow run (that attempt submitted it)', () => {
    const resumed = outcome(1, { billableSeconds: 7, resumedFrom: { attempt: 1 } });
    expect(isSubmitted(resumed)).toBe(false);
    expect(billedSeconds([outcome(0, { billableSeconds: 4 }), resumed])).toBe(4);
    expect(billedSeconds([resumed])).toBe(0);
  });

  it('is unknown when a submitted duration is unknown, and nothing for a run that only resumes tasks', () => {
    expect(billedSeconds([outcome(0, { billableSeconds: 4 }), outcome(1)])).toBeUndefined();
    expect(billedSeconds([unrunClip({ index: 0, resumeTaskId: 'task_r' }, 'processing')])).toBeUndefined();
    // Every source reused: nothing billed, and that is known.
    expect(billedSeconds([outcome(0, { billableSeconds: 4, reusedFrom: { completedAt: '2026-11-20T08:30:00.000Z' } })])).toBe(0);
  });
});
