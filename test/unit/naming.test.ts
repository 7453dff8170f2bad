import { basename } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resultFileNames, sanitizeStem, sourceStem } from '../../src/naming';

describe('result file names', () => {
  const context = { taskId: 'task_018f5a', upscaleFactor: '2' };

  it('derive from the source name and factor', () => {
    expect(resultFileNames(1, { ...context, sourceUrl: 'https://cdn.example.com/videos/clip.mp4?sig=abc' })).toEqual(['clip-2x.mp4']);
    expect(resultFileNames(2, { ...context, sourceUrl: 'https://cdn.example.com/Trailer%20Final.MOV', upscaleFactor: '4' })).toEqual([
      'Trailer-Final-4x-1.mp4',
      'Trailer-Final-4x-2.mp4',
    ]);
    expect(resultFileNames(1, { ...context, sourceUrl: 'https://cdn.example.com/видео.mkv' })).toEqual(['видео-2x.mp4']);
  });

  it('fall back to the task id when there is no usable source name', () => {
    expect(resultFileNames(1, context)).toEqual(['task_018f5a.mp4']);
    expect(resultFileNames(1, { ...context, sourceUrl: 'https://cdn.example.com/' })).toEqual(['task_018f5a.mp4']);
    expect(resultFileNames(1, { ...context, sourceUrl: 'https://cdn.example.com/%2E%2E' })).toEqual(['task_018f5a.mp4']);
  });

  it('never carry a path, whatever the source URL holds', () => {
    expect(sourceStem('https://x.example/..%2F..%2Fetc%2Fpasswd.mp4')).toBe('etc-passwd');
    expect(sourceStem('https://x.example/a%5C..%5Cb.mp4')).toBe('a-.-b');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: 1, max: 3 }), (segment, count) => {
        const url = `https://cdn.example.com/dir/${encodeURIComponent(segment)}`;
        for (const name of resultFileNames(count, { ...context, sourceUrl: url })) {
          expect(basename(name)).toBe(name);
          expect(name).toMatch(/^[\p{L}\p{N}_][\p{L}\p{N}._-]*\.mp4$/u);
          expect(name).not.toContain('..');
          expect(name.length).toBeLessThanOrEqual(120);
        }
      }),
    );
  });

  it('sanitizeStem keeps safe characters only', () => {
    expect(sanitizeStem('  my clip (final) v2 ')).toBe('my-clip-final-v2');
    expect(sanitizeStem('...hidden')).toBe('hidden');
    expect(sanitizeStem('C:\\Windows\\evil')).toBe('C-Windows-evil');
    expect(sanitizeStem('x'.repeat(500))).toHaveLength(100);
  });
});
