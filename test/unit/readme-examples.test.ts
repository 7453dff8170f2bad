/**
 * Every ```yaml example in the documentation (README.md and each docs/*.md) is
 * valid YAML, passes actionlint (whole workflows as they are, step lists inside
 * a minimal workflow), and uses only inputs and outputs that action.yml declares.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import { readActionMetadata, type ActionMetadata } from '../../scripts/lib/action-metadata';
import { readDocPages } from '../../scripts/lib/doc-pages';
import { formatProblem, lintWorkflow } from '../../scripts/lib/workflow-lint';

const ACTION_REF = /^reapi\/topaz-video-upscaler-action@/;

/** The docs pages that show how to use a feature: each has at least one example ("an example for every feature"). */
const RECIPE_PAGES = [
  'docs/download-and-artifacts.md',
  'docs/submit-and-collect.md',
  'docs/release.md',
  'docs/schedule-and-skip-unchanged.md',
  'docs/several-videos.md',
  'docs/preflight-and-cost-guard.md',
  'docs/verify.md',
  'docs/buckets.md',
];

interface Example {
  /** `docs/release.md line 12`: where a failure points. */
  where: string;
  source: string;
  value: unknown;
  errors: string[];
}

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

function yamlExamples(page: string, markdown: string): Example[] {
  const examples: Example[] = [];
  for (const match of markdown.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)) {
    const source = match[1] as string;
    const doc = parseDocument(source, { uniqueKeys: true, prettyErrors: true });
    examples.push({
      where: `${page} line ${markdown.slice(0, match.index).split('\n').length}`,
      source,
      value: doc.toJS() as unknown,
      errors: [...doc.errors, ...doc.warnings].map((e) => e.message),
    });
  }
  return examples;
}

function isWorkflow(value: unknown): value is { jobs: Record<string, { steps?: Step[] }> } {
  return typeof value === 'object' && value !== null && 'jobs' in value;
}

function stepsOf(value: unknown): Step[] {
  if (Array.isArray(value)) return value as Step[];
  if (isWorkflow(value)) return Object.values(value.jobs).flatMap((job) => job.steps ?? []);
  return [];
}

/** A step list alone is linted inside the smallest workflow that can hold it. */
function asWorkflow(example: Example): string {
  if (isWorkflow(example.value)) return example.source;
  return stringify({ on: 'workflow_dispatch', permissions: { contents: 'read' }, jobs: { example: { 'runs-on': 'ubuntu-latest', steps: example.value } } });
}

let examples: Example[];
let action: ActionMetadata;

beforeAll(async () => {
  examples = readDocPages().flatMap((page) => yamlExamples(page.path, page.text));
  action = await readActionMetadata();
});

describe('the workflow examples of README.md and docs/', () => {
  it('are read from README.md and from every recipe page in docs/', () => {
    const pages = new Set(examples.map((example) => example.where.split(' ')[0]));
    expect(pages).toContain('README.md');
    for (const page of RECIPE_PAGES) expect(pages, `${page} has an example`).toContain(page);
  });

  it('cover every documented feature', () => {
    expect(examples.length).toBeGreaterThanOrEqual(9);
    const all = examples.map((e) => e.source).join('\n');
    const features = ['upscale-factor: 1', 'upscale-factor: 4', 'wait: false', 'task-id:', 'artifact-name:', 'release:', 'schedule:', 'matrix:'];
    features.push('video-file:', 'source-bucket:', 'concurrency:', 'outputs.results', 'outputs.task-ids', 'max-billable-seconds:', 'dry-run: true');
    features.push('download: true', 'download-path:', 'retention-days:', 'release-tag:', 'skip-unchanged: true', 'verify: fail', 'outputs.video-width');
    for (const feature of features) {
      expect(all, feature).toContain(feature);
    }
  });

  it('are valid YAML, each a workflow or a list of steps', () => {
    for (const example of examples) {
      expect(example.errors, example.where).toEqual([]);
      expect(isWorkflow(example.value) || Array.isArray(example.value), `${example.where}: a workflow or a list of steps`).toBe(true);
    }
  });

  it('pass actionlint', async () => {
    for (const example of examples) {
      const problems = await lintWorkflow(asWorkflow(example), `example at ${example.where}`);
      expect(problems.map(formatProblem)).toEqual([]);
    }
  });

  it('actionlint does catch a broken example', async () => {
    const broken = asWorkflow({ where: 'nowhere', source: '', errors: [], value: [{ run: 'echo ${{ steps.nowhere.outputs.video-url }}' }] });
    expect(await lintWorkflow(broken, 'broken.yml')).not.toEqual([]);
  });

  it('use only declared inputs, pass the key from a secret, and read only declared outputs', () => {
    const inputs = new Set(Object.keys(action.inputs ?? {}));
    const outputs = new Set(Object.keys(action.outputs ?? {}));
    let uses = 0;
    for (const example of examples) {
      const ours = stepsOf(example.value).filter((step) => ACTION_REF.test(step.uses ?? ''));
      for (const step of ours) {
        uses++;
        const where = `${example.where}, step ${step.id ?? '(no id)'}`;
        const given = Object.keys(step.with ?? {});
        expect(
          given.filter((name) => !inputs.has(name)),
          `${where}: unknown inputs`,
        ).toEqual([]);
        expect(String(step.with?.['api-key']), `${where}: api-key`).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
        expect(given.includes('video-url') || given.includes('video-file') || given.includes('task-id'), `${where}: a source or a task`).toBe(true);
      }
      const ids = new Set(ours.map((step) => step.id).filter((id): id is string => id !== undefined));
      for (const [, id, name] of example.source.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        if (ids.has(id as string)) expect(outputs.has(name as string), `${example.where}: output ${name}`).toBe(true);
      }
    }
    expect(uses).toBeGreaterThanOrEqual(10);
  });
});
