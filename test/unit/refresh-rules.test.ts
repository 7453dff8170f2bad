/**
 * The record rules behind an unchanged refresh (issue 21 part 2): a record may
 * keep the source's strong ETag (untrusted text that goes back to the host in
 * If-None-Match, so strictly checked and capped) and preflight's facts; records
 * looked up by URL must hold an ETag; the URL never appears in a key.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_ETAG_LENGTH, fingerprintKey, sourceKeyPrefix, sourceRecordKey, strongEtag } from '../../src/skip-unchanged/fingerprint';
import { parseRecord, recordedMedia, type ResultRecord } from '../../src/skip-unchanged/record';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const fp = { model: 'topaz-video-upscaler', upscaleFactor: '2', sourceSha256: sha('clip') };
const record: ResultRecord = {
  v: 1,
  model: fp.model,
  upscaleFactor: '2',
  sourceSha256: fp.sourceSha256,
  taskId: 'task_0001',
  videoUrls: ['https://cdn.reapi.ai/media/tasks/task_0001/0.mp4'],
  billableSeconds: 4,
  completedAt: '2026-11-20T08:30:00.000Z',
  sourceEtag: '"9b2cf535f27731c974343645a3985328"',
  sourceMedia: { durationSeconds: 3.2, video: { width: 64, height: 36, frameRate: 25, codec: 'avc1' } },
};
const parse = (value: unknown, expected: Parameters<typeof parseRecord>[1] = fp) => parseRecord(JSON.stringify(value), expected);

describe('a record with the source ETag and facts', () => {
  it('is taken as written', () => {
    expect(parse(record)).toEqual({ record });
    expect(parse({ ...record, sourceMedia: {} })).toEqual({ record: { ...record, sourceMedia: {} } });
  });

  it.each([
    ['weak', 'W/"abc"'],
    ['unquoted', 'abc'],
    ['with a line break', '"a\r\nX-Injected: 1"'],
    ['with a space', '"a b"'],
    ['padded', ' "abc"'],
    ['too long', `"${'a'.repeat(MAX_ETAG_LENGTH - 1)}"`],
    ['not text', 42],
    ['empty text', ''],
  ])('refuses a source ETag that is %s', (_, sourceEtag) => {
    expect(parse({ ...record, sourceEtag })).toEqual({ problem: 'its source ETag is malformed' });
  });

  it('takes an ETag up to the cap', () => {
    const sourceEtag = `"${'a'.repeat(MAX_ETAG_LENGTH - 2)}"`;
    expect(strongEtag(sourceEtag)).toBe(sourceEtag);
    expect(parse({ ...record, sourceEtag })).toEqual({ record: { ...record, sourceEtag } });
  });

  it.each([
    [{ durationSeconds: -1 }, 'its source duration is malformed'],
    [{ durationSeconds: 'NaN' }, 'its source duration is malformed'],
    [{ durationSeconds: 3, bytes: 10 }, 'its source facts are malformed'],
    [[], 'its source facts are malformed'],
    [{ video: { width: 0, height: 36 } }, 'its source video size is malformed'],
    [{ video: { width: 64.5 } }, 'its source video size is malformed'],
    [{ video: { frameRate: 0 } }, 'its source frame rate is malformed'],
    [{ video: { codec: 'avc1\u001b[31m' } }, 'its source codec is malformed'],
    [{ video: { codec: 'x'.repeat(65) } }, 'its source codec is malformed'],
    [{ video: { codec: 'avc1', bitrate: 1 } }, 'its source video facts are malformed'],
  ])('refuses source facts %j', (sourceMedia, problem) => {
    expect(parse({ ...record, sourceMedia })).toEqual({ problem });
  });

  it('keeps only the facts a record holds', () => {
    const media = { durationSeconds: 3.2, problem: 'x', video: { width: 64, height: 36, codec: 'avc1', extra: 1 } } as never;
    expect(JSON.parse(JSON.stringify(recordedMedia(media)))).toEqual({ durationSeconds: 3.2, video: { width: 64, height: 36, codec: 'avc1' } });
  });
});

describe('a record looked up by its source URL', () => {
  const byUrl = { model: fp.model, upscaleFactor: '2' };

  it('is taken for any well-formed SHA-256 when it holds an ETag', () => {
    expect(parse(record, byUrl)).toEqual({ record });
    expect(parse({ ...record, sourceSha256: sha('other') }, byUrl)).toEqual({ record: { ...record, sourceSha256: sha('other') } });
  });

  it('is refused without an ETag, with a bad SHA-256, or for another factor or model', () => {
    const withoutEtag = { ...record, sourceEtag: undefined };
    expect(parse(withoutEtag, byUrl)).toEqual({ problem: 'it holds no ETag' });
    expect(parse({ ...record, sourceSha256: 'ABC' }, byUrl)).toEqual({ problem: 'its source SHA-256 is malformed' });
    expect(parse({ ...record, upscaleFactor: '4' }, byUrl)).toEqual({ problem: 'its upscale factor does not match' });
    expect(parse({ ...record, model: 'other' }, byUrl)).toEqual({ problem: 'its model does not match' });
  });
});

describe('source keys', () => {
  it('hold a hash of the canonical URL, never the URL or its signature', () => {
    const signed = 'https://bucket.example/clip.mp4?X-Amz-Signature=secretsig';
    const prefix = sourceKeyPrefix(signed, fp.model, '2');
    expect(prefix).not.toContain('secretsig');
    expect(prefix).not.toContain('bucket');
    expect(prefix).toMatch(/^reapi-topaz-video-upscaler-r1-topaz-video-upscaler-x2-url-[0-9a-f]{64}-$/);
    expect(sourceKeyPrefix('HTTPS://Bucket.example:443/clip.mp4#t=1', fp.model, '2')).toBe(sourceKeyPrefix('https://bucket.example/clip.mp4', fp.model, '2'));
    expect(sourceKeyPrefix('https://bucket.example/clip.mp4', fp.model, '4')).not.toBe(sourceKeyPrefix('https://bucket.example/clip.mp4', fp.model, '2'));
  });

  it('are distinct from fingerprint keys, new for each save, and stay within the cache limits', () => {
    const prefix = sourceKeyPrefix('https://bucket.example/clip.mp4', fp.model, '2');
    expect(fingerprintKey(fp).startsWith(prefix)).toBe(false);
    expect(sourceRecordKey(prefix, 2000)).not.toBe(sourceRecordKey(prefix, 1000));
    expect(sourceRecordKey(prefix).startsWith(prefix)).toBe(true);
    const longest = sourceRecordKey(sourceKeyPrefix('https://bucket.example/clip.mp4', 'm'.repeat(64), '2'));
    expect(longest.length).toBeLessThanOrEqual(512);
    expect(longest).not.toContain(',');
    expect(() => sourceKeyPrefix('https://bucket.example/clip.mp4', fp.model, '3')).toThrow(RangeError);
  });
});
