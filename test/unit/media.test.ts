/** Container sniffing and duration reading over an in-memory range reader, on the committed ffmpeg clips. */
import { describe, expect, it } from 'vitest';
import { formatBytes, readDuration, sniffContainer, sniffDocument, type RangeReader } from '../../src/media';
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

describe('readDuration', () => {
  it('reads the faststart MP4 from its head alone', async () => {
    const { read, reads } = readerOf(MP4);
    expect(await readDuration('mp4', MP4, MP4.length, read)).toEqual({ durationSeconds: 3.2 });
    expect(reads).toEqual([]);
  });

  it('reads a MOV whose moov is at the end, jumping over mdat', async () => {
    const { read, reads } = readerOf(MOV);
    const head = MOV.subarray(0, 64); // ftyp, wide and the start of mdat
    expect(await readDuration('mp4', head, MOV.length, read)).toEqual({ durationSeconds: 2.4 });
    const moovStart = MOV.indexOf('moov') - 4;
    expect(reads[0]![0]).toBe(moovStart);
  });

  it('reads a moov larger than the first chunk by continuing where the data ends', async () => {
    const { read, reads } = readerOf(MP4);
    const limits = { maxExtraBytes: 1 << 20, firstChunkBytes: 100 };
    expect(await readDuration('mp4', MP4.subarray(0, 200), MP4.length, read, limits)).toEqual({ durationSeconds: 3.2 });
    expect(reads.length).toBeGreaterThan(1);
    for (let i = 1; i < reads.length; i++) expect(reads[i]![0]).toBe(reads[i - 1]![1]);
  });

  it('reads only a few KiB of a padded 8 MiB MOV', async () => {
    const big = padMediaData(MOV, 8 * 1024 * 1024);
    const { read, reads } = readerOf(big);
    expect(await readDuration('mp4', big.subarray(0, 4096), big.length, read)).toEqual({ durationSeconds: 2.4 });
    const fetched = reads.reduce((sum, [start, end]) => sum + Math.min(end, big.length) - start, 0);
    expect(fetched).toBeLessThan(128 * 1024);
  });

  it('gives up within its byte budget when there is no moov', async () => {
    const noMoov = Buffer.concat([MOV.subarray(0, MOV.indexOf('moov') - 4), box('free', 4096), box('free', 4096)]);
    const { read } = readerOf(noMoov);
    const result = await readDuration('mp4', noMoov.subarray(0, 32), noMoov.length, read, { maxExtraBytes: 1000, firstChunkBytes: 100 });
    expect(result.durationSeconds).toBeUndefined();
    expect(result.problem).toMatch(/moov/);
  });

  it('reports a file that ends before any moov', async () => {
    const noMoov = MOV.subarray(0, MOV.indexOf('moov') - 4);
    const { read } = readerOf(noMoov);
    const result = await readDuration('mp4', noMoov.subarray(0, 32), noMoov.length, read);
    expect(result).toEqual({ problem: 'no movie header (moov box) was found in the file' });
  });

  it('reads the MKV duration from Segment Info', async () => {
    const { read } = readerOf(MKV);
    expect(await readDuration('matroska', MKV, MKV.length, read)).toEqual({ durationSeconds: 5 });
    // Segment Info is near the start: the first KiB is enough.
    expect(await readDuration('matroska', MKV.subarray(0, 1024), MKV.length, read)).toEqual({ durationSeconds: 5 });
  });

  it('reports rather than throws on a broken MKV', async () => {
    const broken = Buffer.concat([MKV.subarray(0, 8), Buffer.alloc(64, 0xff)]);
    const result = await readDuration('matroska', broken, broken.length, readerOf(broken).read);
    expect(result.durationSeconds).toBeUndefined();
    expect(result.problem).toMatch(/Matroska/);
  });

  it('lets reader errors through', async () => {
    const failing: RangeReader = () => Promise.reject(new Error('socket hang up'));
    await expect(readDuration('mp4', MOV.subarray(0, 64), MOV.length, failing)).rejects.toThrow('socket hang up');
  });
});

describe('formatBytes', () => {
  it.each([
    [812, '812 B'],
    [2615, '2.6 KiB'],
    [50 * 1024 * 1024, '50.0 MiB'],
  ])('%d → %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});
