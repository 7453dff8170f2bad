import { tally, taskIdInput } from './batch';
import { formatBytes } from './download';
import * as emit from './emit';
import { totalBillableSeconds } from './preflight';
import { formatElapsed } from './poll';
import { markdownCode, markdownText } from './text';
import { resultUrlProblem } from './validate';

/** Time spent in one phase of the run, for the summary. */
export interface Phase {
  name: string;
  ms: number;
}

/** A result saved on the runner. */
export interface ReportedFile {
  name: string;
  path: string;
  bytes: number;
}

/** The workflow artifact holding the result(s). */
export interface ReportedArtifact {
  name: string;
  id: number;
  url?: string;
  bytes?: number;
  /** True for a single MP4 uploaded as is, false for a zip. */
  unzipped: boolean;
  retentionDays?: number;
}

/** What one run did, for the job summary. */
export interface RunReport {
  source?: string;
  upscaleFactor: string;
  taskId?: string;
  status: string;
  elapsedMs: number;
  /** Time per phase, in order (submit and wait, download, artifact upload). */
  phases?: Phase[];
  videoUrls: string[];
  files?: ReportedFile[];
  artifact?: ReportedArtifact;
  /** One-line failure, when the run failed. */
  error?: string;
  /** Set when re-running with this task id picks the task up without paying again. */
  resumeTaskId?: string;
  /** `ceil(duration)` of the source, from preflight. */
  billableSeconds?: number;
  /** Checked, nothing submitted. */
  dryRun?: boolean;
}

/** One clip of a batch, for the summary table. */
export interface ReportedClip {
  index: number;
  source?: string;
  taskId?: string;
  status: string;
  videoUrls: string[];
  files: ReportedFile[];
  billableSeconds?: number;
  error?: string;
}

/** What a run over several clips did. */
export interface BatchReport {
  upscaleFactor: string;
  status: string;
  elapsedMs: number;
  phases?: Phase[];
  clips: ReportedClip[];
  concurrency: number;
  artifact?: ReportedArtifact;
  error?: string;
  /** Task ids to pass back as task-id to pick the unfinished ones up without paying again. */
  resumeTaskIds: string[];
  dryRun?: boolean;
}

/** Plain text in a table cell: no pipe or newline breaks the row, and no Markdown or HTML in it is rendered. */
export function cell(text: string): string {
  return markdownText(text);
}

