/**
 * The setup every test of the whole action shares, in process (test/integration) or as a child process (test/e2e):
 * the loopback reApi emulator (and any other local service: FakeGitHub, CacheService, ArtifactService, proxies),
 * started once per file and reset before each test; a fresh temp directory per test; and the inputs a test starts
 * from.
 *
 *     const fixture = useActionFixture({ reset: { processingPolls: 0 }, tempDir: true });
 *     const run = await runInProcess(fixture.inputs({ 'video-url': fixture.emulator.sourceUrl() }));
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { ReapiEmulator, type EmulatorConfig } from '../emulator/emulator';

/** A local server a test file needs besides the emulator. */
export interface LocalService {
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  /** Forgets what the last test did (called before each test). */
  reset?(): unknown;
}

export interface ActionFixtureOptions {
  /** The emulator's configuration for each test (`emulator.reset(reset)`). */
  reset?: Partial<EmulatorConfig>;
  /** Other servers, started and stopped with the emulator and reset before each test. */
  services?: LocalService[];
  /** Make a fresh temp directory for each test (`fixture.dir`), removed after it. */
  tempDir?: boolean;
  /** Inputs of every run of the file, on top of the shared ones (and under a test's own). */
  inputs?: () => Record<string, string>;
}

export interface ActionFixture {
  readonly emulator: ReapiEmulator;
  /** This test's temp directory (with `tempDir: true`). */
  readonly dir: string;
  /** The API key every run sends unless a test says otherwise. */
  readonly key: string;
  /** The inputs of a run: the shared ones, then the file's, then `extra`. */
  inputs: (extra?: Record<string, string>) => Record<string, string>;
}

export const TEST_KEY = 'test-key';

export function useActionFixture(options: ActionFixtureOptions = {}): ActionFixture {
  const emulator = new ReapiEmulator();
  const services = options.services ?? [];
  let dir = '';
  beforeAll(async () => {
    await Promise.all([emulator.start(), ...services.map((service) => service.start())]);
  });
  afterAll(async () => {
    await Promise.all([emulator.stop(), ...services.map((service) => service.stop())]);
  });
  beforeEach(async () => {
    emulator.reset(options.reset);
    for (const service of services) service.reset?.();
    if (options.tempDir) dir = await mkdtemp(join(tmpdir(), 'reapi-test-'));
  });
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = '';
  });
  return {
    emulator,
    key: options.reset?.apiKey ?? TEST_KEY,
    get dir() {
      return dir;
    },
    inputs: (extra = {}) => {
      return {
        'api-key': options.reset?.apiKey ?? TEST_KEY,
        'api-base-url': emulator.apiUrl,
        'poll-interval': '0.05',
        timeout: '30s',
        ...options.inputs?.(),
        ...extra,
      };
    },
  };
}
