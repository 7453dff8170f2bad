import * as core from '@actions/core';
import { formatBytes } from './download';
import { formatElapsed } from './poll';

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
}

/** Markdown-safe table cell: no pipes or newlines break the row. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

function code(text: string): string {
  return `\`${cell(text).replace(/`/g, "'")}\``;
}

function link(url: string, label = url): string {
  return `[${cell(label).replace(/[[\]]/g, '\\$&')}](${encodeURI(safeDecode(url)).replace(/\)/g, '%29')})`;
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

function elapsedCell(report: RunReport): string {
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
  const icon = failed ? '❌' : report.status === 'completed' ? '✅' : '⏳';
  const rows: [string, string][] = [
    ['Source', report.source ? link(report.source, shortUrl(report.source)) : '(resumed task)'],
    ['Upscale factor', report.source ? `${report.upscaleFactor}×` : '(as submitted)'],
    ['Task id', report.taskId ? code(report.taskId) : '(none)'],
    ['Status', `${report.status === 'completed' ? '✅' : report.status === 'failed' ? '❌' : '⏳'} ${report.status}`],
    ['Elapsed', elapsedCell(report)],
  ];
  const many = (list: unknown[], one: string, index: number) => (list.length > 1 ? `${one} ${index + 1}` : one);
  report.videoUrls.forEach((url, index, all) => rows.push([many(all, 'Result', index), link(url, shortUrl(url))]));
  report.files?.forEach((file, index, all) => rows.push([many(all, 'Downloaded', index), `${code(file.path)} (${formatBytes(file.bytes)})`]));
  if (report.artifact) rows.push(['Artifact', artifactCell(report.artifact)]);
  if (report.error) rows.push(['Error', cell(report.error)]);
  if (report.resumeTaskId) {
    rows.push(['Resume', `Re-run with ${code(`task-id: ${report.resumeTaskId}`)} to pick the task up without paying again.`]);
  }
  const table = ['| | |', '|---|---|', ...rows.map(([key, value]) => `| **${key}** | ${value} |`)].join('\n');
  const title = failed ? 'failed' : report.status === 'completed' ? 'done' : 'still processing';
  return `### ${icon} reApi Topaz Video Upscaler: ${title}\n\n${table}\n`;
}

/** Appends the report to the job summary; outside a runner (no GITHUB_STEP_SUMMARY) it does nothing. */
export async function writeSummary(report: RunReport): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(renderSummary(report), true).write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`);
  }
}
