/** The job summary as Markdown: pure renderers, so they can be tested without a runner. */
import type { UploadedArtifact } from '../delivery/artifact';
import { billedSeconds } from '../model/billing';
import { formatBytes, formatElapsed } from '../shared/format';
import type { ClipMedia, ReleaseAssetLink } from '../model/clip';
import type { RunEnd, RunReport } from './outputs';
import { describeUpscale } from '../media/result-check';
import { markdownCode, markdownText } from '../shared/text';
import { redact } from '../shared/redact';
import { reuseDate } from '../skip-unchanged/reuse';
import { resultUrlProblem } from '../shared/validate';
import { SUMMARY_RESUME_TASK, SUMMARY_RESUME_UNFINISHED, resumedFromAttemptCell, taskIdInput } from '../shared/wording';

/** What the summary shows: the run's report, its overall status, the step's failure, and the tasks to resume when it failed. */
export interface SummaryReport extends Omit<RunReport, keyof RunEnd>, Pick<RunEnd, 'outcomes' | 'refused'> {
  status: string;
  /** The step's one failure line (stepFailure), when it failed. */
  failure?: string;
  /** Task ids to pass back as task-id to pick the unfinished ones up without paying again. */
  resumeTaskIds: string[];
}

/**
 * Plain text in a table cell: no pipe or newline breaks the row, and no Markdown or HTML in it is rendered.
 * Secrets are scrubbed before escaping: escaped, `rk_live_…` would read `rk\_live\_…` and no longer match.
 */
export function cell(text: string): string {
  return markdownText(redact(text));
}

function code(text: string): string {
  return markdownCode(redact(text));
}

/** A link, only to a valid absolute http(s) URL; anything else is shown as plain text, not linked. */
export function link(url: string, label = url): string {
  if (resultUrlProblem(url)) return cell(label);
  return `[${cell(label)}](${encodeURI(safeDecode(url)).replace(/\(/g, '%28').replace(/\)/g, '%29')})`;
}

function safeDecode(url: string): string {
  try {
    return decodeURI(url);
  } catch {
    return url;
  }
}

/** A long (often signed) URL shortened for display: host and file name, no query. */
export function shortUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const segments = parsed.pathname.split('/').filter(Boolean);
    const last = segments.at(-1);
    if (!last) return parsed.host;
    return `${parsed.host}/${segments.length > 1 ? '…/' : ''}${safeDecode(last)}`;
  } catch {
    return url;
  }
}

/** A release asset, linked; one the release already held byte for byte says so. */
function releaseAssetCell(asset: ReleaseAssetLink): string {
  return `${link(asset.url, asset.name)}${asset.unchanged ? ' (unchanged, not uploaded again)' : ''}`;
}

function elapsedCell(report: Pick<RunReport, 'elapsedMs' | 'phases'>): string {
  const total = formatElapsed(report.elapsedMs);
  if (report.phases.length === 0) return total;
  return `${total} (${report.phases.map((phase) => `${phase.name} ${formatElapsed(phase.ms)}`).join(' · ')})`;
}

function artifactCell(artifact: UploadedArtifact): string {
  const title = artifact.url ? link(artifact.url, artifact.name) : `${code(artifact.name)} (id ${artifact.id})`;
  const details = [
    artifact.bytes === undefined ? undefined : formatBytes(artifact.bytes),
    artifact.unzipped ? 'the MP4 itself, not zipped' : 'zip',
    artifact.retentionDays === undefined ? 'repository default retention' : `kept ${artifact.retentionDays} day${artifact.retentionDays === 1 ? '' : 's'}`,
  ].filter(Boolean);
  return `${title} · ${details.join(' · ')}`;
}

