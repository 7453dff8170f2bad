/**
 * Facts of results and sources that state less than usual, from crafted bytes
 * (test/helpers/crafted-media.ts): a display size in fixed point, no frame
 * rate, no `ftyp`; and the one sniffer that preflight, download and verify share.
 */
import { describe, expect, it } from 'vitest';
import { readMediaFacts, sniffContainer, type RangeReader } from '../../src/media/container';
import { describeUpscale, mediaResultFields, verifyResult, type ResultFacts } from '../../src/media/result-check';
import { notMp4Reason } from '../../src/delivery/download';
import { fixtureBytes } from '../emulator/emulator';
import { displaySizeOnly, mkvWithoutFrameRate, wideFirst } from '../helpers/crafted-media';

const readerOf =
  (file: Buffer): RangeReader =>
  (start, end) =>
    Promise.resolve(file.subarray(start, end));

async function factsOf(file: Buffer) {
  const container = sniffContainer(file);
  if (!container) throw new Error('not a video container');
  return readMediaFacts(container, file, file.length, readerOf(file));
}

describe('a result whose sample entry states no size', () => {
  it('takes the track header’s display size, rounded to whole pixels', async () => {
    const facts = await factsOf(displaySizeOnly(1708.5, 960.25));
    expect(facts.video).toMatchObject({ width: 1709, height: 960 });
  });

  it('gives whole pixels to the outputs and the log', async () => {
    const result = { container: 'mp4', ...(await factsOf(displaySizeOnly(1708.5, 960.5))) } as ResultFacts;
    const source = await factsOf(fixtureBytes('clip-3.2s-faststart.mp4'));
    expect(mediaResultFields(source, result)).toMatchObject({ width: 1709, height: 961 });
    expect(describeUpscale(source, result)).toBe('64×36 → 1709×961 (26.7×) · 3.2 s → 3.2 s · H.264');
  });

  it('states no size when the display size rounds to nothing', async () => {
    expect((await factsOf(displaySizeOnly(0.25, 0.25))).video).toEqual({ frameRate: 5, codec: 'avc1' });
  });
});

describe('the duration tolerance', () => {
  /** What a frozen result says: one frame, held for 2.5 s, so its own "frame rate" is 0.4 fps. */
  const frozen: ResultFacts = { container: 'mp4', hasVideo: true, durationSeconds: 2.5, video: { width: 128, height: 72, frameRate: 0.4, codec: 'avc1' } };

  it('comes from the source, never from the result being checked', async () => {
    const source = await factsOf(fixtureBytes('clip-5s.mkv'));
    expect(source.video?.frameRate).toBe(5);
    expect(verifyResult(source, frozen, '2')).toEqual(["expected a duration of 5 s (the source's, within one frame, 0.2 s), found 2.5 s."]);
  });

  it('is a fixed 0.1 s when the source states no frame rate (an MKV without DefaultDuration)', async () => {
    const source = await factsOf(mkvWithoutFrameRate());
    expect(source).toMatchObject({ durationSeconds: 5, hasVideo: true, video: { width: 64, height: 36 } });
    expect(source.video?.frameRate).toBeUndefined();
    expect(verifyResult(source, frozen, '2')).toEqual(["expected a duration of 5 s (the source's, within 0.1 s), found 2.5 s."]);
    expect(verifyResult(source, { ...frozen, durationSeconds: 5.09 }, '2')).toEqual([]);
  });
});

describe('one sniffer for preflight, download and verify', () => {
  it('reads a result that begins with QuickTime’s wide box, without ftyp', async () => {
    const file = wideFirst();
    expect(sniffContainer(file)).toBe('mp4');
    expect(notMp4Reason(file, 'video/mp4')).toBeUndefined();
    expect(await factsOf(file)).toEqual({ durationSeconds: 3.2, hasVideo: true, video: { width: 128, height: 72, frameRate: 5, codec: 'avc1' } });
  });

  it.each([
    ['ftyp', fixtureBytes('result-3.2s-2x-128x72.mp4')],
    ['wide', wideFirst()],
    ['moov at the end', fixtureBytes('result-3.2s-2x-128x72-moov-at-end.mp4')],
    ['MKV', fixtureBytes('clip-5s.mkv')],
    ['an HTML page', Buffer.from('<!doctype html><title>403</title>')],
    ['gzip', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])],
    ['a box with an impossible size', Buffer.concat([Buffer.from('00000004', 'hex'), Buffer.from('moov0000', 'latin1')])],
  ])('the download accepts exactly what the sniffer calls an MP4: %s', (_, head) => {
    expect(notMp4Reason(head, undefined) === undefined).toBe(sniffContainer(head) === 'mp4');
  });

  it('names an MKV result as such', () => {
    expect(notMp4Reason(fixtureBytes('clip-5s.mkv'), 'video/x-matroska')).toBe(
      'it is an MKV file (content-type video/x-matroska), not an MP4 (no MP4 box at the start)',
    );
  });
});
