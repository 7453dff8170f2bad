import { describe, expect, it } from 'vitest';
import { decodeErrorEnvelope, decodeTaskEnvelope, describeApiError, explainUncertainSubmission } from '../../src/reapi/client';
import { ActionError, ApiError, CancelledError, NetworkError, ResponseFormatError } from '../../src/shared/errors';

describe('decodeTaskEnvelope', () => {
  it('reads the documented completed envelope', () => {
    const task = decodeTaskEnvelope(
      JSON.stringify({
        id: 'task_1',
        model: 'topaz-video-upscaler',
        status: 'completed',
        created_at: 1735000000,
        output: { video_urls: ['https://cdn.reapi.ai/media/tasks/1/0.mp4'] },
        error: null,
      }),
    );
    expect(task).toEqual({
      id: 'task_1',
      model: 'topaz-video-upscaler',
      status: 'completed',
      created_at: 1735000000,
      output: { video_urls: ['https://cdn.reapi.ai/media/tasks/1/0.mp4'] },
      error: null,
    });
  });

  it('keeps a failed task error', () => {
    expect(decodeTaskEnvelope('{"id":"t","status":"failed","error":{"code":"80007","message":"too big"}}').error).toEqual({
      code: '80007',
      message: 'too big',
    });
  });

  it.each([
    '',
    'null',
    '[]',
    '<html>',
    '{"status":"processing"}',
    '{"id":"","status":"x"}',
    '{"id":"t","status":1}',
    '{"id":"t","status":"completed","output":{"video_urls":[1]}}',
  ])('rejects %j with ResponseFormatError', (text) => expect(() => decodeTaskEnvelope(text)).toThrow(ResponseFormatError));
});

describe('decodeErrorEnvelope', () => {
  it('reads code, message and request_id', () => {
    expect(decodeErrorEnvelope('{"error":{"code":"20003","message":"bad","request_id":"req_1"}}')).toEqual({
      code: '20003',
      message: 'bad',
      request_id: 'req_1',
    });
  });
  it('tolerates non-JSON bodies', () => {
    expect(decodeErrorEnvelope('<html>502 Bad Gateway</html>')).toBeUndefined();
  });
});

describe('describeApiError', () => {
  it.each([
    ['20002', /missing video_url/],
    ['20003', /public http\(s\) URL/],
    ['30002', /could not probe.*nothing was charged/],
    ['80007', /over 50 MB/],
  ])('matches code %s, not the message', (code, hint) => {
    const text = describeApiError(400, { code, message: 'anything at all', request_id: 'req_9' });
    expect(text).toMatch(hint);
    expect(text).toContain('request_id: req_9');
    expect(text).toContain(`reApi error ${code}`);
  });

  it('describes status-only answers', () => {
    expect(describeApiError(401, undefined)).toMatch(/API key was refused.*request_id: none/);
    expect(describeApiError(403, undefined)).toMatch(/not allowed/);
    expect(describeApiError(502, undefined)).toMatch(/server error/);
  });

  it('stays on one line even when the server message has newlines', () => {
    expect(describeApiError(400, { code: '1', message: 'a\nb' })).not.toContain('\n');
  });
});

describe('explainUncertainSubmission', () => {
  it('turns a reset after sending into a do-not-resubmit message', () => {
    const error = explainUncertainSubmission(new NetworkError('POST failed (ECONNRESET).', false));
    expect(error).toBeInstanceOf(ActionError);
    expect((error as Error).message).toMatch(/outcome is unknown.*not sent again.*task-id/);
  });
  it('leaves errors that certainly created nothing alone', () => {
    const refused = new NetworkError('refused', true);
    expect(explainUncertainSubmission(refused)).toBe(refused);
    const invalid = new ApiError('bad', { status: 400, code: '20003' });
    expect(explainUncertainSubmission(invalid)).toBe(invalid);
  });
  it('treats a cancellation during the submission as unknown, and one between tries as nothing sent', () => {
    const inFlight = explainUncertainSubmission(new CancelledError('POST was cancelled.', true));
    expect(inFlight).toBeInstanceOf(CancelledError);
    expect((inFlight as Error).message).toMatch(/outcome is unknown.*may have been created.*task-id/);
    const between = new CancelledError('Cancelled.');
    expect(explainUncertainSubmission(between)).toBe(between);
  });
});
