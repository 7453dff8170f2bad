/** At most `max` pieces of work at once, started in the order they ask: one pool bounds preflight and clips alike. */
export interface Pool {
  run<T>(work: () => Promise<T>): Promise<T>;
}

export function createPool(max: number): Pool {
  let active = 0;
  const waiting: Array<() => void> = [];
  return {
    async run<T>(work: () => Promise<T>): Promise<T> {
      if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
      active++;
      try {
        return await work();
      } finally {
        active--;
        waiting.shift()?.();
      }
    },
  };
}
