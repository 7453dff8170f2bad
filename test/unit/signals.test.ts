/**
 * The signals the runner stops a step with, on each runner OS: SIGINT then
 * SIGTERM on Linux and macOS; Ctrl+C (SIGINT) then Ctrl+Break (SIGBREAK) on
 * Windows. Each cancels the run once; none is left listened to afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { STOP_SIGNALS, onStopSignals } from '../../src/signals';
import { RecordingIO } from '../helpers/recording-io';

let dispose: (() => void) | undefined;
afterEach(() => {
  dispose?.();
  dispose = undefined;
});

describe('onStopSignals', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGBREAK'] as const)('%s cancels the run, saying so once', (signal) => {
    const controller = new AbortController();
    const io = new RecordingIO();
    dispose = onStopSignals(controller, io);
    process.emit(signal, signal);
    expect(controller.signal.aborted).toBe(true);
    // The runner's second signal (SIGTERM, or SIGBREAK on Windows) finds the run already stopping.
    process.emit(signal, signal);
    expect(io.lines).toEqual([`Received ${signal}: stopping.`]);
  });

  // A listener is what keeps Node from ending at once on SIGTERM or SIGBREAK (Windows' Ctrl+Break), which the runner
  // sends 7.5 s after the first signal, while the cancellation may still be reporting.
  it('listens to each while the run lasts, and stops listening when disposed', () => {
    const before = STOP_SIGNALS.map((signal) => process.listenerCount(signal));
    const stopListening = onStopSignals(new AbortController(), new RecordingIO());
    expect(STOP_SIGNALS.map((signal) => process.listenerCount(signal))).toEqual(before.map((count) => count + 1));
    stopListening();
    expect(STOP_SIGNALS.map((signal) => process.listenerCount(signal))).toEqual(before);
  });
});
