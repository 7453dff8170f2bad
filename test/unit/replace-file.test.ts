/**
 * Renaming a finished file onto its final name on each runner OS: on Windows a
 * file in use (EPERM, EACCES, EBUSY) is tried again for a few seconds; anywhere
 * else, and for any other error, the first failure is final. Real renames on
 * this machine's file system check the replacing itself.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/shared/errors';
import { RENAME_ATTEMPTS, isFileInUse, replaceFile } from '../../src/delivery/replace-file';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: rename 'a' -> 'b'`), { code });
}

/** A rename that fails with `codes` in turn, then works; and the waits asked for. */
function flaky(...codes: string[]) {
  const calls: Array<[string, string]> = [];
  const waits: number[] = [];
  return {
    calls,
    waits,
    rename: (from: string, to: string) => {
      calls.push([from, to]);
      const code = codes.shift();
      return code ? Promise.reject(errno(code)) : Promise.resolve();
    },
    sleep: (ms: number, signal?: AbortSignal) => {
      waits.push(ms);
      return signal?.aborted ? Promise.reject(new CancelledError('Cancelled.')) : Promise.resolve();
    },
  };
}

describe('isFileInUse', () => {
  it.each(['EPERM', 'EACCES', 'EBUSY'])('%s is a file in use on Windows only', (code) => {
    expect(isFileInUse(errno(code), 'win32')).toBe(true);
    expect(isFileInUse(errno(code), 'linux')).toBe(false);
    expect(isFileInUse(errno(code), 'darwin')).toBe(false);
  });

  it.each(['ENOENT', 'EXDEV', 'ENOSPC', 'EISDIR', undefined])('%s is not, anywhere', (code) => {
    expect(isFileInUse(code ? errno(code) : new Error('no code'), 'win32')).toBe(false);
  });

  it('takes anything thrown', () => {
    expect(isFileInUse(undefined, 'win32')).toBe(false);
    expect(isFileInUse('EPERM', 'win32')).toBe(false);
  });
});

describe('replaceFile', () => {
  it('on Windows, waits out a file in use (doubling from 50 ms) and then renames', async () => {
    const fake = flaky('EPERM', 'EBUSY', 'EACCES');
    await replaceFile('a.part', 'a.mp4', { platform: 'win32', rename: fake.rename, sleep: fake.sleep });
    expect(fake.calls).toEqual(Array.from({ length: 4 }, () => ['a.part', 'a.mp4']));
    expect(fake.waits).toEqual([50, 100, 200]);
  });

  it(`on Windows, gives up after ${RENAME_ATTEMPTS} tries (about 5.5 s of waits) with the last error`, async () => {
    const fake = flaky(...Array.from({ length: RENAME_ATTEMPTS }, () => 'EPERM'));
    await expect(replaceFile('a.part', 'a.mp4', { platform: 'win32', rename: fake.rename, sleep: fake.sleep })).rejects.toMatchObject({ code: 'EPERM' });
    expect(fake.calls).toHaveLength(RENAME_ATTEMPTS);
    expect(fake.waits).toEqual([50, 100, 200, 400, 800, 1000, 1000, 1000, 1000]);
  });

  it.each<NodeJS.Platform>(['linux', 'darwin'])('on %s, EPERM is final', async (platform) => {
    const fake = flaky('EPERM');
    await expect(replaceFile('a.part', 'a.mp4', { platform, rename: fake.rename, sleep: fake.sleep })).rejects.toMatchObject({ code: 'EPERM' });
    expect(fake.calls).toHaveLength(1);
    expect(fake.waits).toEqual([]);
  });

  it('on Windows, another error is final', async () => {
    const fake = flaky('EXDEV');
    await expect(replaceFile('a.part', 'a.mp4', { platform: 'win32', rename: fake.rename, sleep: fake.sleep })).rejects.toMatchObject({ code: 'EXDEV' });
    expect(fake.calls).toHaveLength(1);
  });

  it('a cancelled step stops waiting', async () => {
    const fake = flaky('EBUSY', 'EBUSY');
    const controller = new AbortController();
    controller.abort();
    await expect(
      replaceFile('a.part', 'a.mp4', { platform: 'win32', rename: fake.rename, sleep: fake.sleep, signal: controller.signal }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(fake.calls).toHaveLength(1);
  });

  describe('on this file system', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'reapi-replace-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('replaces a file that is there, leaving only the final name', async () => {
      await writeFile(join(dir, 'clip-2x.mp4'), 'an older result');
      await writeFile(join(dir, '.clip-2x.mp4.0badf00d.part'), 'the new result');
      await replaceFile(join(dir, '.clip-2x.mp4.0badf00d.part'), join(dir, 'clip-2x.mp4'));
      expect(await readdir(dir)).toEqual(['clip-2x.mp4']);
      expect(await readFile(join(dir, 'clip-2x.mp4'), 'utf8')).toBe('the new result');
    });

    it('throws at once when the temporary file is gone', async () => {
      await expect(replaceFile(join(dir, 'missing.part'), join(dir, 'clip-2x.mp4'))).rejects.toMatchObject({ code: 'ENOENT' });
    });
  });
});
