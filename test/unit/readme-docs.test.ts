/**
 * The documentation cannot drift: README's inputs and outputs tables are
 * generated from action.yml (`npm run docs`), every docs/*.md page is linked
 * from README, no link points to a missing page or heading, and the error
 * table in docs/troubleshooting.md quotes messages the action really prints.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readActionMetadata, REPO_ROOT, type ActionMetadata } from '../../scripts/lib/action-metadata';
import {
  githubSlug,
  headingAnchors,
  linkProblems,
  readDocPages,
  readLinkCheckedPages,
  repositoryReader,
  unlinkedPages,
  type DocPage,
} from '../../scripts/lib/doc-pages';
import { generateReadme, parseTable, renderInputsTable, replaceSection, unCode } from '../../scripts/lib/readme-docs';

const README = join(REPO_ROOT, 'README.md');
let readme: string;
let action: ActionMetadata;

beforeAll(async () => {
  readme = await readFile(README, 'utf8');
  action = await readActionMetadata();
});

/** What a reader sees in the Default column for a given default. */
function shownDefault(value: string | undefined): string {
  if (value === undefined) return '';
  return value === '' ? "''" : value.replace(/\s+/g, ' ');
}

/** Checks the tables cell by cell, so a failure names the input and the column. */
function expectTablesMatch(text: string, metadata: ActionMetadata): void {
  const inputs = parseTable(text, 'inputs');
  expect(
    inputs.map((row) => unCode(row.Input ?? '')),
    'input names, in action.yml order',
  ).toEqual(Object.keys(metadata.inputs ?? {}));
  for (const row of inputs) {
    const name = unCode(row.Input ?? '');
    const input = metadata.inputs?.[name];
    expect(row.Required, `required flag of ${name}`).toBe(input?.required === true ? 'yes' : 'no');
    expect(unCode(row.Default ?? ''), `default of ${name}`).toBe(shownDefault(input?.default));
    expect(row.Description, `description of ${name}`).toContain(input?.description.replace(/\s+/g, ' ').trim());
  }
  const outputs = parseTable(text, 'outputs');
  expect(
    outputs.map((row) => unCode(row.Output ?? '')),
    'output names, in action.yml order',
  ).toEqual(Object.keys(metadata.outputs ?? {}));
  for (const row of outputs) {
    const name = unCode(row.Output ?? '');
    expect(row.Description, `description of ${name}`).toBe(metadata.outputs?.[name]?.description.replace(/\s+/g, ' ').trim());
  }
}

describe('README inputs and outputs tables', () => {
  it('list exactly the inputs and outputs of action.yml, with the same defaults, required flags and descriptions', () => {
    expectTablesMatch(readme, action);
  });

  it('are byte for byte what `npm run docs` generates', async () => {
    const generated = await generateReadme(readme, action, README);
    expect(readme === generated, 'README.md is out of date with action.yml: run `npm run docs` and commit README.md').toBe(true);
  });

  it('are caught when they drift', async () => {
    const firstInput = Object.keys(action.inputs ?? {})[0] as string;
    const drifted: ActionMetadata = {
      ...action,
      inputs: { ...action.inputs, [firstInput]: { ...action.inputs?.[firstInput], description: 'Changed in action.yml only.', default: 'new' } },
    };
    expect(() => expectTablesMatch(readme, drifted)).toThrow();
    expect(await generateReadme(readme, drifted, README)).not.toBe(readme);
  });
});

describe('the table generator', () => {
  const tricky: ActionMetadata = {
    name: 'x',
    description: 'x',
    runs: { using: 'node24', main: 'dist/index.js' },
    inputs: {
      'download-path': { description: 'Directory for the files (created if missing).', default: '${{ runner.temp }}/reapi-upscaled' },
      'artifact-name': { description: 'Artifact name | optional.\nWhen set, the download is implied.' },
      'retention-days': { description: 'Days to keep the artifact (1-90); empty means the repository default.', default: '' },
      tick: { description: 'A default with a `backtick`.', default: 'a`b' },
      'api-key': { description: 'Key.', required: true },
    },
    outputs: { 'artifact-url': { description: 'Link to the artifact | on the run page.' } },
  };
  const skeleton = '# T\n\n<!-- inputs:start -->\n<!-- inputs:end -->\n\n<!-- outputs:start -->\n<!-- outputs:end -->\n';

  it('renders expressions, pipes, newlines, empty and backtick defaults so they read back unchanged', async () => {
    const text = await generateReadme(skeleton, tricky, README);
    expect(text).toContain('`${{ runner.temp }}/reapi-upscaled`');
    expectTablesMatch(text, tricky);
    expect(await generateReadme(text, tricky, README), 'generation is idempotent').toBe(text);
  });

  it('marks required inputs and leaves optional ones without a default empty', () => {
    const table = renderInputsTable(tricky);
    expect(table).toContain('| `api-key` | yes |  | Key. |');
    expect(table).toMatch(/\| `artifact-name` \| no \| {2}\| Artifact name \\\| optional\. When set/);
  });

  it('refuses a README whose markers are missing, doubled or out of order', () => {
    expect(() => replaceSection('# T\n', 'inputs', 'x')).toThrow(/inputs:start/);
    expect(() => replaceSection('<!-- inputs:end -->\n<!-- inputs:start -->\n', 'inputs', 'x')).toThrow();
    expect(() => replaceSection('<!-- inputs:start -->\n<!-- inputs:end -->\n<!-- inputs:start -->\n', 'inputs', 'x')).toThrow();
  });
});

