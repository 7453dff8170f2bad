import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { checkSourceUrl, parseBoolean, parseDuration, parseInputs, parseUpscaleFactor } from '../../src/inputs';

describe('parseDuration', () => {
  it.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['500ms', 500],
    ['0.1', 100],
    ['.5s', 500],
    ['1.5m', 90_000],
    [' 2 S ', 2000],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '-1', '0', '1d', '1 h 30m', '1e3', 'NaN', '0ms'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
});

describe('parseUpscaleFactor', () => {
  it.each([
    ['1', '1'],
    ['2', '2'],
    ['4', '4'],
    ['1x', '1'],
    ['4X', '4'],
    [' 2x ', '2'],
  ])('%j → %j', (text, factor) => expect(parseUpscaleFactor(text)).toBe(factor));
  it.each(['3', '8', 'x', '2.0', '', 'four'])('rejects %j', (text) => expect(parseUpscaleFactor(text)).toBeUndefined());
});

describe('parseBoolean', () => {
  it('reads the YAML-ish spellings', () => {
    expect(parseBoolean('true')).toBe(true);
    expect(parseBoolean('False')).toBe(false);
    expect(parseBoolean('maybe')).toBeUndefined();
  });
});

describe('checkSourceUrl', () => {
  it('accepts http and https', () => {
    expect(checkSourceUrl('https://cdn.example.com/a.mp4')).toBeUndefined();
    expect(checkSourceUrl('http://127.0.0.1:8080/a.mov')).toBeUndefined();
  });
  it.each(['data:video/mp4;base64,AAAA', 'file:///tmp/a.mp4', 'ftp://host/a.mp4', 'javascript:alert(1)', 'cdn.example.com/a.mp4', ''])('rejects %j', (url) =>
    expect(checkSourceUrl(url)).toBeTypeOf('string'),
  );
});

describe('parseInputs', () => {
  const base: Record<string, string> = { 'api-key': 'k', 'video-url': 'https://cdn.example.com/a.mp4' };
  const parse = (values: Record<string, string>) => parseInputs((name) => values[name] ?? '');

  it('applies the documented defaults', () => {
    expect(parse(base)).toEqual({
      apiKey: 'k',
      videoUrl: 'https://cdn.example.com/a.mp4',
      taskId: undefined,
      upscaleFactor: '2',
      apiBaseUrl: 'https://reapi.ai',
      wait: true,
      timeoutMs: 1_800_000,
      pollIntervalMs: 5000,
    });
  });

  it('strips a trailing slash from api-base-url', () => {
    expect(parse({ ...base, 'api-base-url': 'http://127.0.0.1:9/' }).apiBaseUrl).toBe('http://127.0.0.1:9');
  });

  it('accepts task-id without video-url', () => {
    expect(parse({ 'api-key': 'k', 'task-id': 'task_abc' }).taskId).toBe('task_abc');
  });

  it.each([
    [{ 'api-key': '' }, 'api-key'],
    [{ 'video-url': '' }, 'video-url'],
    [{ 'upscale-factor': '3' }, 'upscale-factor'],
    [{ timeout: '1 week' }, 'timeout'],
    [{ 'poll-interval': 'fast' }, 'poll-interval'],
    [{ wait: 'perhaps' }, 'wait'],
    [{ 'task-id': 'a/b' }, 'task-id'],
    [{ 'api-base-url': 'reapi.ai' }, 'api-base-url'],
  ])('throws one InputError line naming the input for %o', (bad, name) => {
    let caught: unknown;
    try {
      parse({ ...base, ...bad });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    const message = (caught as Error).message;
    expect(message).toContain(`'${name}'`);
    expect(message).not.toContain('\n');
  });

  it('does not echo a huge data: URI back', () => {
    const huge = `data:video/mp4;base64,${'A'.repeat(100_000)}`;
    expect(() => parse({ ...base, 'video-url': huge })).toThrow(/^.{0,400}$/);
  });
});
