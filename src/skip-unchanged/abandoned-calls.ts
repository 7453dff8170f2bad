/**
 * Whether an Actions cache call (skip-unchanged) was abandoned at its time
 * limit in this process: it may still hold a socket open, so the step ends
 * with process.exit() once it has reported. A module of its own so that
 * index.ts need not load @actions/cache to ask.
 */
let abandoned = 0;

export function noteAbandonedCacheCall(): void {
  abandoned++;
}

export function cacheCallsAbandoned(): boolean {
  return abandoned > 0;
}
