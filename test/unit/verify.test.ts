/** The pure half of src/media/result-check.ts: the summary text of an upscale and the checks of a result against its source. */
import { describe, expect, it } from 'vitest';
import { ActionError, VerifyError } from '../../src/shared/errors';
import {
  describeUpscale,
  mediaResultFields,
  uncheckedMessage,
  verificationMessage,
  verifyResult,
  type MediaFacts,
  type ResultFacts,
} from '../../src/media/result-check';

function side(width: number | undefined, height: number | undefined, durationSeconds?: number, codec?: string, frameRate?: number): MediaFacts {
  const video: NonNullable<MediaFacts['video']> = {};
  if (width !== undefined) video.width = width;
  if (height !== undefined) video.height = height;
  if (codec !== undefined) video.codec = codec;
  if (frameRate !== undefined) video.frameRate = frameRate;
  return { durationSeconds, video };
}

function mp4(width: number, height: number, durationSeconds: number, codec = 'avc1', frameRate?: number): ResultFacts {
  return { container: 'mp4', hasVideo: true, ...side(width, height, durationSeconds, codec, frameRate) };
}

describe('describeUpscale', () => {
  it('gives the issue’s exact form', () => {
    expect(describeUpscale(side(854, 480, 3.2, 'avc1'), mp4(1708, 960, 3.2))).toBe('854×480 → 1708×960 (2.0×) · 3.2 s → 3.2 s · H.264');
  });

  it.each([
    ['hvc1', 'H.265/HEVC'],
    ['hev1', 'H.265/HEVC'],
    ['av01', 'AV1'],
    ['vp09', 'VP9'],
    ['avc3', 'H.264'],
    ['mp4v', 'mp4v'],
  ])('names the result codec %s as %s', (codec, name) => {
    expect(describeUpscale(side(64, 36, 3.2), mp4(256, 144, 3.2, codec))).toBe(`64×36 → 256×144 (4.0×) · 3.2 s → 3.2 s · ${name}`);
  });

  it('takes the ratio from the widths and rounds durations to a tenth', () => {
    // 4× of 1080p capped at 4K: the ratio shows what was done, not what was asked.
    expect(describeUpscale(side(1920, 1080, 12.04), mp4(3840, 2160, 12.06))).toBe('1920×1080 → 3840×2160 (2.0×) · 12.0 s → 12.1 s · H.264');
    expect(describeUpscale(side(640, 360, 0.96), mp4(1000, 562, 1))).toBe('640×360 → 1000×562 (1.6×) · 1.0 s → 1.0 s · H.264');
  });

  it('shows only the result where the source facts are unknown', () => {
    expect(describeUpscale(undefined, mp4(1708, 960, 3.2))).toBe('1708×960 · 3.2 s · H.264');
    expect(describeUpscale({ durationSeconds: 3.2 }, mp4(1708, 960, 3.2))).toBe('1708×960 · 3.2 s → 3.2 s · H.264');
    expect(describeUpscale(side(854, undefined, undefined), mp4(1708, 960, 3.2, 'hvc1'))).toBe('1708×960 · 3.2 s · H.265/HEVC');
  });

  it('shows "?" for what the result lacks, and "?" alone when nothing is known', () => {
    expect(describeUpscale(side(854, 480, 3.2), undefined)).toBe('854×480 → ? · 3.2 s → ?');
    const audioOnly: ResultFacts = { container: 'mp4', hasVideo: false, durationSeconds: 3.2 };
    expect(describeUpscale(side(854, 480, 3.2), audioOnly)).toBe('854×480 → ? · 3.2 s → 3.2 s');
    expect(describeUpscale(undefined, undefined)).toBe('?');
  });
});

