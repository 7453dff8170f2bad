/**
 * `npm run docs`: regenerates README's inputs and outputs tables from action.yml.
 * `npm run docs -- --check`: changes nothing; exits 1 when README's tables are out of date, a docs/*.md page is not
 * linked from README, or a link in README.md, docs/ or CONTRIBUTING.md points to a missing file or heading.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readActionMetadata, REPO_ROOT } from './lib/action-metadata';
import { linkProblems, readDocPages, readLinkCheckedPages, repositoryReader, unlinkedPages } from './lib/doc-pages';
import { generateReadme } from './lib/readme-docs';

const readmePath = join(REPO_ROOT, 'README.md');
const current = await readFile(readmePath, 'utf8');
const generated = await generateReadme(current, await readActionMetadata(), readmePath);

if (process.argv.includes('--check')) {
  const problems: string[] = [];
  if (generated !== current) problems.push('README.md inputs/outputs tables differ from action.yml: run `npm run docs` and commit README.md.');
  const pages = readDocPages();
  for (const page of unlinkedPages(pages)) problems.push(`${page} is not linked from README.md: add it to the Documentation section.`);
  problems.push(...linkProblems(readLinkCheckedPages(), repositoryReader()));
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) process.exitCode = 1;
  else console.log(`README.md tables match action.yml; ${pages.length - 1} docs pages linked; no broken links.`);
} else if (generated === current) {
  console.log('README.md is up to date.');
} else {
  await writeFile(readmePath, generated);
  console.log('README.md tables regenerated from action.yml.');
}
