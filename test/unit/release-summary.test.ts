/** release-tag in the pure parts: the summary's asset links, the clip's message after a failed upload, the refusal line. */
import { describe, expect, it } from 'vitest';
import { settleClip, type ClipOutcome, type ClipPlan, type ClipSoFar, type ReleaseAssetLink } from '../../src/model/clip';
import { ReleaseError } from '../../src/shared/errors';
import { renderCard, renderTable, type SummaryReport } from '../../src/report/summary';
import { notSubmitted } from '../../src/shared/wording';

const RELEASE = 'https://github.com/octo-org/video-pipeline/releases/tag/v1.0.0';
const asset = (name: string, unchanged = false): ReleaseAssetLink => ({
  name,
  url: `https://github.com/octo-org/video-pipeline/releases/download/v1.0.0/${name}`,
  unchanged,
});

function outcome(index: number, assets?: ReleaseAssetLink[]): ClipOutcome {
  return {
    plan: { index, source: `https://cdn.example.com/clip-${index}.mp4` },
    status: 'completed',
    taskId: `task_${index}`,
    videoUrls: [`https://cdn.reapi.ai/media/${index}.mp4`],
    files: [{ name: `clip-${index}-2x.mp4`, path: `/tmp/clip-${index}-2x.mp4`, bytes: 1024, url: '' }],
    releaseAssets: assets,
  };
}

function report(outcomes: ClipOutcome[], release = true): SummaryReport {
  return {
    upscaleFactor: '2',
    concurrency: 2,
    dryRun: false,
    outcomes,
    elapsedMs: 1000,
    phases: [],
    status: 'completed',
    resumeTaskIds: [],
    release: release ? { url: RELEASE } : undefined,
  };
}

describe('summary with release-tag', () => {
  it('the card links the release and each asset, saying which were unchanged', () => {
    const text = renderCard(report([outcome(0, [asset('a-2x.mp4'), asset('a-2x-2.mp4', true)])]));
    expect(text).toContain(`| **Release** | [github.com/…/v1.0.0](${RELEASE}) |`);
    expect(text).toContain(`| **Release asset 1** | [a-2x.mp4](${asset('a-2x.mp4').url}) |`);
    expect(text).toContain(`| **Release asset 2** | [a-2x-2.mp4](${asset('a-2x-2.mp4').url}) (unchanged, not uploaded again) |`);
  });

  it('the table gets a Release asset column only when release-tag is set; a clip without an asset shows a dash', () => {
    const withRelease = renderTable(report([outcome(0, [asset('a.mp4')]), outcome(1)]));
    const rows = withRelease.split('\n').filter((line) => line.startsWith('|'));
    const columns = (line: string) => line.split(/(?<!\\)\|/).length;
    expect(rows[0]).toBe('| # | Source | Task | Status | Billable s | Result | Downloaded | Release asset |');
    expect(new Set(rows.filter((line) => !line.startsWith('|---')).map(columns)).size).toBe(1);
    expect(rows[2]).toContain(`| [a.mp4](${asset('a.mp4').url}) |`);
    expect(rows[3]?.endsWith('| — |')).toBe(true);
    expect(rows.at(-1)?.endsWith('| 1 |')).toBe(true);
    expect(withRelease).toContain(`**Release** [github.com/…/v1.0.0](${RELEASE})`);

    const without = renderTable(report([outcome(0), outcome(1)], false));
    expect(without).toContain('| # | Source | Task | Status | Billable s | Result | Downloaded |\n');
    expect(without).not.toContain('Release');
  });

  it('an asset name from the network is escaped, not rendered', () => {
    const text = renderCard(report([outcome(0, [{ ...asset('x.mp4'), name: '[evil](https://x.test) <img>' }])]));
    expect(text).toContain('\\[evil\\]\\(https://x.test\\) &lt;img&gt;');
  });
});

describe('a clip whose upload failed', () => {
  it('keeps the upload message and its one resume hint (no second hint appended)', () => {
    const plan: ClipPlan = { index: 0, source: 'https://cdn.example.com/a.mp4' };
    const soFar: ClipSoFar = {
      stage: 'completed',
      taskId: 'task_9',
      videoUrls: ['https://cdn.reapi.ai/media/9.mp4'],
      files: [{ name: 'a-2x.mp4', path: '/tmp/a-2x.mp4', bytes: 10, url: '' }],
    };
    const message =
      'GitHub refused to change a-2x.mp4 in release v1 (HTTP 403): no. Task task_9 is complete: re-run with `task-id: task_9` to upload its result without paying again.';
    const settled = settleClip(plan, soFar, new ReleaseError(message, 403));
    expect(settled.message).toBe(message);
    expect(settled.status).toBe('completed');
  });

  it('a download failure still gets the redeliver hint', () => {
    const plan: ClipPlan = { index: 0, source: 'https://cdn.example.com/a.mp4' };
    const soFar: ClipSoFar = { stage: 'completed', taskId: 'task_9', videoUrls: ['https://cdn.reapi.ai/media/9.mp4'], files: [] };
    const settled = settleClip(plan, soFar, new ReleaseError('The download failed.'));
    expect(settled.message).toBe('The download failed. Task task_9 is completed, so re-running with task-id: task_9 delivers it again without paying.');
  });
});

describe('notSubmitted', () => {
  it('ends the refusal with "Nothing was submitted."', () => {
    expect(notSubmitted('No release has the tag "v9".')).toBe('No release has the tag "v9". Nothing was submitted.');
    expect(notSubmitted('Refused')).toBe('Refused. Nothing was submitted.');
  });
});
