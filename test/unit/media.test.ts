/** Container sniffing and media facts (duration, video track) over an in-memory range reader, on the committed ffmpeg clips. */
import { describe, expect, it } from 'vitest';
import {
  codecDisplayName,
  matroskaVideoTrack,
  readMediaFacts,
  sniffContainer,
  sniffDocument,
  type MediaFacts,
  type RangeReader,
} from '../../src/media/container';
import { formatBytes } from '../../src/shared/format';
import { fixtureBytes, padMediaData } from '../emulator/emulator';

const MP4 = fixtureBytes('clip-3.2s-faststart.mp4');
const MOV = fixtureBytes('clip-2.4s-moov-at-end.mov');
const MKV = fixtureBytes('clip-5s.mkv');

/** A reader over `file` that records the ranges asked for. */
function readerOf(file: Buffer): { read: RangeReader; reads: Array<[number, number]> } {
  const reads: Array<[number, number]> = [];
  return {
    reads,
    read: (start, end) => {
      reads.push([start, end]);
      return Promise.resolve(file.subarray(start, end));
    },
  };
}

function box(type: string, size = 16): Uint8Array {
  const bytes = Buffer.alloc(size);
  bytes.writeUInt32BE(size, 0);
  bytes.write(type, 4, 'latin1');
  return bytes;
}

