/** Pure pieces of the time bounds and input checks (issue 12): duration ranges, kernel paths, URL spellings, statuses, messages. */
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unrunClip } from '../../src/model/clip';
import { finalStatus } from '../../src/report/outputs';
import { canonicalUrl } from '../../src/shared/canonical-url';
import { CancelledError, InputError } from '../../src/shared/errors';
import { sleep } from '../../src/http/transport';
import { parseInputs } from '../../src/inputs/parse';
import { checkDurationRange, parseDuration, parseList } from '../../src/inputs/values';
import { checkDownloadPath, realLocation } from '../../src/inputs/paths';
import { isKnownStatus, normalStatus } from '../../src/reapi/poller';
import { preflightDeadlineMessage, timedOutMessage } from '../../src/shared/wording';
import { MAX_TIMER_MS } from '../../src/shared/timers';

function inputError(inputs: Record<string, string>): string {
  try {
    parseInputs((name) => inputs[name] ?? '', { RUNNER_TEMP: tmpdir() });
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('parseInputs accepted the inputs');
}

const BASE = { 'api-key': 'k', 'video-url': 'https://cdn.example/clip.mp4' };

describe('duration inputs', () => {
  it('keeps sub-millisecond values as 0 for the range check to refuse', () => {
    expect(parseDuration('0.4ms')).toBe(0);
    expect(parseDuration('0.0001')).toBe(0);
    expect(checkDurationRange(0)).toBe('rounds to 0 ms');
  });

  it('accepts 1 ms up to the timer limit, and nothing past it', () => {
    expect(checkDurationRange(1)).toBeUndefined();
    expect(checkDurationRange(MAX_TIMER_MS)).toBeUndefined();
    expect(checkDurationRange(MAX_TIMER_MS + 1)).toMatch(/longer than the longest wait Node\.js can time/);
    expect(checkDurationRange(Infinity)).toMatch(/longer than/);
  });

  it.each([
    ['timeout', '0.0001', `Input 'timeout' must be from 1ms to 596h; "0.0001" rounds to 0 ms.`],
    ['poll-interval', '0.4ms', `Input 'poll-interval' must be from 1ms to 596h; "0.4ms" rounds to 0 ms.`],
    ['poll-interval', '1000h', `Input 'poll-interval' must be from 1ms to 596h; "1000h" is longer than the longest wait Node.js can time (about 24.8 days).`],
    ['timeout', '9'.repeat(400), /^Input 'timeout' must be from 1ms to 596h; "9{80}…" is longer than/],
  ])('refuses %s: %s', (name, value, message) => {
    expect(inputError({ ...BASE, [name]: value })).toMatch(message);
  });

  it('keeps the syntax message for text that is no duration', () => {
    expect(inputError({ ...BASE, timeout: '0' })).toMatch(/^Input 'timeout' must be a positive duration/);
  });

  it('accepts the extremes', () => {
    const inputs = parseInputs((name) => ({ ...BASE, timeout: '1ms', 'poll-interval': `${MAX_TIMER_MS}ms` })[name] ?? '', {});
    expect(inputs.deadline.timeoutMs).toBe(1);
    expect(inputs.pollIntervalMs).toBe(MAX_TIMER_MS);
  });
});

describe('sleep past the timer limit', () => {
  it('waits in steps instead of firing at once with a TimeoutOverflowWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      let settled = false;
      const wait = sleep(MAX_TIMER_MS + 10_000, controller.signal).finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(settled).toBe(false);
      controller.abort();
      await expect(wait).rejects.toBeInstanceOf(CancelledError);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('still resolves a short wait', async () => {
    await expect(sleep(5)).resolves.toBeUndefined();
  });
});

describe('download paths on kernel file systems', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paths-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['/proc', 'is under /proc, a kernel file system where no file can be saved'],
    ['/proc/self/x', 'is under /proc, a kernel file system where no file can be saved'],
    ['/tmp/../proc/x', 'is under /proc, a kernel file system where no file can be saved'],
    ['/sys/fs/x', 'is under /sys, a kernel file system where no file can be saved'],
  ])('refuses %s', (path, reason) => expect(checkDownloadPath(path)).toBe(reason));

  it.each(['/processed/out', '/system/out', '/tmp/proc/x'])('accepts %s (only the kernel roots themselves)', (path) => {
    expect(checkDownloadPath(path)).toBeUndefined();
  });

  it('resolves symlinks in the part that exists', async () => {
    await symlink('/proc', join(dir, 'kernel'));
    expect(realLocation(join(dir, 'kernel', 'a', 'b'))).toBe('/proc/a/b');
    expect(checkDownloadPath(join(dir, 'kernel', 'a'))).toBe('is under /proc, which resolves to /proc/a, a kernel file system where no file can be saved');
    expect(checkDownloadPath(join(dir, 'fine', 'a'))).toBeUndefined();
  });

  it('is checked by parseInputs, before anything else happens', () => {
    expect(inputError({ ...BASE, download: 'true', 'download-path': '/proc/self/x' })).toBe(
      `Input 'download-path' is under /proc, a kernel file system where no file can be saved (got "/proc/self/x"); give a directory on a disk, e.g. \${{ runner.temp }}/upscaled.`,
    );
  });
});

