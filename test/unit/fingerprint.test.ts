import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SourceTooLargeError } from '../../src/shared/errors';
import { fingerprintKey, SourceHasher, type Fingerprint } from '../../src/skip-unchanged/fingerprint';

const sha = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const base: Fingerprint = { model: 'topaz-video-upscaler', upscaleFactor: '2', sourceSha256: sha('clip') };

describe('fingerprintKey', () => {
  it('names the format version, model, factor and content hash, and nothing else', () => {
    expect(fingerprintKey(base)).toBe(`reapi-topaz-video-upscaler-r1-topaz-video-upscaler-x2-${sha('clip')}`);
  });

  it('changes with each part and only with them; always a valid Actions cache key', () => {
    const keys = new Set([
      fingerprintKey(base),
      fingerprintKey({ ...base, upscaleFactor: '4' }),
      fingerprintKey({ ...base, upscaleFactor: '1' }),
      fingerprintKey({ ...base, model: 'another-model' }),
      fingerprintKey({ ...base, sourceSha256: sha('clip, one byte changed') }),
    ]);
    expect(keys.size).toBe(5);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('1', '2', '4'), (bytes, factor) => {
        const key = fingerprintKey({ ...base, upscaleFactor: factor, sourceSha256: sha(bytes) });
        expect(key.length).toBeLessThanOrEqual(512);
        expect(key).not.toContain(',');
        expect(key).toBe(fingerprintKey({ ...base, upscaleFactor: factor, sourceSha256: sha(Buffer.from(bytes)) }));
      }),
    );
  });

  it.each([
    ['an uppercase hash', { ...base, sourceSha256: sha('clip').toUpperCase() }],
    ['a short hash', { ...base, sourceSha256: 'abc' }],
    ['factor 3', { ...base, upscaleFactor: '3' }],
    ['a model with a comma', { ...base, model: 'a,b' }],
    ['an empty model', { ...base, model: '' }],
  ])('refuses %s', (_name, fingerprint) => {
    expect(() => fingerprintKey(fingerprint)).toThrow(RangeError);
  });
});

describe('SourceHasher', () => {
  it('hashes chunks as the whole would be hashed', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 10 }), (chunks) => {
        const hasher = new SourceHasher('https://cdn.example/clip.mp4');
        for (const chunk of chunks) hasher.update(chunk);
        expect(hasher.bytes).toBe(chunks.reduce((n, c) => n + c.length, 0));
        expect(hasher.digest()).toBe(sha(Buffer.concat(chunks)));
      }),
    );
  });

  it('refuses the byte past its limit, naming the source without its query', () => {
    const hasher = new SourceHasher('https://cdn.example/clip.mp4?X-Amz-Signature=secret', 10);
    hasher.update(new Uint8Array(10));
    let caught: unknown;
    try {
      hasher.update(new Uint8Array(1));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SourceTooLargeError);
    expect((caught as Error).message).toContain('https://cdn.example/clip.mp4?…');
    expect((caught as Error).message).not.toContain('secret');
    expect(() => hasher.digest()).toThrow();
  });
});
