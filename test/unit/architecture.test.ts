/** The shape CONTRIBUTING.md promises: run() readable in one screen, small modules, no import cycles. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');
const modules = readdirSync(SRC).filter((file) => file.endsWith('.ts'));
const source = (file: string) => readFileSync(join(SRC, file), 'utf8');

/** Relative imports of a module (type-only ones included: a cycle of types is still a tangle). */
function importsOf(file: string): string[] {
  const found = [...source(file).matchAll(/^(?:import|export)[^;]*?from '\.\/([\w-]+)'/gms)].map((match) => `${match[1]}.ts`);
  return [...new Set(found)];
}

describe('src/ layout', () => {
  it('keeps main.ts, which holds run(), under 150 lines', () => {
    expect(source('main.ts').split('\n').length).toBeLessThan(150);
  });

  it('keeps every module under 350 lines', () => {
    const long = modules.map((file) => [file, source(file).split('\n').length] as const).filter(([, lines]) => lines > 350);
    expect(long).toEqual([]);
  });

  it('has no import cycles', () => {
    const graph = new Map(modules.map((file) => [file, importsOf(file)]));
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (path.includes(file)) {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    };
    for (const file of modules) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('sees the imports it checks', () => {
    expect(importsOf('main.ts')).toContain('pipeline.ts');
  });
});
