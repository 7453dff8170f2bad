/** skip-unchanged's pure parts: dates shown for reused tasks, when the cache library warned of a failed save itself, and the summary's reuse rows. */
import { describe, expect, it } from 'vitest';
import type { ClipOutcome } from '../../src/model/clip';
import { libraryWarnedOfSave } from '../../src/skip-unchanged/cache-service-answers';
import { reuseDate } from '../../src/skip-unchanged/reuse';
import { renderCard, renderTable, type SummaryReport } from '../../src/report/summary';

describe('reuseDate', () => {
  it('shows the completion time of a record to the minute, in UTC', () => {
    expect(reuseDate('2026-11-20T08:30:12.345Z')).toBe('2026-11-20 08:30 UTC');
    expect(reuseDate('2026-01-02T23:59:59Z')).toBe('2026-01-02 23:59 UTC');
  });
});

describe('libraryWarnedOfSave', () => {
  it('@actions/cache warns itself when the service took the reservation and the save still failed, or on a 429 with Retry-After', () => {
    expect(libraryWarnedOfSave({ otherFailed: false, failed: false, create: { status: 200, retryAfter: false } })).toBe(true);
    expect(libraryWarnedOfSave({ otherFailed: false, failed: true, create: { status: 429, retryAfter: true } })).toBe(true);
    // No reservation was asked for (the archive could not be made): the library warns of that too.
    expect(libraryWarnedOfSave({ otherFailed: false, failed: false })).toBe(true);
  });

  it('it only logs info when the service refused the reservation at the HTTP level: then the warning is ours to give', () => {
    expect(libraryWarnedOfSave({ otherFailed: false, failed: true, create: { status: 429, retryAfter: false } })).toBe(false);
    expect(libraryWarnedOfSave({ otherFailed: false, failed: true, create: { status: 503, retryAfter: false } })).toBe(false);
    expect(libraryWarnedOfSave({ otherFailed: false, failed: true, create: { retryAfter: false } })).toBe(false);
  });
});

function outcome(index: number, extra: Partial<ClipOutcome> = {}): ClipOutcome {
  return {
    plan: { index, source: `https://cdn.example.com/clip-${index + 1}.mp4`, billableSeconds: 4 },
    status: 'completed',
    taskId: `task_${index + 1}`,
    videoUrls: [`https://cdn.reapi.ai/media/tasks/${index + 1}/0.mp4`],
    files: [],
    ...extra,
  };
}

function report(outcomes: ClipOutcome[]): SummaryReport {
  return { upscaleFactor: '2', concurrency: 2, dryRun: false, outcomes, elapsedMs: 1000, phases: [], status: 'completed', resumeTaskIds: [] };
}

describe('the summary of reused clips', () => {
  const reused = { reusedFrom: { completedAt: '2026-11-20T08:30:00.000Z' } };

  it('the card has a row with the original task date', () => {
    const text = renderCard(report([outcome(0, reused)]));
    expect(text).toContain('| **Reused** | reused, task of 2026-11-20 08:30 UTC (skip-unchanged: nothing submitted or billed) |');
    expect(renderCard(report([outcome(0)]))).not.toContain('Reused');
  });

  it('the table marks reused rows with the date and counts only submitted clips in the billable total', () => {
    const text = renderTable(report([outcome(0, reused), outcome(1)]));
    expect(text).toContain('✅ completed (reused, task of 2026-11-20 08:30 UTC) | 4 |');
    expect(text).toMatch(/\| \| \*\*Total\*\* \| \| 2 completed \| 4 \|/);
  });
});
