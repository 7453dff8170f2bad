import { describe, expect, it } from 'vitest';
import { brokeOff, describeCause, downgradeWarning } from '../../src/delivery/download';
import { downloadDeadlineMs } from '../../src/delivery/download-limits';

describe('downloadDeadlineMs', () => {
  it('is 60 s plus 1 s per MB of the Content-Length', () => {
    expect(downloadDeadlineMs(0)).toBe(60_000);
    expect(downloadDeadlineMs(500_000_000)).toBe(560_000);
    expect(downloadDeadlineMs(1)).toBe(60_001);
  });

  it('is 30 minutes when no size is declared', () => {
    expect(downloadDeadlineMs(undefined)).toBe(30 * 60_000);
  });
});

describe('describeCause', () => {
  it('names the code and the message', () => {
    expect(describeCause(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))).toBe('UND_ERR_SOCKET: other side closed');
  });

  it('finds a code on a cause, as fetch-style "terminated" errors carry it', () => {
    const error = new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    expect(describeCause(error)).toBe('UND_ERR_SOCKET: terminated');
  });

  it('never says undefined', () => {
    const error = Object.assign(new Error('Response does not match the HTTP/1.1 protocol'), { code: undefined });
    expect(describeCause(error)).toBe('Response does not match the HTTP/1.1 protocol');
    expect(describeCause(undefined)).toBe('the connection closed');
    expect(describeCause(new Error())).toBe('the connection closed');
    expect(describeCause(Object.assign(new Error('undefined'), { code: undefined }))).toBe('the connection closed');
  });

  it('keeps the message on one line', () => {
    expect(describeCause(new Error('a\nb\r\n c'))).toBe('a b c');
  });
});

describe('brokeOff', () => {
  it('says how much of how much arrived, and is retried', () => {
    const error = brokeOff('https://cdn.example/r.mp4', 50_000, 200_000, Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    expect(error.message).toBe('The download of https://cdn.example/r.mp4 broke off after 50000 of 200000 bytes (ECONNRESET: aborted).');
    expect(error.transient).toBe(true);
    expect(brokeOff('https://cdn.example/r.mp4', 10, undefined).message).toBe('The download of https://cdn.example/r.mp4 broke off after 10 bytes.');
  });
});

describe('downgradeWarning', () => {
  const url = (text: string) => new URL(text);
  it('warns when an https result is redirected to plain http', () => {
    expect(downgradeWarning(url('https://cdn.example/a.mp4'), url('http://storage.example/a.mp4?sig=1'))).toBe(
      'The result host redirected the https result URL to plain http (http://storage.example); the file is downloaded unencrypted.',
    );
  });

  it.each([
    ['https://a.example/x', 'https://b.example/y'],
    ['http://a.example/x', 'http://b.example/y'],
    ['http://a.example/x', 'https://b.example/y'],
  ])('stays quiet for %s → %s', (from, to) => {
    expect(downgradeWarning(url(from), url(to))).toBeUndefined();
  });
});
