/** skip-unchanged's pure parts: dates shown for reused tasks, which warnings count as the cache library's, and the summary's reuse rows. */
import { describe, expect, it } from 'vitest';
import type { ClipOutcome } from '../../src/model/clip';
import { isLibraryWarning } from '../../src/skip-unchanged/actions-cache-store';
import { reuseDate } from '../../src/skip-unchanged/reuse';
import { renderCard, renderTable, type SummaryReport } from '../../src/report/summary';

describe('reuseDate', () => {
  it('shows the completion time of a record to the minute, in UTC', () => {
    expect(reuseDate('2026-11-20T08:30:12.345Z')).toBe('2026-11-20 08:30 UTC');
    expect(reuseDate('2026-01-02T23:59:59Z')).toBe('2026-01-02 23:59 UTC');
  });
});

describe('isLibraryWarning', () => {
  it('counts the warnings @actions/cache prints itself (they are what the user sees about the cache)', () => {
    expect(isLibraryWarning('::warning::Failed to save: Unable to reserve cache with key k\n')).toBe(true);
    expect(isLibraryWarning('::warning::Failed to restore: connect ECONNREFUSED 127.0.0.1:1\n')).toBe(true);
    expect(isLibraryWarning("::warning::You've hit a rate limit, your rate limit will reset in 30 seconds\n")).toBe(true);
    expect(isLibraryWarning('::error::Failed to save: HTTP 500\n')).toBe(true);
  });

  it("does not count the run's own warnings, which another clip may print while a cache call is under way", () => {
    expect(isLibraryWarning("::warning::[clip-2.mp4] Input 'retention-days' has no effect without 'artifact-name'.\n")).toBe(false);
    expect(isLibraryWarning('::warning::skip-unchanged: the Actions cache did not answer within 5 s\n')).toBe(false);
    expect(isLibraryWarning('Failed to save: not a workflow command\n')).toBe(false);
    expect(isLibraryWarning('Cache Size: ~0 MB (142 B)\n')).toBe(false);
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
