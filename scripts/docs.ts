/**
 * `npm run docs`: regenerates README's inputs and outputs tables from action.yml.
 * `npm run docs -- --check`: exits 1 when README is out of date (changes nothing).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readActionMetadata, REPO_ROOT } from './lib/action-metadata';
import { generateReadme } from './lib/readme-docs';

const readmePath = join(REPO_ROOT, 'README.md');
const current = await readFile(readmePath, 'utf8');
const generated = await generateReadme(current, await readActionMetadata(), readmePath);

if (process.argv.includes('--check')) {
  if (generated !== current) {
    console.error('README.md inputs/outputs tables differ from action.yml: run `npm run docs` and commit README.md.');
    process.exitCode = 1;
  } else {
    console.log('README.md tables match action.yml.');
  }
} else if (generated === current) {
  console.log('README.md is up to date.');
} else {
  await writeFile(readmePath, generated);
  console.log('README.md tables regenerated from action.yml.');
}
