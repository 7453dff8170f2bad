/**
 * Reads action.yml: the one source of truth for inputs and outputs, shared by
 * the docs generator (`npm run docs`) and the tests that keep README in step.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'yaml';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const ACTION_FILE = resolve(REPO_ROOT, 'action.yml');

export interface ActionInput {
  description: string;
  required?: boolean;
  default?: string;
  deprecationMessage?: string;
}

export interface ActionOutput {
  description: string;
}

export interface ActionMetadata {
  name: string;
  description: string;
  author?: string;
  inputs?: Record<string, ActionInput>;
  outputs?: Record<string, ActionOutput>;
  runs: { using: string; main: string; pre?: string; post?: string };
  branding?: { icon: string; color: string };
}

/** Parses action.yml text; duplicate keys are an error (the runner would silently keep one). */
export function parseActionMetadata(text: string): ActionMetadata {
  return parse(text, { uniqueKeys: true, prettyErrors: true }) as ActionMetadata;
}

export async function readActionMetadata(file = ACTION_FILE): Promise<ActionMetadata> {
  return parseActionMetadata(await readFile(file, 'utf8'));
}