/** The detailed card of a run with one clip. */
export function renderCard(report: SummaryReport): string {
  const clip = report.outcomes[0];
  const source = clip?.plan.source;
  const failed = report.status === 'failed' || report.failure !== undefined;
  const icon = failed ? '❌' : statusIcon(report.status);
  const rows: [string, string][] = [
    ['Source', source ? link(source, shortUrl(source)) : '(resumed task)'],
    ['Upscale factor', source ? `${report.upscaleFactor}×` : '(as submitted)'],
  ];
  if (clip?.plan.billableSeconds !== undefined) rows.push(['Billable seconds', String(clip.plan.billableSeconds)]);
  rows.push(
    ['Task id', clip?.taskId ? code(clip.taskId) : report.dryRun ? '(dry run: nothing submitted)' : '(none)'],
    ['Status', `${statusIcon(report.status)} ${report.status}`],
    ['Elapsed', elapsedCell(report)],
  );
  if (clip?.reusedFrom) rows.push(['Reused', `${reusedText(clip.reusedFrom.completedAt)} (skip-unchanged: nothing submitted or billed)`]);
  if (clip?.resumedFrom) rows.push(['Resumed', resumedFromAttemptCell(clip.resumedFrom.attempt)]);
  const many = (list: readonly unknown[], one: string, index: number) => (list.length > 1 ? `${one} ${index + 1}` : one);
  clip?.videoUrls.forEach((url, index, all) => rows.push([many(all, 'Result', index), link(url, shortUrl(url))]));
  clip?.files.forEach((file, index, all) => rows.push([many(all, 'Downloaded', index), `${code(file.path)} (${formatBytes(file.bytes)})`]));
  const video = mediaDescription(clip?.media);
  if (video) rows.push(['Video', cell(video)]);
  if (report.artifact) rows.push(['Artifact', artifactCell(report.artifact)]);
  if (report.release) rows.push(['Release', link(report.release.url, shortUrl(report.release.url))]);
  clip?.releaseAssets?.forEach((asset, index, all) => rows.push([many(all, 'Release asset', index), releaseAssetCell(asset)]));
  clip?.bucketObjects?.forEach((object, index, all) => rows.push([many(all, 'Stored', index), code(object)]));
  if (report.failure) rows.push(['Error', cell(report.failure)]);
  const resume = report.resumeTaskIds[0];
  if (resume) rows.push(['Resume', `Re-run with ${code(`task-id: ${resume}`)} ${SUMMARY_RESUME_TASK}`]);
  const table = ['| | |', '|---|---|', ...rows.map(([key, value]) => `| **${key}** | ${value} |`)].join('\n');
  const title = failed ? 'failed' : report.dryRun ? 'dry run, nothing submitted' : report.status === 'completed' ? 'done' : 'still processing';
  return `### ${icon} reApi Topaz Video Upscaler: ${title}\n\n${table}\n`;
}

/** What the upscale did ("854×480 → 1708×960 (2.0×) · 3.2 s → 3.2 s · H.264"), when the verify step read anything. */
function mediaDescription(media: ClipMedia | undefined): string | undefined {
  if (!media) return undefined;
  const description = describeUpscale(media.source, media.result);
  return description === '?' ? undefined : description;
}

/** A reused clip: the earlier task's completion date (the record's, checked ISO 8601 UTC). */
function reusedText(completedAt: string): string {
  return `reused, task of ${cell(reuseDate(completedAt))}`;
}

function statusIcon(status: string): string {
  const icons: Record<string, string> = { completed: '✅', failed: '❌', skipped: '⏭️', 'dry-run': '🧪' };
  return icons[status] ?? '⏳';
}

