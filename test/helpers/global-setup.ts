/** Says once, before the tests, which Node runs dist/index.js. */
import { ACTION_NODE, actionNodeNotice, actionNodeVersion } from './action-node';

export default function setup(): void {
  console.log(actionNodeNotice ?? `The end-to-end tests run dist/index.js on Node ${actionNodeVersion()} (${ACTION_NODE}).`);
}
