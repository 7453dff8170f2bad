/** The runner stops a step (workflow cancelled, job timeout) with SIGINT or SIGTERM: the run is cancelled, not killed. */
import type { ActionIO } from './report/reporter';

/** Cancels the run when the runner stops the step (workflow cancelled, job timeout). */
export function onStopSignals(controller: AbortController, io: ActionIO): () => void {
  const stop = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) io.info(`Received ${signal}: stopping.`);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
}
