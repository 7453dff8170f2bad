/**
 * The shape CONTRIBUTING.md promises: a thin src/, one folder per job, folders
 * layered so each imports only from the folders below it (type-only and
 * dynamic imports included: a tangle of types is still a tangle), run() readable
 * in one screen, and a folder map that matches the tree.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

/** Lowest first: a folder may import from itself and from the folders before it. */
export const LAYERS = [
  'shared',
  'inputs',
  'http',
  'bucket',
  'media',
  'delivery',
  'model',
  'source',
  'reapi',
  'skip-unchanged',
  'rerun',
  'release',
  'pipeline',
  'report',
  'plan',
] as const;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : name.endsWith('.ts') ? [relative(SRC, path)] : [];
  });
}

const modules = walk(SRC);
const source = (file: string) => readFileSync(join(SRC, file), 'utf8');

/** Relative imports of a module as src-relative file names: static, type-only, re-exports and dynamic import(). */
function importsOf(file: string): string[] {
  const text = source(file);
  const specs = [
    ...[...text.matchAll(/^(?:import|export)[^;]*?from '(\.[^']+)'/gms)].map((match) => match[1] as string),
    ...[...text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g)].map((match) => match[1] as string),
  ];
  return [...new Set(specs.map((spec) => relative(SRC, resolve(SRC, dirname(file), spec)) + '.ts'))];
}

const folderOf = (file: string) => (file.includes('/') ? (file.split('/')[0] as string) : '.');
const rank = (folder: string) => (folder === '.' ? LAYERS.length : LAYERS.indexOf(folder as (typeof LAYERS)[number]));

describe('src/ layout', () => {
  it('keeps at most five files directly in src/', () => {
    const top = modules.filter((file) => !file.includes('/'));
    expect(top.length).toBeLessThanOrEqual(5);
    expect(top).toContain('index.ts');
    expect(top).toContain('main.ts');
  });

  it('puts every other module in one of the layered folders', () => {
    const strays = modules.filter((file) => file.includes('/') && rank(folderOf(file)) < 0);
    expect(strays).toEqual([]);
  });

  it('resolves every relative import to a module that exists', () => {
    const missing = modules.flatMap((file) =>
      importsOf(file)
        .filter((target) => !modules.includes(target))
        .map((target) => `${file} → ${target}`),
    );
    expect(missing).toEqual([]);
  });

  it('imports only downward: a folder uses itself and the folders below it', () => {
    const upward = modules.flatMap((file) =>
      importsOf(file)
        .filter((target) => rank(folderOf(target)) > rank(folderOf(file)))
        .map((target) => `${file} → ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it('has no import cycles between modules', () => {
    const graph = new Map(modules.map((file) => [file, importsOf(file)]));
    const cycles: string[] = [];
    const done = new Set<string>();
    const visit = (file: string, path: string[]) => {
      if (path.includes(file)) {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      if (done.has(file)) return;
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      done.add(file);
    };
    for (const file of modules) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('keeps main.ts, which holds run(), under 150 lines and every module under 350', () => {
    expect(source('main.ts').split('\n').length).toBeLessThan(150);
    const long = modules.map((file) => [file, source(file).split('\n').length] as const).filter(([, lines]) => lines > 350);
    expect(long).toEqual([]);
  });

  it('sees the imports it checks (static, type-only and dynamic)', () => {
    expect(importsOf('main.ts')).toContain('pipeline/run-clip.ts');
    expect(importsOf('main.ts').some((file) => file.startsWith('shared/'))).toBe(true);
    expect(importsOf('report/reporter.ts')).toContain('model/clip.ts');
  });

  it('has a CONTRIBUTING folder map row for each folder, in layer order, and no row for a folder that is gone', () => {
    const contributing = readFileSync(join(ROOT, 'CONTRIBUTING.md'), 'utf8');
    const mapSection = contributing.split('## Folder map')[1]?.split('\n## ')[0] ?? '';
    const rows = [...mapSection.matchAll(/^\| `([\w-]+)\/` /gm)].map((match) => match[1]);
    expect(rows).toEqual([...LAYERS]);
  });
});
