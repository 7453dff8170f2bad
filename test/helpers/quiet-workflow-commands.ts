/**
 * Setup file of the unit and integration projects: drops the workflow commands (`::add-mask::…`, `::debug::…`) that
 * code under test writes straight to stdout through @actions/core, as actions/cache does in its own test config.
 * They are for a runner, not for whoever reads the test run. A test that reads stdout patches it itself and sees them.
 */
const WORKFLOW_COMMAND = /^::[a-z-]+( [^:]*)?::/;

const original = process.stdout.write.bind(process.stdout);
const write = (...args: unknown[]): boolean => Reflect.apply(original, undefined, args) as boolean;

process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
  if (typeof chunk !== 'string') return write(chunk, ...rest);
  const kept = chunk
    .split(/(?<=\n)/)
    .filter((line) => !WORKFLOW_COMMAND.test(line))
    .join('');
  if (kept) return write(kept, ...rest);
  // Nothing left to write: still honour a callback, as a real write would.
  const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
  callback?.();
  return true;
};
