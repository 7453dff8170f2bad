import { basename } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_NAME_BYTES,
  MAX_RESULT_NAME_BYTES,
  MAX_STEM_BYTES,
  ResultNameBook,
  nameKey,
  resultBaseName,
  resultFileNames,
  sanitizeStem,
  sourceStem,
  truncateUtf8,
  uniqueBaseNames,
} from '../../src/delivery/naming';

const bytes = (text: string) => Buffer.byteLength(text);
/** The hidden temporary name download.ts streams a result to. */
const temporary = (name: string) => `.${name}.0123abcd.part`;

/** The file names of clips with these bases and result counts, through uniqueBaseNames. */
function fileNames(clips: Array<[string | undefined, number]>): string[] {
  const unique = uniqueBaseNames(clips.map(([base]) => base));
  return clips.flatMap(([, count], index) => (unique[index] === undefined ? [] : resultFileNames(unique[index], count)));
}

describe('result file names', () => {
  const context = { taskId: 'task_018f5a', upscaleFactor: '2' };
  const namesFor = (count: number, extra: Partial<typeof context> & { sourceUrl?: string } = {}) =>
    resultFileNames(resultBaseName({ ...context, ...extra }) as string, count);

  it('derive from the source name and factor', () => {
    expect(namesFor(1, { sourceUrl: 'https://cdn.example.com/videos/clip.mp4?sig=abc' })).toEqual(['clip-2x.mp4']);
    expect(namesFor(2, { sourceUrl: 'https://cdn.example.com/Trailer%20Final.MOV', upscaleFactor: '4' })).toEqual([
      'Trailer-Final-4x-1.mp4',
      'Trailer-Final-4x-2.mp4',
    ]);
    expect(namesFor(1, { sourceUrl: 'https://cdn.example.com/видео.mkv' })).toEqual(['видео-2x.mp4']);
  });

  it('fall back to the task id when there is no usable source name', () => {
    expect(namesFor(1)).toEqual(['task_018f5a.mp4']);
    expect(namesFor(1, { sourceUrl: 'https://cdn.example.com/' })).toEqual(['task_018f5a.mp4']);
    expect(namesFor(1, { sourceUrl: 'https://cdn.example.com/%2E%2E' })).toEqual(['task_018f5a.mp4']);
    expect(resultBaseName({ taskId: '...', upscaleFactor: '2' })).toBe('result');
    expect(resultBaseName({ taskId: 'task.v2:abc', upscaleFactor: '2' })).toBe('task.v2-abc');
    // A Windows device name is no file name on a Windows runner, whatever the extension.
    expect(resultBaseName({ taskId: 'NUL', upscaleFactor: '2' })).toBe('NUL_');
  });

  it('are unknown while a source without a usable name has no task yet', () => {
    expect(resultBaseName({ sourceUrl: 'https://a.example/', upscaleFactor: '2' })).toBeUndefined();
    expect(resultBaseName({ sourceUrl: 'https://a.example/', taskId: 'clip-2x', upscaleFactor: '2' })).toBe('clip-2x');
  });

  it('never carry a path, whatever the source URL holds', () => {
    expect(sourceStem('https://x.example/..%2F..%2Fetc%2Fpasswd.mp4')).toBe('etc-passwd');
    expect(sourceStem('https://x.example/a%5C..%5Cb.mp4')).toBe('a-.-b');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: 1, max: 3 }), (segment, count) => {
        const url = `https://cdn.example.com/dir/${encodeURIComponent(segment)}`;
        for (const name of namesFor(count, { sourceUrl: url })) {
          expect(basename(name)).toBe(name);
          expect(name).toMatch(/^[\p{L}\p{N}_][\p{L}\p{N}\p{M}._-]*\.mp4$/u);
          expect(name).not.toContain('..');
          expect(bytes(name)).toBeLessThanOrEqual(MAX_RESULT_NAME_BYTES);
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

  it('sanitizeStem keeps combining marks on their letters and drops stray ones', () => {
    expect(sanitizeStem('हिन्दी')).toBe('हिन्दी');
    expect(sanitizeStem('\u0301\u0301abc -\u0301x')).toBe('abc-x');
  });
});

describe('byte limits', () => {
  it('leave room for the factor, numbering, result index, .mp4 and the temporary name', () => {
    expect(MAX_RESULT_NAME_BYTES + '.'.length + '.0123abcd.part'.length).toBe(MAX_NAME_BYTES);
    expect(MAX_STEM_BYTES + '-4x_256-999.mp4'.length).toBe(MAX_RESULT_NAME_BYTES);
  });

  it('cap a name of 80 CJK characters by bytes (it was 240 bytes of stem, 247 with -2x.mp4, 262 as a temporary name)', () => {
    const cjk = '汉'.repeat(80);
    const base = resultBaseName({ sourceUrl: `https://cdn.example.com/${encodeURIComponent(cjk)}.mp4`, upscaleFactor: '2' }) as string;
    expect(base).toBe(`${'汉'.repeat(75)}-2x`);
    const [name] = resultFileNames(base, 1) as [string];
    expect(bytes(name)).toBeLessThanOrEqual(MAX_RESULT_NAME_BYTES);
    expect(bytes(temporary(name))).toBeLessThanOrEqual(MAX_NAME_BYTES);
  });

  it('never split a character: 99 ASCII letters and 𝒜 keep 99 letters, not a U+FFFD', () => {
    const stem = sanitizeStem(`${'a'.repeat(99)}𝒜`);
    expect(stem).toBe('a'.repeat(99));
    expect(stem).not.toContain('\uFFFD');
    expect(sanitizeStem(`${'a'.repeat(98)}𝒜`)).toBe(`${'a'.repeat(98)}𝒜`);
  });

  it('never split a letter from its combining marks', () => {
    // An e with two combining marks (5 bytes), cut where only the e would fit.
    const accented = 'e\u0301\u0323';
    expect(truncateUtf8(`ab${accented}`, 3)).toBe('ab');
    expect(truncateUtf8(`ab${accented}`, 7)).toBe(`ab${accented}`);
    expect(truncateUtf8('𝒜𝒜', 5)).toBe('𝒜');
  });

  it('hold for any text: within the byte cap, well-formed, a prefix of the uncapped stem', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (text) => {
        const stem = sanitizeStem(text);
        expect(bytes(stem)).toBeLessThanOrEqual(MAX_STEM_BYTES);
        expect(stem.length).toBeLessThanOrEqual(100);
        expect(stem).not.toContain('\uFFFD');
        expect(Buffer.from(stem).toString()).toBe(stem); // no lone surrogate
        expect(sanitizeStem(text, 10_000).startsWith(stem)).toBe(true);
      }),
    );
  });

  it('refuse a name that would still be too long (a thousand results of a longest name)', () => {
    const base = `${'x'.repeat(MAX_STEM_BYTES)}-4x_256`;
    expect(resultFileNames(base, 999).every((name) => bytes(temporary(name)) <= MAX_NAME_BYTES)).toBe(true);
    expect(() => resultFileNames(base, 1000)).toThrow(/longer than 240 bytes/);
  });
});

