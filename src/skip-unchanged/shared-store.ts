/**
 * The run's one Actions cache store, loaded on first use (so `@actions/cache`
 * stays out of the startup of runs that never touch it) and shared by
 * skip-unchanged and re-runs: trouble met by one warns once and turns the
 * store off for both.
 */
import type { ActionsCacheStore } from './actions-cache-store';
import type { StoreLog } from './record';

export class SharedActionsCache {
  private loading?: Promise<ActionsCacheStore>;
  private loaded?: ActionsCacheStore;

  constructor(private readonly log: StoreLog) {}

  store(): Promise<ActionsCacheStore> {
    this.loading ??= import('./actions-cache-store').then(({ ActionsCacheStore }) => (this.loaded = new ActionsCacheStore(this.log)));
    return this.loading;
  }

  /** True when a call was abandoned at its time limit: the step must end with process.exit() once it has reported. */
  get abandoned(): boolean {
    return this.loaded?.abandoned ?? false;
  }
}
