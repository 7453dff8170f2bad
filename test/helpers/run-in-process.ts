/**
 * Runs the action in this process, as `dist/index.js` would run it on a runner but without a child process:
 * `run()` from src/main.ts with the production IO (`coreIO`, i.e. @actions/core), inputs as INPUT_<NAME> variables,
 * and fresh GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files that are read back as the runner reads them. What it returns
 * has the shape of runAction()'s (test/helpers/run-action.ts), so a test reads the same stdout, outputs, summary and
 * `::error::` lines whichever way the action ran.
 *
 * Each run gets a fresh copy of the action's modules (as a new process would: no secret, connection pool or counter
 * left over from the run before), the environment of a runner step instead of the test's own (restored after), and the
 * working directory `cwd`. What needs a process of its own stays in test/e2e: exit codes, signals, proxies, peak RSS,
 * exiting while a socket hangs.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { parseOutputFile, type ActionRun } from './run-action';

export interface InProcessOptions {
  /** Extra environment of the step (runner variables, service URLs). */
  env?: Record<string, string>;
  /** The working directory during the run (default: a fresh temp directory). */
  cwd?: string;
}

export interface InProcessRun extends ActionRun {
  /** What run() resolved to: the step was cancelled. */
  cancelled: boolean;
}

/** @actions/core keeps the job summary's path from its first write: one file per test worker, emptied before each run. */
const SUMMARY_DIR = join(tmpdir(), `reapi-in-process-${process.pid}`);
const SUMMARY_FILE = join(SUMMARY_DIR, 'summary');

/** Variables of the test runner itself that must survive the swap of the environment. */
const KEEP = /^(VITEST|NODE_V8_COVERAGE$|TZ$)/;

/** Replaces process.env's contents with `env` (keeping the test runner's own variables); returns the way back. */
function swapEnvironment(env: Record<string, string>): () => void {
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) if (!KEEP.test(name)) delete process.env[name];
  Object.assign(process.env, env);
  return () => {
    for (const name of Object.keys(process.env)) delete process.env[name];
    Object.assign(process.env, saved);
  };
}

/** Sends what is written to a stream to `sink` instead, until the returned function is called. */
function capture(stream: NodeJS.WriteStream, sink: (text: string) => void): () => void {
  const write = stream.write.bind(stream);
  stream.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  return () => {
    stream.write = write;
  };
}

export async function runInProcess(inputs: Record<string, string>, options: InProcessOptions = {}): Promise<InProcessRun> {
  const dir = await mkdtemp(join(tmpdir(), 'reapi-action-'));
  const outputFile = join(dir, 'output');
  await mkdir(SUMMARY_DIR, { recursive: true });
  await writeFile(outputFile, '');
  await writeFile(SUMMARY_FILE, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    RUNNER_TEMP: dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: SUMMARY_FILE,
    ...options.env,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;

  vi.resetModules();
  const { run } = await import('../../src/main');
  const { coreIO } = await import('../../src/report/reporter');
  const { errorText } = await import('../../src/shared/errors');

  let stdout = '';
  let stderr = '';
  const cwd = process.cwd();
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  const restoreEnvironment = swapEnvironment(env);
  process.chdir(options.cwd ?? dir);
  const restoreStdout = capture(process.stdout, (text) => (stdout += text));
  const restoreStderr = capture(process.stderr, (text) => (stderr += text));
  const warning = (w: Error) => (stderr += `(node:${process.pid}) ${w.name}: ${w.message}\n`);
  process.on('warning', warning);
  const started = Date.now();
  let cancelled: boolean;
  let code: number;
  try {
    cancelled = await run(coreIO()).then(
      (end) => end.cancelled,
      (error: unknown) => {
        // As dist/index.js does: only a failure to report lands here.
        coreIO().setFailed(`The action could not finish reporting: ${errorText(error)}`);
        return false;
      },
    );
  } finally {
    code = Number(process.exitCode ?? 0);
    process.off('warning', warning);
    restoreStderr();
    restoreStdout();
    process.chdir(cwd);
    restoreEnvironment();
    process.exitCode = exitCode;
  }
  const durationMs = Date.now() - started;

  const outputs = parseOutputFile(await readFile(outputFile, 'utf8'));
  const summary = await readFile(SUMMARY_FILE, 'utf8');
  await rm(dir, { recursive: true, force: true });
  const errors = stdout
    .split('\n')
    .filter((line) => line.startsWith('::error'))
    .map((line) => line.replace(/^::error[^:]*::/, ''));
  return { code, signal: null, stdout, stderr, outputs, summary, durationMs, errors, cancelled };
}
