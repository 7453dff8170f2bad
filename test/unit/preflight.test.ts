/** Pure preflight logic: billable rounding, the cost guard, content types, URLs shown in messages. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { billableSeconds, checkCostGuard, totalBillableSeconds } from '../../src/model/billing';
import { ActionError, CostGuardError } from '../../src/shared/errors';
import { classifyContentType, describeProbe } from '../../src/source/preflight';
import { parseContentRange } from '../../src/http/range-probe';
import { displayUrl, sourceName } from '../../src/shared/urls';

describe('billableSeconds', () => {
  it.each([
    [3.2, 4],
    [2.4, 3],
    [5, 5],
    [0.04, 1],
    [0, 0],
    [59.999, 60],
    [3.000001, 4], // a microsecond over still bills the next second
    [0.1 * 3 * 10, 3], // 3.0000000000000004: float noise, not a longer clip
    [3003 / 1000, 4],
    [(1001 / 30000) * 90, 4], // 3.003 s at 29.97 fps
  ])('%d s → %d', (duration, billable) => expect(billableSeconds(duration)).toBe(billable));

  it('keeps whole seconds whole and never bills less than the duration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), (seconds) => billableSeconds(seconds) === seconds),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 90_000 }), (units, timescale) => {
        const duration = units / timescale;
        const billable = billableSeconds(duration);
        return Number.isInteger(billable) && billable >= duration - 1e-6 && billable < duration + 1;
      }),
      { numRuns: 1000 },
    );
  });

  it.each([Number.NaN, -1, Number.POSITIVE_INFINITY])('refuses %d', (value) => expect(() => billableSeconds(value)).toThrow(RangeError));
});

describe('totalBillableSeconds', () => {
  it('adds the sources up', () => expect(totalBillableSeconds([{ billableSeconds: 4 }, { billableSeconds: 3 }])).toBe(7));
  it('is 0 for no sources', () => expect(totalBillableSeconds([])).toBe(0));
  it('is unknown when one source is', () => expect(totalBillableSeconds([{ billableSeconds: 4 }, {}])).toBeUndefined());
});

describe('checkCostGuard', () => {
  const sources = [
    { url: 'https://cdn.example.com/a/intro.mp4?X-Amz-Signature=secret', billableSeconds: 4 },
    { url: 'https://cdn.example.com/b/outro.mov', billableSeconds: 10 },
  ];

  it('returns the total when it is within the limit (inclusive)', () => {
    expect(checkCostGuard(sources, 14)).toBe(14);
    expect(checkCostGuard(sources, 100)).toBe(14);
  });

  it('refuses a total over the limit, naming the input, the total and each source, on one line', () => {
    let error: unknown;
    try {
      checkCostGuard(sources, 13);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CostGuardError);
    expect(error).toBeInstanceOf(ActionError);
    const { message, totalBillableSeconds: total, maxBillableSeconds } = error as CostGuardError;
    expect({ total, maxBillableSeconds }).toEqual({ total: 14, maxBillableSeconds: 13 });
    expect(message).toBe(
      'The sources add up to 14 billable seconds, over max-billable-seconds (13); billable seconds per source: intro.mp4: 4, outro.mov: 10.',
    );
    expect(message).not.toContain('secret');
  });

  it('refuses when a duration is unknown, since the limit cannot be enforced', () => {
    expect(() => checkCostGuard([sources[0]!, { url: 'https://cdn.example.com/live.mp4' }], 1000)).toThrow(
      /max-billable-seconds is 1000, but the duration of live\.mp4 could not be read .*intro\.mp4: 4, live\.mp4: unknown/,
    );
  });

  it('lists at most ten sources', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ url: `https://cdn.example.com/clip-${i}.mp4`, billableSeconds: 10 }));
    const message = (() => {
      try {
        checkCostGuard(many, 100);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain('250 billable seconds');
    expect(message).toContain('clip-9.mp4: 10, and 15 more');
    expect(message).not.toContain('clip-10.mp4');
    expect(message).not.toContain('\n');
  });
});

describe('classifyContentType', () => {
  it.each([
    ['video/mp4', 'video'],
    ['video/quicktime', 'video'],
    ['video/x-matroska', 'video'],
    ['Video/MP4; codecs="avc1"', 'video'],
    ['application/mp4', 'video'],
    [undefined, 'unspecified'],
    ['', 'unspecified'],
    ['application/octet-stream', 'unspecified'],
    ['binary/octet-stream', 'unspecified'],
    ['text/html; charset=utf-8', 'not-video'],
    ['text/plain', 'not-video'],
    ['application/json', 'not-video'],
    ['application/problem+json', 'not-video'],
    ['application/xml', 'not-video'],
    ['image/png', 'not-video'],
    ['audio/mp4', 'other'],
    ['application/x-something', 'other'],
  ])('%s → %s', (type, kind) => expect(classifyContentType(type)).toBe(kind));
});

describe('URLs in messages', () => {
  it('drops query strings, fragments and credentials', () => {
    expect(displayUrl('https://user:pw@cdn.example.com/v/a.mp4?X-Amz-Signature=abc#t=3')).toBe('https://cdn.example.com/v/a.mp4?…');
    expect(displayUrl('https://cdn.example.com/v/a.mp4')).toBe('https://cdn.example.com/v/a.mp4');
  });

  it('names a source by its file name', () => {
    expect(sourceName('https://cdn.example.com/v/my%20clip.mov?sig=1')).toBe('my clip.mov');
    expect(sourceName('https://cdn.example.com/')).toBe('https://cdn.example.com/');
  });
});

describe('parseContentRange', () => {
  it.each([
    ['bytes 0-262143/2615', { start: 0, total: 2615 }],
    ['bytes 100-199/*', { start: 100, total: undefined }],
    ['bytes */2615', undefined],
    [undefined, undefined],
  ])('%s', (value, expected) => expect(parseContentRange(value)).toEqual(expected));
});

describe('describeProbe', () => {
  it('says what was found and what it cost', () => {
    expect(
      describeProbe({
        url: 'https://cdn.example.com/a.mov?sig=1',
        sizeBytes: 8 * 1024 * 1024,
        contentType: 'video/quicktime',
        container: 'mp4',
        durationSeconds: 2.4,
        billableSeconds: 3,
        bytesFetched: 5000,
        requests: 3,
        warnings: [],
      }),
    ).toBe('https://cdn.example.com/a.mov?…: MP4/MOV, 8.0 MiB, video/quicktime, 2.4 s → 3 billable seconds (3 requests, 4.9 KiB read)');
    expect(describeProbe({ url: 'https://h/x', bytesFetched: 0, requests: 2, warnings: ['w'] })).toBe('https://h/x: duration unknown (2 requests, 0 B read)');
  });
});
