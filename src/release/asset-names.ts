/**
 * Release asset names as GitHub stores them. GitHub renames an uploaded asset
 * whose name holds anything beyond a few ASCII characters: accents are
 * dropped, other letters (Cyrillic, CJK…), spaces and most punctuation become
 * `.`, and the lists then show only the renamed name. An action that looked
 * the asset up by its own name would never find it again (a re-delivery of
 * the same bytes would fail with 422 already_exists), and two names GitHub
 * maps to one (`café`, `cafe`) would take one asset. So each local file name
 * is mapped before the upload to a name GitHub keeps as it is, and names
 * stay unique after that mapping. Pure functions, plus the run's name book.
 */
import { createHash } from 'node:crypto';

/** Why a file's asset name differs from it, for the log. */
export const ASSET_NAME_RULE =
  'GitHub would rename it (asset names keep only ASCII letters, digits, - _ and .), so it is spelled in ASCII with a short hash of the file name';

/** A name GitHub keeps unchanged: ASCII letters, digits, `-`, `_` and single dots between them. */
const KEPT = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]|\.(?!\.))*(?<!\.)$/;

/** Letters with no accent to drop that have a usual ASCII spelling. */
const ASCII_SPELLING: Record<string, string> = {
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ß: 'ss',
  ẞ: 'SS',
  ø: 'o',
  Ø: 'O',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'TH',
  ł: 'l',
  Ł: 'L',
  ı: 'i',
  ŋ: 'ng',
  Ŋ: 'NG',
  ħ: 'h',
  Ħ: 'H',
};

/** True when GitHub stores an asset under this name exactly as sent. */
export function isKeptByGitHub(name: string): boolean {
  return name.length <= 255 && KEPT.test(name);
}

/**
 * The name a result file is uploaded under. A name GitHub keeps is used as
 * is. Any other is spelled in ASCII (accents dropped, `æ` → `ae`, every run of
 * other characters one `-`) and, because that loses something, gets `-` and
 * six hex digits of the SHA-256 of the original name before its extension:
 * `café-2x.mp4` → `cafe-2x-1c8b3e.mp4`, so it can never meet the name of
 * another file (`cafe-2x.mp4` stays itself) and is the same on every run.
 */
export function releaseAssetName(fileName: string): string {
  if (isKeptByGitHub(fileName)) return fileName;
  const dot = /\.[A-Za-z0-9]{1,8}$/.exec(fileName);
  const extension = dot ? dot[0] : '';
  const stem = asciiSpelling(fileName.slice(0, fileName.length - extension.length));
  const tag = createHash('sha256').update(fileName.normalize('NFC'), 'utf8').digest('hex').slice(0, 6);
  // The stem keeps the whole name within 255 characters.
  const room = 255 - extension.length - tag.length - 1;
  const kept = stem.slice(0, room).replace(/[.-]+$/, '');
  return `${kept ? `${kept}-` : ''}${tag}${extension}`;
}

/** ASCII letters, digits, `_`, `-` and single inner dots only; nothing at either end but a letter, digit or `_`. */
function asciiSpelling(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/./gu, (char) => ASCII_SPELLING[char] ?? char)
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+|[.-]+$/g, '');
}

/**
 * The asset names of one run: each file name gets its releaseAssetName, and
 * one already handed to another file of this run gets `_2`, `_3`… before its
 * extension (compared without case). The hash in a mapped name makes that
 * all but impossible; this is the guarantee.
 */
export class AssetNameBook {
  private readonly owners = new Map<string, string>();

  /** The asset name for this file name; the same file name always gets the same answer. */
  claim(fileName: string): string {
    const base = releaseAssetName(fileName);
    const dot = /\.[A-Za-z0-9]{1,8}$/.exec(base);
    const extension = dot ? dot[0] : '';
    const stem = base.slice(0, base.length - extension.length);
    for (let number = 1; ; number++) {
      const name = number === 1 ? base : `${stem}_${number}${extension}`;
      const owner = this.owners.get(name.toLowerCase());
      if (owner === undefined) this.owners.set(name.toLowerCase(), fileName);
      if (owner === undefined || owner === fileName) return name;
    }
  }
}
