/** Wall-clock window of each phase of the run, for the summary; in a batch, clips overlap inside one window. */
export interface Phase {
  name: string;
  ms: number;
}

export class Timeline {
  private readonly windows = new Map<string, { start: number; end: number }>();

  /** Runs `work`, widening the phase's window to cover it. */
  async span<T>(name: string, work: () => Promise<T>): Promise<T> {
    const start = Date.now();
    try {
      return await work();
    } finally {
      const window = this.windows.get(name);
      this.windows.set(name, { start: Math.min(window?.start ?? start, start), end: Date.now() });
    }
  }

  phases(): Phase[] {
    return [...this.windows].map(([name, window]) => ({ name, ms: window.end - window.start }));
  }
}
