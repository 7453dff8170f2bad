/**
 * Polling: the action's real schedule (`nextPollDelayMs` from src/reapi/poller.ts, as
 * `waitForTask` applies it) evaluated against a fake clock, for jobs of
 * several lengths, against a fixed 5-second loop.
 */
import { nextPollDelayMs } from '../src/reapi/poller';
import { ms, rows } from './lib';

const INTERVAL_MS = 5000; // the action's default poll-interval, and the fixed loop's sleep

interface Schedule {
  polls: number;
  noticeMs: number;
}

/** Polls made and delay between completion and the poll that sees it. */
export function simulate(jobMs: number, delayAfter: (elapsedMs: number) => number): Schedule {
  let now = 0;
  let polls = 0;
  do {
    now += delayAfter(now);
    polls++;
  } while (now < jobMs);
  return { polls, noticeMs: now - jobMs };
}

export function benchPolling(): void {
  for (const [label, jobMs] of [
    ['10 s', 10_000],
    ['60 s', 60_000],
    ['10 min', 600_000],
    ['1 h', 3_600_000],
  ] as const) {
    const ours = simulate(jobMs, (elapsed) => nextPollDelayMs(elapsed, INTERVAL_MS));
    const fixed = simulate(jobMs, () => INTERVAL_MS);
    // The worst case over jobs ending anywhere in the last 10 % before this length.
    let worstNotice = 0;
    for (let end = jobMs * 0.9; end <= jobMs; end += 50) {
      worstNotice = Math.max(worstNotice, simulate(end, (elapsed) => nextPollDelayMs(elapsed, INTERVAL_MS)).noticeMs);
    }
    const target = Math.max(2000, jobMs * 0.1);
    rows.push({
      section: `Polling, ${label} job`,
      measure: `poll requests; notice delay (worst case for jobs of 0.9–1× this length: ${ms(worstNotice)}; target ≤ ${ms(target)})`,
      ours: `${ours.polls} polls; ${ms(ours.noticeMs)}`,
      baseline: `${fixed.polls} polls; ${ms(fixed.noticeMs)} (fixed 5 s loop)`,
      ratio: `${(ours.polls / fixed.polls).toFixed(2)}× requests`,
    });
  }
}
