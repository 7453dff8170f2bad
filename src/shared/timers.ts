/**
 * Node's timers hold a signed 32-bit number of milliseconds: a longer delay
 * (about 24.8 days or more) fires after 1 ms with a TimeoutOverflowWarning.
 * Durations from the inputs are kept within it, and waits are split at it.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The shortest duration an input may give: anything that rounds below 1 ms would be 0. */
export const MIN_DURATION_MS = 1;

/** "596h", the longest whole number of hours within the timer limit, for messages. */
export const MAX_DURATION_TEXT = `${Math.floor(MAX_TIMER_MS / 3_600_000)}h`;
