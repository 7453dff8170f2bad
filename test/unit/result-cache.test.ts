import { createHash } from 'node:crypto';
import { isExplicitVersion } from '@actions/tool-cache';
import { describe, expect, it } from 'vitest';
import { fingerprintKey, type Fingerprint } from '../../src/skip-unchanged/fingerprint';
import { ResultCache } from '../../src/skip-unchanged/record-stores';
import { actionsCachePath, isExactKey, parseRecord, toolCacheVersion, type ResultRecord } from '../../src/skip-unchanged/record';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const fp: Fingerprint = { model: 'topaz-video-upscaler', upscaleFactor: '2', sourceSha256: sha('clip') };
const record: ResultRecord = {
  v: 1,
  model: fp.model,
  upscaleFactor: '2',
  sourceSha256: fp.sourceSha256,
  taskId: 'task_0001',
  videoUrls: ['https://cdn.reapi.ai/media/tasks/task_0001/0.mp4'],
  billableSeconds: 4,
  completedAt: '2026-11-20T08:30:00.000Z',
};

describe('toolCacheVersion', () => {
  it('is an explicit semver version for @actions/tool-cache find, even for all-digit hashes', () => {
    for (const key of [fingerprintKey(fp), 'x', '0', '1234']) {
      const version = toolCacheVersion(key);
      expect(version).toMatch(/^0\.0\.0-h[0-9a-f]{64}$/);
      expect(isExplicitVersion(version)).toBe(true);
    }
    expect(toolCacheVersion('a')).not.toBe(toolCacheVersion('b'));
  });
});

describe('actionsCachePath', () => {
  it('is a relative path that depends on the key alone (the cache version hashes it)', () => {
    const path = actionsCachePath(fingerprintKey(fp));
    expect(path).toMatch(/^\.reapi-topaz-video-upscaler-cache\/[0-9a-f]{40}\.json$/);
    expect(actionsCachePath(fingerprintKey(fp))).toBe(path);
    expect(actionsCachePath(fingerprintKey({ ...fp, upscaleFactor: '4' }))).not.toBe(path);
  });
});

describe('isExactKey', () => {
  const key = fingerprintKey(fp);
  it('takes the key itself, in any case', () => {
    expect(isExactKey(key, key)).toBe(true);
    expect(isExactKey(key.toUpperCase(), key)).toBe(true);
  });
  it('refuses a prefix match, a longer key and no match', () => {
    expect(isExactKey(`${key}-other`, key)).toBe(false);
    expect(isExactKey(key.slice(0, -1), key)).toBe(false);
    expect(isExactKey(undefined, key)).toBe(false);
  });
});

describe('parseRecord', () => {
  it('takes a well-formed record of the same fingerprint', () => {
    expect(parseRecord(JSON.stringify(record), fp)).toEqual({ record });
    const withFiles = { ...record, billableSeconds: null, resultFiles: [{ index: 0, sha256: sha('result'), bytes: 6 }] };
    expect(parseRecord(JSON.stringify(withFiles), fp)).toEqual({ record: withFiles });
  });

  it.each<[string, unknown, RegExp]>([
    ['not JSON', 'nope', /not JSON/],
    ['a list', [record], /not a JSON object/],
    ['an unknown field', { ...record, extra: 1 }, /unknown field "extra"/],
    ['another format version', { ...record, v: 2 }, /format version/],
    ['another model', { ...record, model: 'other' }, /model/],
    ['another factor', { ...record, upscaleFactor: '4' }, /upscale factor/],
    ['another source', { ...record, sourceSha256: sha('other') }, /source SHA-256/],
    ['a task id that could be a path', { ...record, taskId: '../../etc' }, /task id/],
    ['no video URLs', { ...record, videoUrls: [] }, /video URLs/],
    ['a javascript: URL', { ...record, videoUrls: ['javascript:alert(1)'] }, /video URLs/],
    ['a URL with a newline', { ...record, videoUrls: ['https://cdn.example/a\n.mp4'] }, /video URLs/],
    ['negative billable seconds', { ...record, billableSeconds: -1 }, /billable seconds/],
    ['fractional billable seconds', { ...record, billableSeconds: 1.5 }, /billable seconds/],
    ['a completion time that is not UTC ISO', { ...record, completedAt: 'yesterday' }, /completion time/],
    ['a result file with a bad index', { ...record, resultFiles: [{ index: 1, sha256: sha('r'), bytes: 1 }] }, /index/],
    ['a result file with a bad hash', { ...record, resultFiles: [{ index: 0, sha256: 'x', bytes: 1 }] }, /sha256/],
    ['a result file with an extra field', { ...record, resultFiles: [{ index: 0, sha256: sha('r'), bytes: 1, path: '/etc/passwd' }] }, /malformed/],
  ])('refuses %s', (_name, value, reason) => {
    const parsed = parseRecord(typeof value === 'string' ? value : JSON.stringify(value), fp);
    expect(parsed).toHaveProperty('problem');
    expect((parsed as { problem: string }).problem).toMatch(reason);
  });
});

describe('ResultCache.save', () => {
  it('refuses, with one warning and before touching either store, a record a lookup would refuse', async () => {
    const warnings: string[] = [];
    const log = { warning: (m: string) => warnings.push(m), info: () => undefined, debug: () => undefined };
    const outcome = await new ResultCache({ log }).save({ ...record, videoUrls: ['ftp://cdn.example/a.mp4'] });
    expect(outcome).toEqual({ toolCache: 'failed', actionsCache: 'failed' });
    expect(warnings).toEqual(['skip-unchanged: the record of task task_0001 was not saved: its video URLs are malformed.']);
  });
});
