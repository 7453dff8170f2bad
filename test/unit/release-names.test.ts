/**
 * Release asset names: each result file is uploaded under a name GitHub keeps
 * as sent (GitHub renames the others, and lists only its own spelling), and
 * the names of one run stay unique after that mapping. Checked against the
 * fake GitHub's rename rule (test/helpers/fake-github.ts), which follows what
 * GitHub was seen to do.
 */
import { describe, expect, it } from 'vitest';
import { AssetNameBook, isKeptByGitHub, releaseAssetName } from '../../src/release/asset-names';
import { githubAssetName } from '../helpers/fake-github';

describe('releaseAssetName', () => {
  it('keeps a plain ASCII name as it is', () => {
    for (const name of ['clip-2x.mp4', 'intro_v2-4x-1.mp4', 'task_abc.def-ghi.mp4', 'a.b.c-2x.mp4']) {
      expect(releaseAssetName(name)).toBe(name);
      expect(githubAssetName(name)).toBe(name);
    }
  });

  it('spells an accented or non-Latin name in ASCII with a hash of the original, which GitHub keeps as sent', () => {
    const names = ['café-2x.mp4', 'Straße-4x.mp4', 'Ærø_ŋ-2x.mp4', '東京-2x.mp4', 'видео-2x-1.mp4', 'naïve.clip-2x.mp4'];
    for (const name of names) {
      const asset = releaseAssetName(name);
      expect(asset).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]*-[0-9a-f]{6}\.mp4$/);
      expect(isKeptByGitHub(asset)).toBe(true);
      // What GitHub would store is what was sent, so a lookup by this name finds it.
      expect(githubAssetName(asset)).toBe(asset);
      expect(githubAssetName(name)).not.toBe(name);
    }
    expect(releaseAssetName('café-2x.mp4')).toMatch(/^cafe-2x-[0-9a-f]{6}\.mp4$/);
    expect(releaseAssetName('Straße-4x.mp4')).toMatch(/^Strasse-4x-[0-9a-f]{6}\.mp4$/);
    expect(releaseAssetName('東京-2x.mp4')).toMatch(/^2x-[0-9a-f]{6}\.mp4$/);
    expect(releaseAssetName('東京.mp4')).toMatch(/^[0-9a-f]{6}\.mp4$/);
  });

  it('is the same on every run, NFC or NFD', () => {
    expect(releaseAssetName('café-2x.mp4')).toBe(releaseAssetName('café-2x.mp4'));
    expect(releaseAssetName('cafe\u0301-2x.mp4')).toBe(releaseAssetName('caf\u00e9-2x.mp4'));
  });

  it('never maps two file names onto one asset, where GitHub would (café and cafe)', () => {
    const files = ['café-2x.mp4', 'cafe-2x.mp4', 'cafè-2x.mp4', 'CAFÉ-2x.mp4'];
    expect(new Set(files.map(githubAssetName)).size).toBeLessThan(files.length);
    const assets = files.map(releaseAssetName);
    expect(new Set(assets.map((name) => name.toLowerCase())).size).toBe(files.length);
    expect(assets[1]).toBe('cafe-2x.mp4');
  });

  it('stays within 255 characters', () => {
    const name = `${'é'.repeat(120)}-2x.mp4`;
    const asset = releaseAssetName(name);
    expect(asset.length).toBeLessThanOrEqual(255);
    expect(isKeptByGitHub(asset)).toBe(true);
    expect(releaseAssetName(`${'x'.repeat(300)}é.mp4`).length).toBeLessThanOrEqual(255);
  });
});

describe('AssetNameBook', () => {
  it('numbers a name already handed to another file of the run, and gives a file the same name again', () => {
    const book = new AssetNameBook();
    const mapped = releaseAssetName('café-2x.mp4');
    // A plain file that happens to be named as the mapped one.
    expect(book.claim(mapped)).toBe(mapped);
    const second = book.claim('café-2x.mp4');
    expect(second).toBe(mapped.replace(/\.mp4$/, '_2.mp4'));
    expect(book.claim('café-2x.mp4')).toBe(second);
    expect(book.claim(mapped.toUpperCase())).toBe(
      mapped
        .toUpperCase()
        .replace(/\.MP4$/, '_2.MP4')
        .replace('_2.MP4', '_3.MP4'),
    );
  });
});