describe('verifyResult', () => {
  const source = side(64, 36, 3.2, 'avc1', 5);

  it('finds nothing wrong with a right result, whatever its codec', () => {
    expect(verifyResult(source, mp4(128, 72, 3.2), '2')).toEqual([]);
    expect(verifyResult(source, mp4(256, 144, 3.2, 'hvc1'), '4')).toEqual([]);
    expect(verifyResult(source, mp4(64, 36, 3.2), '1')).toEqual([]);
  });

  it('allows up to one frame of difference in duration', () => {
    expect(verifyResult(source, mp4(128, 72, 3.4), '2')).toEqual([]);
    expect(verifyResult(source, mp4(128, 72, 3.0), '2')).toEqual([]);
    expect(verifyResult(source, mp4(128, 72, 3.41), '2')).toEqual(["expected a duration of 3.2 s (the source's, within one frame, 0.2 s), found 3.41 s."]);
    expect(verifyResult(source, mp4(128, 72, 1.6), '2')).toEqual(["expected a duration of 3.2 s (the source's, within one frame, 0.2 s), found 1.6 s."]);
  });

  it('allows 0.1 s when the source has no frame rate, whatever frame rate the result states', () => {
    const noRate = side(64, 36, 3.2);
    expect(verifyResult(noRate, mp4(128, 72, 3.25, 'avc1', 25), '2')).toEqual([]);
    expect(verifyResult(noRate, mp4(128, 72, 3.29), '2')).toEqual([]);
    expect(verifyResult(noRate, mp4(128, 72, 3.31), '2')).toEqual(["expected a duration of 3.2 s (the source's, within 0.1 s), found 3.31 s."]);
  });

  it('wants a larger video for factor 2 and 4 only', () => {
    expect(verifyResult(source, mp4(64, 36, 3.2), '2')).toEqual(["expected a video larger than the source's 64×36 (2× is 128×72), found 64×36."]);
    expect(verifyResult(source, mp4(128, 36, 3.2), '4')).toEqual(["expected a video larger than the source's 64×36 (4× is 256×144), found 128×36."]);
    // reApi may cap the size (at 4K): larger than the source but short of the factor is fine.
    expect(verifyResult(side(1920, 1080, 3.2, 'avc1', 5), mp4(3840, 2160, 3.2), '4')).toEqual([]);
  });

  it('wants an MP4 with a video track', () => {
    expect(verifyResult(source, { container: 'mp4', hasVideo: false, durationSeconds: 3.2 }, '2')).toEqual([
      'expected an MP4 with a video track, found an MP4 without a video track.',
    ]);
    expect(verifyResult(source, { ...mp4(128, 72, 3.2), container: 'matroska' }, '2')).toEqual(['expected an MP4 with a video track, found an MKV file.']);
    expect(verifyResult(source, { document: 'an HTML page', hasVideo: false }, '2')).toEqual(['expected an MP4 with a video track, found an HTML page.']);
    expect(verifyResult(source, { hasVideo: false }, '2')).toEqual(['expected an MP4 with a video track, found a file that is neither MP4 nor MKV.']);
  });

  it('reports every problem, one line each', () => {
    const problems = verifyResult(source, mp4(64, 36, 1.6), '2');
    expect(problems).toHaveLength(2);
    for (const problem of problems) expect(problem).not.toContain('\n');
  });

  it('does not fail what it cannot tell', () => {
    expect(verifyResult(undefined, mp4(128, 72, 3.2), '2')).toEqual([]);
    expect(verifyResult({}, mp4(128, 72, 3.2), '4')).toEqual([]);
    expect(verifyResult(source, { container: 'mp4', hasVideo: true, video: {} }, '2')).toEqual([]);
  });
});

describe('messages and fields for the wiring', () => {
  it('names the clip, what was expected, what was found and the task id, on one line', () => {
    const problems = verifyResult(side(64, 36, 3.2, 'avc1', 5), mp4(64, 36, 1.6), '2');
    const message = verificationMessage('clip.mp4', 'task_abc', problems);
    expect(message).toBe(
      "clip.mp4: the result of task task_abc is not what was asked for: expected a duration of 3.2 s (the source's, within one frame, 0.2 s), found 1.6 s; " +
        "expected a video larger than the source's 64×36 (2× is 128×72), found 64×36.",
    );
    const error = new VerifyError(message, 'task_abc');
    expect(error).toBeInstanceOf(ActionError);
    expect(error.name).toBe('VerifyError');
  });

  it('says why a result was not checked', () => {
    expect(uncheckedMessage('#2 b.mp4', 'task_b', 'the result host answered HTTP 403')).toBe(
      '#2 b.mp4: the result of task task_b was not checked (the result host answered HTTP 403).',
    );
  });

  it('gives results[] fields, null where unknown, durations to the millisecond', () => {
    expect(mediaResultFields(side(854, 480, 3.2000001), mp4(1708, 960, 3.2))).toEqual({
      width: 1708,
      height: 960,
      duration: 3.2,
      source_width: 854,
      source_height: 480,
      source_duration: 3.2,
    });
    const audioOnly: ResultFacts = { container: 'mp4', hasVideo: false, durationSeconds: 10 / 3 };
    expect(mediaResultFields(undefined, audioOnly)).toEqual({
      width: null,
      height: null,
      duration: 3.333,
      source_width: null,
      source_height: null,
      source_duration: null,
    });
  });
});