describe('canonicalUrl', () => {
  const url = 'http://cdn.example.com/a/clip.mp4';
  it.each([
    'HTTP://CDN.Example.COM/a/clip.mp4',
    'http://cdn.example.com:80/a/clip.mp4',
    'http://cdn.example.com/a/./clip.mp4',
    'http://cdn.example.com/a/b/../clip.mp4',
    'http://cdn.example.com/a/clip.mp4#t=10',
    'http://cdn.example.com/a/clip.mp4?',
    'http://cdn.example.com/a/%63lip.mp4',
  ])('folds %s', (spelling) => expect(canonicalUrl(spelling)).toBe(url));

  it('folds https default port and escape case', () => {
    expect(canonicalUrl('https://x.example:443/a%2fb?q=%2f')).toBe(canonicalUrl('https://x.example/a%2Fb?q=%2F'));
  });

  it.each([
    ['http://cdn.example.com/a/clip.mp4', 'https://cdn.example.com/a/clip.mp4'],
    ['http://cdn.example.com/a/clip.mp4', 'http://cdn.example.com:8080/a/clip.mp4'],
    ['http://cdn.example.com/a/clip.mp4', 'http://cdn.example.com/A/clip.mp4'],
    ['http://cdn.example.com/a/clip.mp4?v=1', 'http://cdn.example.com/a/clip.mp4?v=2'],
    ['http://cdn.example.com/a%2Fclip.mp4', 'http://cdn.example.com/a/clip.mp4'],
  ])('keeps %s and %s apart', (a, b) => expect(canonicalUrl(a)).not.toBe(canonicalUrl(b)));

  it('leaves text that is not a URL as it is', () => expect(canonicalUrl('not a url')).toBe('not a url'));
});

describe('duplicate list items', () => {
  it('refuses two spellings of one source, naming both', () => {
    expect(() => parseList('video-url', 'http://a.example/x.mp4\nHTTP://A.example:80/./x.mp4#y', canonicalUrl)).toThrow(
      `Input 'video-url' lists "http://a.example/x.mp4" twice (items 1 and 2, the second time as "HTTP://A.example:80/./x.mp4#y"); every submission is billed, so remove the duplicate.`,
    );
  });

  it('keeps the message of an exact duplicate', () => {
    expect(() => parseList('video-url', 'http://a.example/x.mp4\nhttp://a.example/x.mp4', canonicalUrl)).toThrow(
      `Input 'video-url' lists "http://a.example/x.mp4" twice (items 1 and 2); every submission is billed, so remove the duplicate.`,
    );
  });

  it('compares task ids exactly', () => {
    expect(parseList('task-id', 'task_a\nTASK_A')).toEqual(['task_a', 'TASK_A']);
  });

  it('is applied to video-url by parseInputs', () => {
    expect(inputError({ 'api-key': 'k', 'video-url': 'https://a.example/x.mp4\nhttps://a.example:443/x.mp4' })).toMatch(
      /lists "https:\/\/a\.example\/x\.mp4" twice/,
    );
  });
});

