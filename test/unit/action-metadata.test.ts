/**
 * action.yml against GitHub's metadata syntax for actions, as a hand-written
 * JSON Schema (test/schema/action.schema.json) validated with ajv.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTION_FILE, parseActionMetadata, readActionMetadata, REPO_ROOT, type ActionMetadata } from '../../scripts/lib/action-metadata';

let validate: ValidateFunction;
let action: ActionMetadata;

beforeAll(async () => {
  const schema = JSON.parse(await readFile(resolve(import.meta.dirname, '../schema/action.schema.json'), 'utf8')) as object;
  validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
  action = await readActionMetadata();
});

function errorsOf(metadata: unknown): string[] {
  return validate(metadata) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** A metadata document being broken on purpose, one field at a time. */
interface Draft {
  [key: string]: unknown;
  runs: Record<string, unknown>;
  inputs: Record<string, Record<string, unknown>>;
  outputs: Record<string, Record<string, unknown>>;
  branding: Record<string, unknown>;
}

function validMetadata(): Draft {
  return {
    name: 'Example',
    description: 'Does one thing well.',
    inputs: { 'api-key': { description: 'Key.', required: true }, mode: { description: 'Mode.', default: 'fast' } },
    outputs: { result: { description: 'Result.' } },
    runs: { using: 'node24', main: 'dist/index.js' },
    branding: { icon: 'film', color: 'purple' },
  };
}

describe('action.yml', () => {
  it('matches the metadata schema', () => {
    expect(errorsOf(action)).toEqual([]);
  });

  it('parses without duplicate keys', async () => {
    const text = await readFile(ACTION_FILE, 'utf8');
    expect(() => parseActionMetadata(text)).not.toThrow();
    expect(() => parseActionMetadata('name: a\nname: b\n')).toThrow(/unique/i);
  });

  it('runs an existing bundle on node24', () => {
    expect(action.runs.using).toBe('node24');
    for (const file of [action.runs.main, action.runs.pre, action.runs.post].filter((f): f is string => f !== undefined)) {
      expect(existsSync(resolve(REPO_ROOT, file)), `${file} exists`).toBe(true);
    }
  });

  it('uses lower-case kebab-case ids, and no default on a required input', () => {
    for (const id of [...Object.keys(action.inputs ?? {}), ...Object.keys(action.outputs ?? {})]) {
      expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    }
    for (const [id, input] of Object.entries(action.inputs ?? {})) {
      if (input.required === true) expect(input.default, `required input ${id} has a default`).toBeUndefined();
    }
  });
});

describe('the metadata schema', () => {
  it('accepts a valid document', () => {
    expect(errorsOf(validMetadata())).toEqual([]);
  });

  it.each([
    [
      'an old runtime (node12)',
      (m: Draft) => {
        m.runs.using = 'node12';
      },
    ],
    [
      'node20',
      (m: Draft) => {
        m.runs.using = 'node20';
      },
    ],
    [
      'a composite action',
      (m: Draft) => {
        m.runs = { using: 'composite', steps: [] };
      },
    ],
    [
      'no runs.main',
      (m: Draft) => {
        delete m.runs.main;
      },
    ],
    [
      'an unknown top-level key',
      (m: Draft) => {
        m.version = '1.0.0';
      },
    ],
    [
      'no name',
      (m: Draft) => {
        delete m.name;
      },
    ],
    [
      'no description',
      (m: Draft) => {
        delete m.description;
      },
    ],
    [
      'a description the Marketplace refuses (125 characters)',
      (m: Draft) => {
        m.description = 'x'.repeat(125);
      },
    ],
    [
      'an input without a description',
      (m: Draft) => {
        delete m.inputs.mode!.description;
      },
    ],
    [
      'an empty input description',
      (m: Draft) => {
        m.inputs.mode!.description = '';
      },
    ],
    [
      'an output without a description',
      (m: Draft) => {
        m.outputs.result = {};
      },
    ],
    [
      'a composite-style output value',
      (m: Draft) => {
        m.outputs.result!.value = '${{ steps.x.outputs.y }}';
      },
    ],
    [
      'a numeric default',
      (m: Draft) => {
        m.inputs.mode!.default = 2;
      },
    ],
    [
      'a boolean default',
      (m: Draft) => {
        m.inputs.mode!.default = true;
      },
    ],
    [
      'required as a string',
      (m: Draft) => {
        m.inputs.mode!.required = 'false';
      },
    ],
    [
      'an unknown input key',
      (m: Draft) => {
        m.inputs.mode!.type = 'string';
      },
    ],
    [
      'an input id starting with a digit',
      (m: Draft) => {
        m.inputs['2x'] = { description: 'Bad id.' };
      },
    ],
    [
      'an input id with a dot',
      (m: Draft) => {
        m.inputs['a.b'] = { description: 'Bad id.' };
      },
    ],
    [
      'an omitted Feather icon (coffee)',
      (m: Draft) => {
        m.branding.icon = 'coffee';
      },
    ],
    [
      'a brand icon (github)',
      (m: Draft) => {
        m.branding.icon = 'github';
      },
    ],
    [
      'an unknown colour',
      (m: Draft) => {
        m.branding.color = 'pink';
      },
    ],
    [
      'branding without a colour',
      (m: Draft) => {
        delete m.branding.color;
      },
    ],
  ] as [string, (m: Draft) => void][])('rejects %s', (_what, breakIt) => {
    const metadata = validMetadata();
    breakIt(metadata);
    expect(errorsOf(metadata)).not.toEqual([]);
  });
});