describe('sniffContainer', () => {
  it('recognises the fixtures', () => {
    expect(sniffContainer(MP4)).toBe('mp4');
    expect(sniffContainer(MOV)).toBe('mp4');
    expect(sniffContainer(MKV)).toBe('matroska');
  });

  it.each(['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip'])('takes a file starting with a %s box as ISO BMFF', (type) => {
    expect(sniffContainer(box(type))).toBe('mp4');
  });

  it('needs a plausible box size', () => {
    const tooSmall = Buffer.from(box('ftyp'));
    tooSmall.writeUInt32BE(4, 0); // a box cannot be smaller than its 8-byte header
    expect(sniffContainer(tooSmall)).toBeUndefined();
    const largesize = box('mdat');
    largesize.set([0, 0, 0, 1], 0); // 64-bit size follows
    expect(sniffContainer(largesize)).toBe('mp4');
  });

  it.each([
    ['an HTML page', Buffer.from('<!DOCTYPE html><html><body>Not Found</body></html>')],
    ['JSON', Buffer.from('{"error":"nope"}')],
    ['a PNG', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')],
    ['an AVI', Buffer.from('RIFF\x10\x00\x00\x00AVI LIST', 'latin1')],
    ['too few bytes', Buffer.from([0x1a, 0x45])],
    ['nothing', Buffer.alloc(0)],
  ])('does not take %s for a video', (_what, bytes) => {
    expect(sniffContainer(bytes)).toBeUndefined();
  });
});

describe('sniffDocument', () => {
  it.each([
    ['  <!doctype html><html>', 'an HTML page'],
    ['<HTML><head>', 'an HTML page'],
    ['<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>', 'an XML document'],
    ['<Error><Code>NoSuchKey</Code></Error>', 'an XML document'],
    ['{"message": "not found"}', 'a JSON document'],
    ['[{"a":1}]', 'a JSON document'],
  ])('names %j as %s', (text, expected) => {
    expect(sniffDocument(Buffer.from(text))).toBe(expected);
  });

  it('says nothing about video bytes', () => {
    expect(sniffDocument(MP4)).toBeUndefined();
    expect(sniffDocument(MKV)).toBeUndefined();
  });
});

describe('readMediaFacts', () => {
  it('reads the faststart MP4 from its head alone', async () => {
    const { read, reads } = readerOf(MP4);
    expect(await readMediaFacts('mp4', MP4, MP4.length, read)).toMatchObject({ durationSeconds: 3.2 });
    expect(reads).toEqual([]);
  });

  it('reads a MOV whose moov is at the end, jumping over mdat', async () => {
    const { read, reads } = readerOf(MOV);
    const head = MOV.subarray(0, 64); // ftyp, wide and the start of mdat
    expect(await readMediaFacts('mp4', head, MOV.length, read)).toMatchObject({ durationSeconds: 2.4 });
    const moovStart = MOV.indexOf('moov') - 4;
    expect(reads[0]![0]).toBe(moovStart);
  });

  it('reads a moov larger than the first chunk by continuing where the data ends', async () => {
    const { read, reads } = readerOf(MP4);
    const limits = { maxExtraBytes: 1 << 20, firstChunkBytes: 100 };
    expect(await readMediaFacts('mp4', MP4.subarray(0, 200), MP4.length, read, limits)).toMatchObject({ durationSeconds: 3.2 });
    expect(reads.length).toBeGreaterThan(1);
    for (let i = 1; i < reads.length; i++) expect(reads[i]![0]).toBe(reads[i - 1]![1]);
  });

  it('reads only a few KiB of a padded 8 MiB MOV', async () => {
    const big = padMediaData(MOV, 8 * 1024 * 1024);
    const { read, reads } = readerOf(big);
    expect(await readMediaFacts('mp4', big.subarray(0, 4096), big.length, read)).toMatchObject({ durationSeconds: 2.4 });
    const fetched = reads.reduce((sum, [start, end]) => sum + Math.min(end, big.length) - start, 0);
    expect(fetched).toBeLessThan(128 * 1024);
  });

  it('gives up within its byte budget when there is no moov', async () => {
    const noMoov = Buffer.concat([MOV.subarray(0, MOV.indexOf('moov') - 4), box('free', 4096), box('free', 4096)]);
    const { read } = readerOf(noMoov);
    const result = await readMediaFacts('mp4', noMoov.subarray(0, 32), noMoov.length, read, { maxExtraBytes: 1000, firstChunkBytes: 100 });
    expect(result.durationSeconds).toBeUndefined();
    expect(result.problem).toMatch(/moov/);
  });

  it('reports a file that ends before any moov', async () => {
    const noMoov = MOV.subarray(0, MOV.indexOf('moov') - 4);
    const { read } = readerOf(noMoov);
    const result = await readMediaFacts('mp4', noMoov.subarray(0, 32), noMoov.length, read);
    expect(result).toEqual({ problem: 'no movie header (moov box) was found in the file' });
  });

  it('reads the MKV duration from Segment Info', async () => {
    const { read } = readerOf(MKV);
    expect(await readMediaFacts('matroska', MKV, MKV.length, read)).toMatchObject({ durationSeconds: 5 });
    // Segment Info is near the start: the first KiB is enough.
    expect(await readMediaFacts('matroska', MKV.subarray(0, 1024), MKV.length, read)).toMatchObject({ durationSeconds: 5 });
  });

  it('reports rather than throws on a broken MKV', async () => {
    const broken = Buffer.concat([MKV.subarray(0, 8), Buffer.alloc(64, 0xff)]);
    const result = await readMediaFacts('matroska', broken, broken.length, readerOf(broken).read);
    expect(result.durationSeconds).toBeUndefined();
    expect(result.problem).toMatch(/Matroska/);
  });

  it('lets reader errors through', async () => {
    const failing: RangeReader = () => Promise.reject(new Error('socket hang up'));
    await expect(readMediaFacts('mp4', MOV.subarray(0, 64), MOV.length, failing)).rejects.toThrow('socket hang up');
  });
});

/** A video track as ffprobe reports it for the fixtures (see test/fixtures/README.md). */
function video(width: number, height: number, codec: string, frameRate = 5): MediaFacts['video'] {
  return { width, height, frameRate, codec };
}

describe('readMediaFacts on every fixture', () => {
  it.each<[string, MediaFacts]>([
    ['clip-3.2s-faststart.mp4', { durationSeconds: 3.2, hasVideo: true, video: video(64, 36, 'avc1') }],
    ['clip-2.4s-moov-at-end.mov', { durationSeconds: 2.4, hasVideo: true, video: video(64, 36, 'avc1') }],
    ['clip-5s.mkv', { durationSeconds: 5, hasVideo: true, video: video(64, 36, 'V_MPEG4/ISO/AVC') }],
    ['result-3.2s-1x-64x36.mp4', { durationSeconds: 3.2, hasVideo: true, video: video(64, 36, 'avc1') }],
    ['result-3.2s-2x-128x72.mp4', { durationSeconds: 3.2, hasVideo: true, video: video(128, 72, 'avc1') }],
    ['result-3.2s-4x-256x144.mp4', { durationSeconds: 3.2, hasVideo: true, video: video(256, 144, 'avc1') }],
    ['result-2.4s-1x-64x36.mp4', { durationSeconds: 2.4, hasVideo: true, video: video(64, 36, 'avc1') }],
    ['result-2.4s-2x-128x72.mp4', { durationSeconds: 2.4, hasVideo: true, video: video(128, 72, 'avc1') }],
    ['result-2.4s-4x-256x144.mp4', { durationSeconds: 2.4, hasVideo: true, video: video(256, 144, 'avc1') }],
    ['result-5s-1x-64x36.mp4', { durationSeconds: 5, hasVideo: true, video: video(64, 36, 'avc1') }],
    ['result-5s-2x-128x72.mp4', { durationSeconds: 5, hasVideo: true, video: video(128, 72, 'avc1') }],
    ['result-5s-4x-256x144.mp4', { durationSeconds: 5, hasVideo: true, video: video(256, 144, 'avc1') }],
    ['result-3.2s-2x-128x72-hevc.mp4', { durationSeconds: 3.2, hasVideo: true, video: video(128, 72, 'hvc1') }],
    ['result-3.2s-2x-128x72-moov-at-end.mp4', { durationSeconds: 3.2, hasVideo: true, video: video(128, 72, 'avc1') }],
    ['fault-too-short-1.6s-128x72.mp4', { durationSeconds: 1.6, hasVideo: true, video: video(128, 72, 'avc1') }],
    ['fault-no-video-3.2s.mp4', { durationSeconds: 3.2, hasVideo: false }],
  ])('%s', async (file, facts) => {
    const bytes = fixtureBytes(file);
    const container = sniffContainer(bytes)!;
    expect(container).toBe(file.endsWith('.mkv') ? 'matroska' : 'mp4');
    expect(await readMediaFacts(container, bytes, bytes.length, readerOf(bytes).read)).toEqual(facts);
  });

  it('reads the video track of a moov at the end after jumping over mdat, with one more read', async () => {
    const file = fixtureBytes('result-3.2s-2x-128x72-moov-at-end.mp4');
    const { read, reads } = readerOf(file);
    const facts = await readMediaFacts('mp4', file.subarray(0, 64), file.length, read);
    expect(facts).toEqual({ durationSeconds: 3.2, hasVideo: true, video: video(128, 72, 'avc1') });
    expect(reads).toEqual([[file.indexOf('moov') - 4, file.length]]);
  });

  it('reads the MKV video track from the first KiB', () => {
    expect(matroskaVideoTrack(MKV.subarray(0, 1024))).toEqual({ hasVideo: true, video: video(64, 36, 'V_MPEG4/ISO/AVC') });
  });

  it('does not claim an MKV has no video when its Tracks element is cut off', () => {
    const tracksAt = MKV.indexOf(Buffer.from([0x16, 0x54, 0xae, 0x6b]));
    expect(tracksAt).toBeGreaterThan(0);
    expect(matroskaVideoTrack(MKV.subarray(0, tracksAt + 8))).toEqual({});
    expect(matroskaVideoTrack(Buffer.alloc(0))).toEqual({});
    expect(matroskaVideoTrack(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0xff]))).toEqual({});
  });

  it('says "no video" for an MKV whose complete Tracks list has only audio', () => {
    // The fixture's TrackEntry with TrackType (0x83) patched from 1 (video) to 2 (audio).
    const audioOnly = Buffer.from(MKV);
    const entry = audioOnly.indexOf(Buffer.from([0x83, 0x81, 0x01]));
    expect(entry).toBeGreaterThan(0);
    audioOnly[entry + 2] = 0x02;
    expect(matroskaVideoTrack(audioOnly)).toEqual({ hasVideo: false });
  });
});