describe('task statuses', () => {
  it('compares them without case or surrounding spaces', () => {
    expect(normalStatus(' COMPLETED ')).toBe('completed');
    for (const status of ['processing', 'Queued', 'PENDING', 'running', 'completed', 'FAILED']) expect(isKnownStatus(status)).toBe(true);
    for (const status of ['COMPLETED?', 'weird', '']) expect(isKnownStatus(status)).toBe(false);
  });

  it('names an unknown last status in the timeout message', () => {
    expect(timedOutMessage('task_1', '5.0s', { unknownStatus: 'weird' })).toBe(
      'Timed out after 5.0s waiting for task task_1, whose last status was "weird" (not one the action knows); it may still be processing on reApi. ' +
        'To pick it up later without paying again, run the action with task-id: task_1 (and a longer timeout if needed).',
    );
  });

  it('keeps the usual wording for a known running status', () => {
    for (const status of [undefined, 'processing', 'QUEUED']) {
      expect(timedOutMessage('task_1', '5.0s', { unknownStatus: status !== undefined && !isKnownStatus(status) ? status : undefined })).toMatch(
        /^Timed out after 5\.0s waiting for task task_1, which is still processing on reApi\./,
      );
    }
  });

  it('shows an unknown status on one line, quoted and cut short', () => {
    const message = timedOutMessage('task_1', '5.0s', { unknownStatus: `bad\n::error::x${'y'.repeat(100)}` });
    expect(message).not.toContain('\n');
    expect(message).toContain('"bad\\n::error::xyyy');
  });
});

describe('preflightDeadlineMessage', () => {
  it('names the unanswered and the unchecked sources', () => {
    expect(preflightDeadlineMessage('5.0s', ['#1 a.mp4'], ['#2 b.mp4', '#3 c.mp4'])).toBe(
      'Preflight used up the whole timeout (5.0s): #1 a.mp4 did not answer in time, and #2 b.mp4 and #3 c.mp4 were not checked. ' +
        'Nothing was submitted or billed; raise timeout, or check that the source hosts answer (preflight: false skips these checks).',
    );
  });

  it('lists at most ten names', () => {
    const names = Array.from({ length: 12 }, (_, index) => `#${index + 1} s.mp4`);
    expect(preflightDeadlineMessage('1.0s', names, [])).toContain('#9 s.mp4, #10 s.mp4 and 2 more did not answer in time');
  });

  it('still says where the time went when every source answered just in time', () => {
    expect(preflightDeadlineMessage('1.0s', [], [])).toMatch(
      /^Preflight used up the whole timeout \(1\.0s\) checking the sources\. Nothing was submitted or billed;/,
    );
  });
});

describe('the status output', () => {
  const skipped = unrunClip({ index: 0, source: 'https://x.test/a.mp4' }, 'skipped');
  it('is empty when the run stopped before any clip got anywhere', () => {
    const error = new CancelledError('Cancelled.');
    expect(finalStatus({ outcomes: [skipped], error })).toBeUndefined();
    expect(finalStatus({ outcomes: [skipped, skipped], error })).toBeUndefined();
  });
  it('is the overall status otherwise', () => {
    expect(finalStatus({ outcomes: [unrunClip({ index: 0, resumeTaskId: 't' }, 'processing'), skipped] })).toBe('failed');
    expect(finalStatus({ outcomes: [unrunClip({ index: 0, resumeTaskId: 't' }, 'processing')] })).toBe('processing');
  });
});
