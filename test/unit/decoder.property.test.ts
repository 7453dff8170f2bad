/**
 * Whatever a server, proxy or broken connection hands back, the decoders
 * either return a well-typed value or throw the client's ResponseFormatError:
 * never a TypeError, RangeError or anything else that would surface as a bug.
 */
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeErrorEnvelope, decodeTaskEnvelope, describeApiError, type TaskEnvelope } from '../../src/reapi/client';
import { ResponseFormatError } from '../../src/shared/errors';
import { parseRetryAfter, readLimitedText } from '../../src/http/transport';

const RUNS = 500;

function expectTask(task: TaskEnvelope): void {
  expect(typeof task.id).toBe('string');
  expect(task.id.length).toBeGreaterThan(0);
  expect(typeof task.status).toBe('string');
  if (task.model !== undefined) expect(typeof task.model).toBe('string');
  if (task.created_at !== undefined) expect(typeof task.created_at).toBe('number');
  if (task.output) {
    const urls = task.output.video_urls;
    if (urls !== undefined) expect(urls.every((url) => typeof url === 'string')).toBe(true);
  } else if (task.output !== undefined) {
    expect(task.output).toBeNull();
  }
  if (task.error) {
    expect(['string', 'number', 'undefined']).toContain(typeof task.error.code);
    expect(['string', 'undefined']).toContain(typeof task.error.message);
  }
}

/** Runs the task decoder and checks its contract; returns how it ended. */
function decodeTask(text: string): 'task' | 'format-error' {
  try {
    expectTask(decodeTaskEnvelope(text));
    return 'task';
  } catch (error) {
    if (error instanceof ResponseFormatError) {
      expect(error.message).not.toContain('\n');
      return 'format-error';
    }
    throw error;
  }
}

function decodeError(text: string): void {
  const envelope = decodeErrorEnvelope(text);
  if (envelope === undefined) return;
  expect(['string', 'number', 'undefined']).toContain(typeof envelope.code);
  expect(['string', 'undefined']).toContain(typeof envelope.message);
  expect(['string', 'undefined']).toContain(typeof envelope.request_id);
  for (const status of [400, 429, 503]) expect(describeApiError(status, envelope)).not.toContain('\n');
}

/** Bodies shaped like the documented envelopes, with every field free to be wrong. */
const anyValue = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string()), fc.object());
const taskLike = fc.record(
  {
    id: fc.oneof(fc.string(), anyValue),
    model: fc.oneof(fc.constant('topaz-video-upscaler'), anyValue),
    status: fc.oneof(fc.constantFrom('processing', 'completed', 'failed', 'queued'), anyValue),
    created_at: fc.oneof(fc.integer(), anyValue),
    output: fc.oneof(
      fc.constant(null),
      fc.record({ video_urls: fc.oneof(fc.array(fc.webUrl()), fc.array(anyValue), anyValue) }, { requiredKeys: [] }),
      anyValue,
    ),
    error: fc.oneof(fc.constant(null), fc.record({ code: anyValue, message: anyValue }, { requiredKeys: [] }), anyValue),
  },
  { requiredKeys: [] },
);
const errorLike = fc.record({ error: fc.oneof(fc.record({ code: anyValue, message: anyValue, request_id: anyValue }, { requiredKeys: [] }), anyValue) });

const validTask = JSON.stringify({
  id: 'task_018f5a3a1b6e7d9f8c2b4d6e8f0a2c4e',
  model: 'topaz-video-upscaler',
  status: 'completed',
  created_at: 1735000000,
  output: { video_urls: ['https://cdn.reapi.ai/media/tasks/018f5a3a1b6e7d9f8c2b4d6e8f0a2c4e/0.mp4'] },
  error: null,
});
const validError = JSON.stringify({ error: { code: '20003', message: 'topaz-video-upscaler: invalid upscale_factor', request_id: 'req_1' } });

describe('response decoders never throw anything but ResponseFormatError', () => {
  it('random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        decodeTask(text);
        decodeError(text);
      }),
      { numRuns: RUNS },
    );
  });

  it('random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const text = JSON.stringify(value);
        decodeTask(text);
        decodeError(text);
      }),
      { numRuns: RUNS },
    );
  });

  it('envelope-shaped JSON with wrong field types', () => {
    fc.assert(
      fc.property(taskLike, errorLike, (task, error) => {
        decodeTask(JSON.stringify(task));
        decodeError(JSON.stringify(error));
        decodeError(JSON.stringify(task));
        decodeTask(JSON.stringify(error));
      }),
      { numRuns: RUNS },
    );
  });

  it('truncated prefixes of valid envelopes fail cleanly; only the whole body decodes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: validTask.length - 1 }), fc.integer({ min: 0, max: validError.length }), (cut, errorCut) => {
        expect(decodeTask(validTask.slice(0, cut))).toBe('format-error');
        decodeError(validError.slice(0, errorCut));
      }),
      { numRuns: RUNS },
    );
    expect(decodeTask(validTask)).toBe('task');
  });

  it('random bytes, decoded as UTF-8 the way the client reads bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 6 }), fc.integer({ min: 1, max: 1200 }), async (chunks, limit) => {
        let text: string;
        try {
          text = await readLimitedText(Readable.from(chunks.map((chunk) => Buffer.from(chunk))), limit);
        } catch (error) {
          expect(error).toBeInstanceOf(ResponseFormatError);
          expect(chunks.reduce((sum, chunk) => sum + chunk.length, 0)).toBeGreaterThan(limit);
          return;
        }
        expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(0);
        decodeTask(text);
        decodeError(text);
      }),
      { numRuns: RUNS },
    );
  });

  it('deeply nested and huge bodies', () => {
    expect(decodeTask('['.repeat(100_000))).toBe('format-error');
    expect(decodeTask(`${'['.repeat(5000)}${']'.repeat(5000)}`)).toBe('format-error');
    expect(decodeTask(`{"id":"t","status":"processing","output":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`)).toBe('task');
    decodeError(`{"error":${'['.repeat(50_000)}`);
  });

  it('Retry-After values of any shape give a non-negative delay or none', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
          fc.nat().map(String),
        ),
        (value) => {
          const ms = parseRetryAfter(value);
          if (ms !== undefined) expect(Number.isFinite(ms) && ms >= 0).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
