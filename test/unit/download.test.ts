import { describe, expect, it } from 'vitest';
import { notMp4Reason } from '../../src/delivery/download';
import { formatBytes } from '../../src/shared/format';
import { syntheticMp4 } from '../emulator/emulator';

describe('notMp4Reason', () => {
  it('accepts a file that starts with an ftyp box', () => {
    expect(notMp4Reason(syntheticMp4(64), 'video/mp4')).toBeUndefined();
    expect(notMp4Reason(syntheticMp4(64), undefined)).toBeUndefined();
  });

  it('describes an HTML page, text, binary data and an empty body', () => {
    expect(notMp4Reason(Buffer.from('<!doctype html><title>403</title>'), 'text/html')).toBe(
      'it is an HTML page (content-type text/html), not an MP4 (no MP4 box at the start): "<!doctype html><title>403</title>"',
    );
    expect(notMp4Reason(Buffer.from('Access Denied'), undefined)).toMatch(/^it is text, not an MP4.*"Access Denied"$/);
    expect(notMp4Reason(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), 'video/mp4')).toBe(
      'it is data (content-type video/mp4), not an MP4 (no MP4 box at the start)',
    );
    expect(notMp4Reason(Buffer.alloc(0), 'video/mp4')).toBe('the response body is empty');
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [300_000, '293.0 KiB'],
    [64 * 1024 * 1024, '64.0 MiB'],
    [5 * 1024 ** 3, '5.0 GiB'],
  ])('%d → %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});
