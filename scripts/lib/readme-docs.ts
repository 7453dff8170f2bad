/**
 * Generates README's inputs and outputs tables from action.yml, between marker
 * comments, so the documentation cannot drift from the metadata.
 */
import * as prettier from 'prettier';
import type { ActionMetadata } from './action-metadata';

export type Section = 'inputs' | 'outputs';

export const GENERATED_NOTE = '<!-- Generated from action.yml by `npm run docs`: edit action.yml, not this table. -->';

export function markers(section: Section): { start: string; end: string } {
  return { start: `<!-- ${section}:start -->`, end: `<!-- ${section}:end -->` };
}

/** One table cell: a single line, pipes escaped (GitHub splits cells on them even inside code spans). */
export function cellText(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
}

/** A code span that survives backticks in the value (`${{ runner.temp }}`, `a`b`). */
export function codeSpan(value: string): string {
  const runs = value.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((run) => run.length)) + 1);
  const pad = value.startsWith('`') || value.endsWith('`') || value === '' ? ' ' : '';
  return `${fence}${pad}${value}${pad}${fence}`;
}

function defaultCell(value: string | undefined): string {
  if (value === undefined) return '';
  if (value === '') return "`''`";
  return cellText(codeSpan(value.replace(/\s+/g, ' ')));
}

export function renderInputsTable(action: ActionMetadata): string {
  const rows = Object.entries(action.inputs ?? {}).map(([name, input]) => {
    const description = input.deprecationMessage ? `**Deprecated:** ${input.deprecationMessage} ${input.description}` : input.description;
    return `| ${codeSpan(name)} | ${input.required === true ? 'yes' : 'no'} | ${defaultCell(input.default)} | ${cellText(description)} |`;
  });
  return ['| Input | Required | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function renderOutputsTable(action: ActionMetadata): string {
  const rows = Object.entries(action.outputs ?? {}).map(([name, output]) => `| ${codeSpan(name)} | ${cellText(output.description)} |`);
  return ['| Output | Description |', '| --- | --- |', ...rows].join('\n');
}

/** Replaces what lies between a section's markers; both markers must be present once, in order. */
export function replaceSection(readme: string, section: Section, content: string): string {
  const { start, end } = markers(section);
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < 0 || to < from || readme.indexOf(start, from + 1) >= 0 || readme.indexOf(end, to + 1) >= 0) {
    throw new Error(`README must contain ${start} followed by ${end}, once each.`);
  }
  return `${readme.slice(0, from + start.length)}\n\n${GENERATED_NOTE}\n\n${content}\n\n${readme.slice(to)}`;
}

/** The README as `npm run docs` writes it: tables regenerated, then formatted with the project's Prettier settings. */
export async function generateReadme(readme: string, action: ActionMetadata, readmePath: string): Promise<string> {
  let text = replaceSection(readme, 'inputs', renderInputsTable(action));
  text = replaceSection(text, 'outputs', renderOutputsTable(action));
  const options = (await prettier.resolveConfig(readmePath)) ?? {};
  return prettier.format(text, { ...options, filepath: readmePath });
}

/** Reads a generated table back: one record per row, keyed by the header cells. */
export function parseTable(readme: string, section: Section): Record<string, string>[] {
  const { start, end } = markers(section);
  const body = readme.slice(readme.indexOf(start) + start.length, readme.indexOf(end));
  const lines = body.split('\n').filter((line) => line.trim().startsWith('|'));
  const splitRow = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replace(/\\\|/g, '|'));
  const [header, , ...rows] = lines;
  if (!header) return [];
  const names = splitRow(header);
  return rows.map((row) => Object.fromEntries(splitRow(row).map((cell, i) => [names[i] ?? String(i), cell])));
}

/** The text inside a code span cell (`` `x` `` → x), or the cell as is. */
export function unCode(cell: string): string {
  const match = /^(`+) ?(.*?) ?\1$/.exec(cell);
  return match ? (match[2] as string) : cell;
}