describe('uniqueBaseNames', () => {
  it('numbers clips that share a name in source order: the first keeps it, the next get _2, _3', () => {
    expect(uniqueBaseNames(['intro-2x', 'intro-2x', 'outro-2x', 'intro-2x'])).toEqual(['intro-2x', 'intro-2x_2', 'outro-2x', 'intro-2x_3']);
  });

  it('numbers a task id that equals another clip’s name (https://a.example/ with task id clip-2x, and clip.mp4)', () => {
    expect(uniqueBaseNames(['clip-2x', 'clip-2x'])).toEqual(['clip-2x', 'clip-2x_2']);
  });

  it('numbers names that differ only in case, as macOS and Windows see them', () => {
    expect(uniqueBaseNames(['Clip-2x', 'clip-2x', 'CLIP-2X'])).toEqual(['Clip-2x', 'clip-2x_2', 'CLIP-2X_3']);
    expect(uniqueBaseNames(['Straße-2x', 'STRASSE-2x'])).toEqual(['Straße-2x', 'STRASSE-2x_2']);
  });

  it('skips a number another clip already took', () => {
    expect(uniqueBaseNames(['a', 'a_2', 'a'])).toEqual(['a', 'a_2', 'a_3']);
  });

  it('keeps a name clear of another clip’s numbered results (clip-2x-1.mp4 of a clip with two)', () => {
    expect(
      fileNames([
        ['clip-2x', 2],
        ['clip-2x-1', 1],
      ]),
    ).toEqual(['clip-2x-1.mp4', 'clip-2x-2.mp4', 'clip-2x-1_2.mp4']);
    expect(
      fileNames([
        ['clip-2x-1', 1],
        ['clip-2x', 2],
      ]),
    ).toEqual(['clip-2x-1.mp4', 'clip-2x_2-1.mp4', 'clip-2x_2-2.mp4']);
  });

  it('leaves clips without results out, taking nothing', () => {
    expect(uniqueBaseNames([undefined, 'a', undefined, 'a'])).toEqual([undefined, 'a', undefined, 'a_2']);
  });

  it('never gives two files the same name, case-insensitively, and names each clip from the clips before it only', () => {
    const base = fc.constantFrom('a', 'A', 'a_2', 'a-1', 'A-2', 'a_2-1', 'a-1_2', 'b', 'ß', 'SS', 'ss_2');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.option(base, { nil: undefined }), fc.integer({ min: 1, max: 3 })), { maxLength: 12 }), (clips) => {
        const names = fileNames(clips);
        expect(new Set(names.map(nameKey)).size).toBe(names.length);
        const unique = uniqueBaseNames(clips.map(([b]) => b));
        for (let end = 0; end <= clips.length; end++) expect(uniqueBaseNames(clips.slice(0, end).map(([b]) => b))).toEqual(unique.slice(0, end));
        unique.forEach((name, index) => {
          const original = clips[index]?.[0];
          if (original === undefined) expect(name).toBeUndefined();
          else expect(name === original || name?.startsWith(`${original}_`)).toBe(true);
        });
      }),
    );
  });
});

describe('ResultNameBook', () => {
  it('hands out names in source order whatever order task ids arrive and clips finish in', async () => {
    // Clip 0 has no source name: it is named after its task id, known only once submitted.
    const book = new ResultNameBook(3);
    book.settle(1, 'clip-2x');
    book.settle(2, 'Clip-2x');
    const second = book.finalBase(1);
    const third = book.finalBase(2);
    let early = false;
    void second.then(() => (early = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(early).toBe(false); // waits for clip 0's task id
    book.settle(0, 'clip-2x');
    expect(await third).toBe('Clip-2x_3');
    expect(await second).toBe('clip-2x_2');
    expect(await book.finalBase(0)).toBe('clip-2x');
  });

  it('does not wait for a clip that never got a task, and keeps the first settlement', async () => {
    const book = new ResultNameBook(2);
    book.settle(1, 'a');
    book.settle(0, undefined);
    book.settle(0, 'a');
    expect(await book.finalBase(1)).toBe('a');
    expect(book.provisional()).toEqual([undefined, 'a']);
  });

  it('stops waiting when the step is cancelled', async () => {
    const book = new ResultNameBook(2);
    book.settle(1, 'a');
    const controller = new AbortController();
    const waiting = book.finalBase(1, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toThrow('Cancelled.');
  });
});