describe('matroskaVideoTrack on hostile input', () => {
  it('never throws on any prefix or single-byte corruption of the MKV', () => {
    for (let length = 0; length <= MKV.length; length++) expect(() => matroskaVideoTrack(MKV.subarray(0, length))).not.toThrow();
    for (let at = 0; at < MKV.length; at++) {
      const corrupt = Buffer.from(MKV);
      corrupt[at] = corrupt[at]! ^ 0xff;
      expect(() => matroskaVideoTrack(corrupt)).not.toThrow();
    }
  });

  it('does not recurse into nested Segments (a crafted 256 KiB head of them)', () => {
    // Segment ID, then an unknown size (0x01 + seven 0xff), over and over.
    const nested = Buffer.alloc(256 * 1024);
    for (let at = 0; at + 12 <= nested.length; at += 12) nested.set([0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], at);
    expect(matroskaVideoTrack(nested)).toEqual({});
  });
});

describe('codecDisplayName', () => {
  it.each([
    ['avc1', 'H.264'],
    ['avc3', 'H.264'],
    ['V_MPEG4/ISO/AVC', 'H.264'],
    ['hvc1', 'H.265/HEVC'],
    ['hev1', 'H.265/HEVC'],
    ['V_MPEGH/ISO/HEVC', 'H.265/HEVC'],
    ['av01', 'AV1'],
    ['V_AV1', 'AV1'],
    ['vp09', 'VP9'],
    ['V_VP9', 'VP9'],
    ['mp4v', 'mp4v'],
    ['ap4h', 'ap4h'],
  ])('%s → %s', (codec, name) => expect(codecDisplayName(codec)).toBe(name));

  it('keeps untrusted codes to safe characters', () => {
    expect(codecDisplayName('a|*\n')).toBe('a???');
    expect(codecDisplayName('')).toBe('?');
  });
});

describe('formatBytes', () => {
  it.each([
    [812, '812 B'],
    [2615, '2.6 KiB'],
    [50 * 1024 * 1024, '50.0 MiB'],
  ])('%d → %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});
