import { defineConfig } from 'vitest/config';

/** Workflow commands (`::add-mask::`, `::debug::`…) that code under test prints: noise in a test run's output. */
const WORKFLOW_COMMAND = /^::[a-z-]+( [^:]*)?::/;

/** Settings every project shares. */
const shared = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  onConsoleLog: (log: string) => !WORKFLOW_COMMAND.test(log),
};

/**
 * Three projects, run together by `npm test` (`npm run test:unit`, `test:integration`, `test:e2e` one at a time):
 * - unit: pure logic, milliseconds each;
 * - integration: `run()` in process (test/helpers/run-in-process.ts) against the loopback emulator and fakes, the
 *   action's behaviour through its real outputs, summary, files and HTTP;
 * - e2e: `dist/index.js` on the runner's Node in a child process, for what needs a process of its own (exit codes,
 *   signals, proxies from the environment, peak RSS, exiting while a socket hangs) and one smoke test per feature.
 *   Its global setup rebuilds dist/ first when it is stale against src/.
 */
export default defineConfig({
  test: {
    // The integration and end-to-end tests mostly wait on timers, servers and child processes: four workers on two cores.
    maxWorkers: 4,
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/helpers/quiet-workflow-commands.ts'],
        },
      },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          setupFiles: ['test/helpers/quiet-workflow-commands.ts'],
        },
      },
      {
        test: {
          ...shared,
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/helpers/e2e-setup.ts'],
        },
      },
    ],
  },
});
