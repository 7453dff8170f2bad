/** Small helpers shared by the benchmarks: timing child processes, medians, the table. */
import { spawn } from 'node:child_process';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface Timed {
  ms: number;
  code: number | null;
  stdout: string;
}

/** Runs a command to its end and returns its wall time in ms (high resolution). */
export function timeCommand(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, code, stdout }));
  });
}

/** Peak RSS in KiB of a command, read from GNU time's -f %M. */
export async function peakRssKiB(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ kib: number; ms: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%M', command, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stderr.trim().split('\n');
      resolve({ kib: Number(lines[lines.length - 1]), ms: performance.now() - started, code });
    });
  });
}

export interface Measured {
  code: number | null;
  stdout: string;
  /** Wall time from spawn to exit, ms. */
  ms: number;
  /** performance.now() at exit. */
  endedAt: number;
  /** Peak RSS in KiB (GNU time's %M). */
  kib: number;
  /** performance.now() when a stdout line first matched `marker`, if one did. */
  markerAt?: number;
}

/**
 * Runs a command under `/usr/bin/time -f %M` with its stdout captured: wall
 * time, peak RSS, and when a given line first appeared (stdout to a pipe is
 * synchronous in Node, so a line arrives when the child writes it).
 */
export function measure(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, marker?: RegExp): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%M', command, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let markerAt: number | undefined;
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (markerAt === undefined && marker?.test(stdout)) markerAt = performance.now();
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => {
      const endedAt = performance.now();
      const lines = stderr.trim().split('\n');
      resolve({ code, stdout, ms: endedAt - started, endedAt, kib: Number(lines[lines.length - 1]), markerAt });
    });
  });
}

/** Environment for running the bundled action as the runner does. */
export function actionEnv(inputs: Record<string, string>, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return env;
}

export interface Row {
  section: string;
  measure: string;
  ours: string;
  baseline: string;
  ratio: string;
}

export const rows: Row[] = [];

export function ratio(ours: number, baseline: number): string {
  return baseline > 0 ? `${(ours / baseline).toFixed(2)}×` : 'n/a';
}

export function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(value < 100 ? 1 : 0)} ms`;
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Decimal megabytes from GNU time's KiB. */
export function rssMb(kib: number): string {
  return `${((kib * 1024) / 1e6).toFixed(1)} MB`;
}

export function renderTable(header: string): string {
  const lines = [header, '', '| Benchmark | Measure | Ours | Baseline | Ratio |', '|---|---|---|---|---|'];
  for (const row of rows) lines.push(`| ${row.section} | ${row.measure} | ${row.ours} | ${row.baseline} | ${row.ratio} |`);
  return lines.join('\n');
}
