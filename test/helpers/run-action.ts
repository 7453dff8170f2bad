/**
 * Runs the bundled action the way the Actions runner does: `node dist/index.js`
 * on the runner's Node (see action-node.ts) in a child process, inputs as INPUT_<NAME> variables, and fresh
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ACTION_NODE } from './action-node';

export const ACTION_ENTRY = resolve(import.meta.dirname, '../../dist/index.js');

export interface ActionRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  durationMs: number;
  /** Lines starting with ::error:: (what the runner shows as the failure). */
  errors: string[];
}

export interface RunOptions {
  /** Extra environment (proxies, runner variables). */
  env?: Record<string, string>;
  /** Called with each chunk of stdout; can signal the child. */
  onStdout?: (text: string, child: { kill: (signal: NodeJS.Signals) => void }) => void;
  /** Kill the child after this long (a safety net; default 60 s). */
  killAfterMs?: number;
  cwd?: string;
}

/** Parses the GITHUB_OUTPUT file format (`name<<delimiter\nvalue\ndelimiter`). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i] as string);
      outputs[name] = value.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      outputs[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return outputs;
}

export async function runAction(inputs: Record<string, string>, options: RunOptions = {}): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'reapi-action-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    RUNNER_TEMP: dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...options.env,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;

  const started = Date.now();
  const child = spawn(ACTION_NODE, [ACTION_ENTRY], { env, cwd: options.cwd ?? dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    options.onStdout?.(text, { kill: (signal) => child.kill(signal) });
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const safety = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 60_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) => child.on('close', (c, s) => done([c, s])));
  clearTimeout(safety);
  const durationMs = Date.now() - started;

  const outputs = parseOutputFile(await readFile(outputFile, 'utf8'));
  const summary = await readFile(summaryFile, 'utf8');
  await rm(dir, { recursive: true, force: true });
  const errors = stdout
    .split('\n')
    .filter((line) => line.startsWith('::error'))
    .map((line) => line.replace(/^::error[^:]*::/, ''));
  return { code, signal, stdout, stderr, outputs, summary, durationMs, errors };
}