/** The table of a run with several clips: one row per clip, then the totals, the errors and how to resume. */
export function renderTable(report: SummaryReport): string {
  const clips = report.outcomes;
  const completed = clips.filter((clip) => clip.status === 'completed' && clip.message === undefined).length;
  const failed = report.status === 'failed' || report.failure !== undefined;
  const title = report.dryRun
    ? `dry run of ${clips.length} clips, nothing submitted`
    : failed
      ? `${clips.length - completed} of ${clips.length} clips did not complete`
      : report.status === 'completed'
        ? `${clips.length} clips done`
        : `${clips.length} clips still processing`;
  // What each upscale did (the verify step), when any result was read.
  const media = clips.some((clip) => mediaDescription(clip.media) !== undefined);
  // The bucket column only when some result was stored (result-bucket).
  const stored = clips.some((clip) => clip.bucketObjects !== undefined);
  const storedCell = (objects: readonly string[] = []) => (stored ? ` ${objects.map((object) => code(object)).join('<br>') || '—'} |` : '');
  const lines = [
    `### ${failed ? '❌' : statusIcon(report.status)} reApi Topaz Video Upscaler: ${title}`,
    '',
    `| # | Source | Task | Status | Billable s | Result | Downloaded |${media ? ' Video |' : ''}${report.release ? ' Release asset |' : ''}${stored ? ' Stored |' : ''}`,
    `|---|---|---|---|---|---|---|${media ? '---|' : ''}${report.release ? '---|' : ''}${stored ? '---|' : ''}`,
  ];
  // The release column only when release-tag is set, so other tables stay as narrow as before.
  const releaseCell = (assets: readonly ReleaseAssetLink[] = []) =>
    report.release ? ` ${assets.map((asset) => releaseAssetCell(asset)).join('<br>') || '—'} |` : '';
  for (const clip of clips) {
    const { source, index, billableSeconds } = clip.plan;
    const result = clip.videoUrls.map((url) => link(url, shortUrl(url))).join('<br>');
    const files = clip.files.map((file) => `${code(file.name)} (${formatBytes(file.bytes)})`).join('<br>');
    lines.push(
      `| ${index + 1} | ${source ? link(source, shortUrl(source)) : '(resumed task)'} | ${clip.taskId ? code(clip.taskId) : '—'} | ` +
        `${statusIcon(clip.status)} ${clip.status}${clip.message !== undefined && clip.status === 'completed' ? ' (not delivered)' : ''}` +
        `${clip.reusedFrom ? ` (${reusedText(clip.reusedFrom.completedAt)})` : ''}${clip.resumedFrom ? ` (${resumedFromAttemptCell(clip.resumedFrom.attempt)})` : ''} | ` +
        `${billableSeconds ?? '—'} | ${result || '—'} | ${files || '—'} |${media ? ` ${cell(mediaDescription(clip.media) ?? '—')} |` : ''}${releaseCell(clip.releaseAssets)}${storedCell(clip.bucketObjects)}`,
    );
  }
  const counts = new Map<string, number>();
  for (const clip of clips) counts.set(clip.status, (counts.get(clip.status) ?? 0) + 1);
  // What this run submitted: a reused clip was billed when its task first ran; a refused run shows what it would have been, as its output does.
  const billable = report.refused ? report.billableSeconds : billedSeconds(clips);
  const bytes = clips.reduce((sum, clip) => sum + clip.files.reduce((total, file) => total + file.bytes, 0), 0);
  const fileCount = clips.reduce((sum, clip) => sum + clip.files.length, 0);
  lines.push(
    `| | **Total** | | ${[...counts].map(([status, count]) => `${count} ${status}`).join(', ')} | ${billable ?? '—'} | ` +
      `${clips.reduce((sum, clip) => sum + clip.videoUrls.length, 0)} | ${fileCount > 0 ? `${fileCount} (${formatBytes(bytes)})` : '—'} |${media ? ' |' : ''}` +
      (report.release ? ` ${clips.reduce((sum, clip) => sum + (clip.releaseAssets?.length ?? 0), 0)} |` : '') +
      (stored ? ` ${clips.reduce((sum, clip) => sum + (clip.bucketObjects?.length ?? 0), 0)} |` : ''),
  );
  lines.push('', `**Upscale factor** ${report.upscaleFactor}× · **Concurrency** ${report.concurrency} · **Elapsed** ${elapsedCell(report)}`);
  if (report.artifact) lines.push('', `**Artifact** ${artifactCell(report.artifact)}`);
  if (report.release) lines.push('', `**Release** ${link(report.release.url, shortUrl(report.release.url))}`);
  const errors = clips.filter((clip) => clip.message !== undefined);
  if (errors.length > 0) {
    lines.push('', '**Errors**', '');
    for (const clip of errors) lines.push(`- #${clip.plan.index + 1}: ${cell(clip.message ?? '')}`);
  }
  if (report.failure && errors.length === 0) lines.push('', `**Error** ${cell(report.failure)}`);
  if (report.resumeTaskIds.length > 0) {
    lines.push('', `**Resume** Re-run with ${code(taskIdInput(report.resumeTaskIds))} ${SUMMARY_RESUME_UNFINISHED}`);
  }
  return `${lines.join('\n')}\n`;
}