describe('README.md and the docs/ pages', () => {
  let pages: DocPage[];
  beforeAll(() => {
    pages = readDocPages();
  });

  it('put Inputs and Outputs right after the Quick start, and keep README short (the depth goes to docs/)', () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((match) => match[1]);
    expect(headings.slice(0, 3)).toEqual(['Quick start', 'Inputs', 'Outputs']);
    expect(readme.split('\n').length, 'README.md lines: put new depth on a docs/ page and link it').toBeLessThanOrEqual(320);
  });

  it('link every docs/*.md page from README.md', () => {
    expect(pages.length).toBeGreaterThan(1);
    expect(unlinkedPages(pages)).toEqual([]);
  });

  it('have no link to a missing file or heading (CONTRIBUTING.md included)', () => {
    expect(linkProblems(readLinkCheckedPages(), repositoryReader())).toEqual([]);
  });

  it('a link to a missing page or anchor, or an unlinked page, is caught', () => {
    const fake: DocPage[] = [
      { path: 'README.md', text: '# T\n\n## Quick start\n\nSee [billing](docs/billing.md#the-rates) and [here](#quick-start).\n' },
      { path: 'docs/billing.md', text: '# Billing\n\n## The rates\n\n[Back](../README.md#quick-start), [gone](gone.md), [nope](../README.md#nope)\n' },
      { path: 'docs/orphan.md', text: '# Orphan\n\n```md\n[in a code block](nowhere.md)\n```\n' },
    ];
    expect(linkProblems(fake, () => undefined)).toEqual([
      'docs/billing.md line 5: link to gone.md: docs/gone.md does not exist',
      'docs/billing.md line 5: link to ../README.md#nope: README.md has no heading #nope',
    ]);
    expect(unlinkedPages(fake)).toEqual(['docs/orphan.md']);
  });

  it('name anchors as GitHub does', () => {
    expect(githubSlug('Submit now, collect later (`wait: false` + `task-id`)')).toBe('submit-now-collect-later-wait-false--task-id');
    expect(githubSlug('Clean up (1×) or push to 4K (4×)')).toBe('clean-up-1-or-push-to-4k-4');
    expect([...headingAnchors('# A\n## A\n```sh\n# not a heading\n```\n## B_c\n')]).toEqual(['a', 'a-1', 'b_c']);
  });
});

/** Every module under src/, where the action's messages live. */
function listSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listSources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** What the Error column quotes, "messages" and `codes`, each cut at … into the fixed pieces one source file must hold, in order. */
function quotedMessages(table: string): { quote: string; pieces: string[] }[] {
  const cells = table
    .split('\n')
    .filter((line) => line.startsWith('| ') && !/^\| (Error|-)/.test(line))
    .map((line) => line.split(/(?<!\\)\|/)[1] ?? '');
  return cells.flatMap((cell) =>
    [...cell.matchAll(/"([^"]+)"|`([^`]+)`/g)].map((match) => {
      const quote = match[1] ?? match[2] ?? '';
      const pieces = quote
        .split('…')
        .map((piece) => piece.trim().replace(/:$/, ''))
        .filter((piece) => piece.length > 0);
      return { quote, pieces };
    }),
  );
}

/** True when one of the texts holds every piece, in order. */
function printedBy(texts: readonly string[], pieces: readonly string[]): boolean {
  return texts.some((text) => {
    let from = 0;
    for (const piece of pieces) {
      const at = text.indexOf(piece, from);
      if (at < 0) return false;
      from = at + piece.length;
    }
    return true;
  });
}

describe('the error table in docs/troubleshooting.md', () => {
  let table: string;
  let sources: string[];
  beforeAll(async () => {
    table = await readFile(join(REPO_ROOT, 'docs', 'troubleshooting.md'), 'utf8');
    // `Failed to save: …` and `Failed to restore: …` are the Actions cache library's own warnings.
    const files = [...listSources(join(REPO_ROOT, 'src')), join(REPO_ROOT, 'node_modules', '@actions', 'cache', 'lib', 'cache.js')];
    sources = files.map((file) => readFileSync(file, 'utf8'));
  });

  it('quotes only messages and codes the action prints (each quote in one source file, its pieces in order)', () => {
    const quotes = quotedMessages(table);
    expect(quotes.length).toBeGreaterThan(20);
    expect(quotes.filter(({ pieces }) => !printedBy(sources, pieces)).map(({ quote }) => quote)).toEqual([]);
  });

  it('is caught when a quoted message is not in the source, or its pieces are out of order', () => {
    const drifted = table
      .replace('"Cancelled while waiting"', '"Cancelled while we waited"')
      .replace('"Timed out … waiting for task"', '"waiting for task … Timed out"');
    const unprinted = quotedMessages(drifted).filter(({ pieces }) => !printedBy(sources, pieces));
    expect(unprinted.map(({ quote }) => quote)).toEqual(['waiting for task … Timed out', 'Cancelled while we waited']);
  });
});