function code(text: string): string {
  return markdownCode(text);
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

function elapsedCell(report: Pick<RunReport, 'elapsedMs' | 'phases'>): string {
  const total = formatElapsed(report.elapsedMs);
  if (!report.phases || report.phases.length === 0) return total;
  return `${total} (${report.phases.map((phase) => `${phase.name} ${formatElapsed(phase.ms)}`).join(' · ')})`;
}

function artifactCell(artifact: ReportedArtifact): string {
  const title = artifact.url ? link(artifact.url, artifact.name) : `${code(artifact.name)} (id ${artifact.id})`;
  const details = [
    artifact.bytes === undefined ? undefined : formatBytes(artifact.bytes),
    artifact.unzipped ? 'the MP4 itself, not zipped' : 'zip',
    artifact.retentionDays === undefined ? 'repository default retention' : `kept ${artifact.retentionDays} day${artifact.retentionDays === 1 ? '' : 's'}`,
  ].filter(Boolean);
  return `${title} · ${details.join(' · ')}`;
}

/** The job summary as Markdown (kept pure so it can be tested without a runner). */
export function renderSummary(report: RunReport): string {
  const failed = report.status === 'failed' || report.error !== undefined;
  const icon = failed ? '❌' : statusIcon(report.status);
  const rows: [string, string][] = [
    ['Source', report.source ? link(report.source, shortUrl(report.source)) : '(resumed task)'],
    ['Upscale factor', report.source ? `${report.upscaleFactor}×` : '(as submitted)'],
  ];
  if (report.billableSeconds !== undefined) rows.push(['Billable seconds', String(report.billableSeconds)]);
  rows.push(
    ['Task id', report.taskId ? code(report.taskId) : report.dryRun ? '(dry run: nothing submitted)' : '(none)'],
    ['Status', `${statusIcon(report.status)} ${report.status}`],
    ['Elapsed', elapsedCell(report)],
  );
  const many = (list: unknown[], one: string, index: number) => (list.length > 1 ? `${one} ${index + 1}` : one);
  report.videoUrls.forEach((url, index, all) => rows.push([many(all, 'Result', index), link(url, shortUrl(url))]));
  report.files?.forEach((file, index, all) => rows.push([many(all, 'Downloaded', index), `${code(file.path)} (${formatBytes(file.bytes)})`]));
  if (report.artifact) rows.push(['Artifact', artifactCell(report.artifact)]);
  if (report.error) rows.push(['Error', cell(report.error)]);
  if (report.resumeTaskId) {
    rows.push(['Resume', `Re-run with ${code(`task-id: ${report.resumeTaskId}`)} to pick the task up without paying again.`]);
  }
  const table = ['| | |', '|---|---|', ...rows.map(([key, value]) => `| **${key}** | ${value} |`)].join('\n');
  const title = failed ? 'failed' : report.dryRun ? 'dry run, nothing submitted' : report.status === 'completed' ? 'done' : 'still processing';
  return `### ${icon} reApi Topaz Video Upscaler: ${title}\n\n${table}\n`;
}

function statusIcon(status: string): string {
  const icons: Record<string, string> = { completed: '✅', failed: '❌', skipped: '⏭️', 'dry-run': '🧪' };
  return icons[status] ?? '⏳';
}

/** The job summary of a batch: one row per clip, then the totals, the errors and how to resume. */
export function renderBatchSummary(report: BatchReport): string {
  const { clips } = report;
  const completed = clips.filter((clip) => clip.status === 'completed' && clip.error === undefined).length;
  const failed = report.status === 'failed' || report.error !== undefined;
  const title = report.dryRun
    ? `dry run of ${clips.length} clips, nothing submitted`
    : failed
      ? `${clips.length - completed} of ${clips.length} clips did not complete`
      : report.status === 'completed'
        ? `${clips.length} clips done`
        : `${clips.length} clips still processing`;
  const lines = [
    `### ${failed ? '❌' : statusIcon(report.status)} reApi Topaz Video Upscaler: ${title}`,
    '',
    '| # | Source | Task | Status | Billable s | Result | Downloaded |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const clip of clips) {
    const result = clip.videoUrls.map((url) => link(url, shortUrl(url))).join('<br>');
    const files = clip.files.map((file) => `${code(file.name)} (${formatBytes(file.bytes)})`).join('<br>');
    lines.push(
      `| ${clip.index + 1} | ${clip.source ? link(clip.source, shortUrl(clip.source)) : '(resumed task)'} | ${clip.taskId ? code(clip.taskId) : '—'} | ` +
        `${statusIcon(clip.status)} ${clip.status}${clip.error !== undefined && clip.status === 'completed' ? ' (not delivered)' : ''} | ` +
        `${clip.billableSeconds ?? '—'} | ${result || '—'} | ${files || '—'} |`,
    );
  }
  const counts = tally(clips.map((clip) => clip.status));
  const billable = totalBillableSeconds(clips);
  const bytes = clips.reduce((sum, clip) => sum + clip.files.reduce((total, file) => total + file.bytes, 0), 0);
  const fileCount = clips.reduce((sum, clip) => sum + clip.files.length, 0);
  lines.push(
    `| | **Total** | | ${[...counts].map(([status, count]) => `${count} ${status}`).join(', ')} | ${billable ?? '—'} | ` +
      `${clips.reduce((sum, clip) => sum + clip.videoUrls.length, 0)} | ${fileCount > 0 ? `${fileCount} (${formatBytes(bytes)})` : '—'} |`,
  );
  lines.push('', `**Upscale factor** ${report.upscaleFactor}× · **Concurrency** ${report.concurrency} · **Elapsed** ${elapsedCell(report)}`);
  if (report.artifact) lines.push('', `**Artifact** ${artifactCell(report.artifact)}`);
  const errors = clips.filter((clip) => clip.error !== undefined);
  if (errors.length > 0) {
    lines.push('', '**Errors**', '');
    for (const clip of errors) lines.push(`- #${clip.index + 1}: ${cell(clip.error ?? '')}`);
  }
  if (report.error && errors.length === 0) lines.push('', `**Error** ${cell(report.error)}`);
  if (report.resumeTaskIds.length > 0) {
    lines.push('', `**Resume** Re-run with ${code(taskIdInput(report.resumeTaskIds))} to pick up the unfinished tasks without paying again.`);
  }
  return `${lines.join('\n')}\n`;
}

/** Appends the Markdown to the job summary; outside a runner (no GITHUB_STEP_SUMMARY) it does nothing. */
export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await emit.appendSummary(markdown);
  } catch (error) {
    emit.warning(`Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`);
  }
}
