/**
 * The runner stops a step (workflow cancelled, job timeout) in two stages, then kills it: on Linux and macOS SIGINT,
 * then SIGTERM 7.5 s later; on Windows Ctrl+C, which Node delivers as SIGINT, then Ctrl+Break, delivered as SIGBREAK
 * (Windows never delivers SIGTERM). Either way the run is cancelled, not killed: the second signal must not end the
 * process while the first one's cancellation is still reporting.
 */
import type { ActionIO } from './report/reporter';

/** Every signal the runner stops a step with, on any runner OS. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGBREAK'] as const satisfies readonly NodeJS.Signals[];

/** Cancels the run when the runner stops the step (workflow cancelled, job timeout). */
export function onStopSignals(controller: AbortController, io: ActionIO): () => void {
  const stop = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) io.info(`Received ${signal}: stopping.`);
    controller.abort();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, stop);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, stop);
  };
}
