import * as core from '@actions/core';
import { formatElapsed } from './poll';

/** What one run did, for the job summary. */
export interface RunReport {
  source?: string;
  upscaleFactor: string;
  taskId?: string;
  status: string;
  elapsedMs: number;
  videoUrls: string[];
  /** One-line failure, when the run failed. */
  error?: string;
}

/** Markdown-safe table cell: no pipes or newlines break the row. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

function link(url: string, label = url): string {
  return `[${cell(label)}](${encodeURI(decodeURI(url)).replace(/\)/g, '%29')})`;
}

/** The job summary as Markdown (kept pure so it can be tested without a runner). */
export function renderSummary(report: RunReport): string {
  const icon = report.status === 'completed' ? '✅' : report.status === 'failed' || report.error ? '❌' : '⏳';
  const rows: [string, string][] = [
    ['Source', report.source ? link(report.source) : '(resumed task)'],
    ['Upscale factor', `${report.upscaleFactor}×`],
    ['Task id', report.taskId ? `\`${report.taskId}\`` : '(none)'],
    ['Status', `${icon} ${report.status}`],
    ['Elapsed', formatElapsed(report.elapsedMs)],
  ];
  report.videoUrls.forEach((url, index) => rows.push([report.videoUrls.length > 1 ? `Result ${index + 1}` : 'Result', link(url)]));
  if (report.error) rows.push(['Error', cell(report.error)]);
  const table = ['| | |', '|---|---|', ...rows.map(([key, value]) => `| **${key}** | ${value} |`)].join('\n');
  return `### ${icon} reApi Topaz Video Upscaler\n\n${table}\n`;
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
