/**
 * Hostile or unusual media built in memory from the committed fixtures (big
 * files are never committed): each keeps the fixture's sample offsets valid
 * and changes exactly one thing.
 */
import { fixtureBytes } from '../emulator/emulator';

/** The 24-byte `ftyp` of the emulator's synthetic MP4s. */
const FTYP = Buffer.from('00000018667479706d703432000000006d70343269736f6d', 'hex');

/** An `ftyp` box, then one `moov` box that claims every byte after it (zeros): a movie header as big as the file. */
export function moovClaimingTheFile(size: number): Buffer {
  const file = Buffer.alloc(size);
  FTYP.copy(file, 0);
  file.writeUInt32BE(size - FTYP.length, FTYP.length);
  file.write('moov', FTYP.length + 4, 'latin1');
  return file;
}

/** Offset of the four-character `type` of the first box of that type at or after `from`. */
function boxType(file: Buffer, type: string, from = 0): number {
  const at = file.indexOf(type, from, 'latin1');
  if (at < 4) throw new Error(`no ${type} box`);
  return at;
}

/**
 * A copy of an MP4 whose first box, `ftyp`, is replaced by a `wide` box and a
 * `free` box of the same total size, as old QuickTime files begin: nothing
 * moves, so its chunk offsets stay right.
 */
export function wideFirst(file = 'result-3.2s-2x-128x72.mp4'): Buffer {
  const bytes = Buffer.from(fixtureBytes(file));
  if (bytes.toString('latin1', 4, 8) !== 'ftyp') throw new Error(`${file} does not start with ftyp`);
  const ftypSize = bytes.readUInt32BE(0);
  bytes.fill(0, 0, ftypSize);
  bytes.writeUInt32BE(8, 0);
  bytes.write('wide', 4, 'latin1');
  bytes.writeUInt32BE(ftypSize - 8, 8);
  bytes.write('free', 12, 'latin1');
  return bytes;
}

/**
 * A copy of an MP4 whose video sample entry states no size (width and height
 * 0) and whose track header states a display size of `width` × `height` in
 * 16.16 fixed point, fractions allowed (1708.5).
 */
export function displaySizeOnly(width: number, height: number, file = 'result-3.2s-2x-128x72.mp4'): Buffer {
  const bytes = Buffer.from(fixtureBytes(file));
  const tkhd = boxType(bytes, 'tkhd');
  if (bytes[tkhd + 4] !== 0) throw new Error('only a version 0 tkhd is handled');
  // type(4) version+flags(4) created(4) modified(4) track_ID(4) reserved(4) duration(4) reserved(8) layer, group, volume, reserved(8) matrix(36)
  bytes.writeUInt32BE(Math.round(width * 65536), tkhd + 80);
  bytes.writeUInt32BE(Math.round(height * 65536), tkhd + 84);
  const entry = boxType(bytes, 'avc1', boxType(bytes, 'stsd'));
  // type(4) reserved(6) data_reference_index(2) pre_defined, reserved(4) pre_defined(12), then width(2) height(2)
  bytes.writeUInt16BE(0, entry + 28);
  bytes.writeUInt16BE(0, entry + 30);
  return bytes;
}

/** clip-5s.mkv with its DefaultDuration (the frame duration) overwritten by an EBML Void element of the same size: a frame rate nobody states. */
export function mkvWithoutFrameRate(): Buffer {
  const bytes = Buffer.from(fixtureBytes('clip-5s.mkv'));
  const at = bytes.indexOf(Buffer.from([0x23, 0xe3, 0x83]));
  if (at < 0 || bytes[at + 3] !== 0x84) throw new Error('clip-5s.mkv has no 4-byte DefaultDuration');
  // 3-byte ID, 1-byte size, 4 bytes of value = 8 bytes = Void (0xEC), size 6 (0x86), 6 zero bytes.
  bytes[at] = 0xec;
  bytes[at + 1] = 0x86;
  bytes.fill(0, at + 2, at + 8);
  return bytes;
}
