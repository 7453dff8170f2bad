import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
  const parse = (values: Record<string, string>, env: NodeJS.ProcessEnv = { RUNNER_TEMP: '/runner/_temp' }) => parseInputs((name) => values[name] ?? '', env);

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
      download: false,
      downloadPath: '/runner/_temp/reapi-upscaled',
      artifactName: undefined,
      retentionDays: undefined,
    });
  });

  it('reads the delivery inputs; artifact-name implies download', () => {
    expect(parse({ ...base, download: 'true', 'download-path': '/data/out/' })).toMatchObject({ download: true, downloadPath: '/data/out' });
    expect(parse({ ...base, 'download-path': 'videos' }).downloadPath).toBe(resolve('videos'));
    expect(parse({ ...base, 'artifact-name': 'upscaled', 'retention-days': '90' })).toMatchObject({
      download: true,
      artifactName: 'upscaled',
      retentionDays: 90,
    });
    expect(parse({ ...base, 'retention-days': '1' }).retentionDays).toBe(1);
  });

  it('falls back to the system temp directory without RUNNER_TEMP', () => {
    expect(parse(base, {}).downloadPath).toBe(join(tmpdir(), 'reapi-upscaled'));
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
    [{ download: 'sometimes' }, 'download'],
    [{ 'retention-days': '0' }, 'retention-days'],
    [{ 'retention-days': '91' }, 'retention-days'],
    [{ 'retention-days': '7.5' }, 'retention-days'],
    [{ 'retention-days': '1e1' }, 'retention-days'],
    [{ 'retention-days': 'a week' }, 'retention-days'],
    [{ 'artifact-name': 'videos/upscaled' }, 'artifact-name'],
    [{ 'artifact-name': 'what?' }, 'artifact-name'],
    [{ download: 'true', wait: 'false' }, 'download'],
    [{ 'artifact-name': 'kept', wait: 'false' }, 'artifact-name'],
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
