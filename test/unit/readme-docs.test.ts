/**
 * README's inputs and outputs tables are generated from action.yml
 * (`npm run docs`); these tests fail as soon as the two drift apart.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readActionMetadata, REPO_ROOT, type ActionMetadata } from '../../scripts/lib/action-metadata';
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
