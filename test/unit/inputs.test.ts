import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../../src/shared/errors';
import { INPUT_DEFAULTS, isInsecureApiBase, parseInputs } from '../../src/inputs/parse';
import { checkSourceUrl, parseBoolean, parseDuration, parseUpscaleFactor } from '../../src/inputs/values';

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

describe('isInsecureApiBase', () => {
  it('flags plain http to another machine only', () => {
    expect(isInsecureApiBase('http://gateway.example.com')).toBe(true);
    expect(isInsecureApiBase('http://10.0.0.5:8080')).toBe(true);
    expect(isInsecureApiBase('https://reapi.ai')).toBe(false);
    expect(isInsecureApiBase('http://127.0.0.1:8787')).toBe(false);
    expect(isInsecureApiBase('http://localhost:8787')).toBe(false);
    expect(isInsecureApiBase('http://[::1]:8787')).toBe(false);
  });
});

describe('parseInputs', () => {
  const base: Record<string, string> = { 'api-key': 'k', 'video-url': 'https://cdn.example.com/a.mp4' };
  const NOW = 1_700_000_000_000;
  const parse = (values: Record<string, string>, env: NodeJS.ProcessEnv = { RUNNER_TEMP: '/runner/_temp' }) =>
    parseInputs((name) => values[name] ?? '', env, NOW);

  it('applies the defaults action.yml documents', () => {
    const metadata = parseYaml(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as { inputs: Record<string, { default?: string }> };
    const documented = Object.entries(metadata.inputs)
      .filter(([, input]) => input.default !== undefined && !input.default.includes('${{'))
      .map(([name, input]) => [name, input.default]);
    expect(Object.fromEntries(documented)).toEqual(INPUT_DEFAULTS);
    // With nothing but the required inputs, parseInputs gives what those defaults mean.
    expect(parse(base)).toEqual({
      apiKey: 'k',
      videoUrls: ['https://cdn.example.com/a.mp4'],
      videoFiles: [],
      sourceBucket: undefined,
      taskIds: [],
      upscaleFactor: '2',
      apiBaseUrl: 'https://reapi.ai',
      wait: true,
      deadline: { at: NOW + 1_800_000, timeoutMs: 1_800_000 },
      inputsWithoutEffect: [],
      pollIntervalMs: 5000,
      download: false,
      downloadPath: '/runner/_temp/reapi-upscaled',
      artifactName: undefined,
      retentionDays: undefined,
      concurrency: 4,
      preflight: true,
      maxBillableSeconds: undefined,
      dryRun: false,
      releaseTag: undefined,
      githubToken: undefined,
      skipUnchanged: false,
      resumeReruns: true,
      verify: 'warn',
    });
  });

  it('reads several sources, one per line, skipping blank lines and # comments', () => {
    const list =
      '\n# trailers\nhttps://cdn.example.com/a.mp4\n\n  https://cdn.example.com/b.mov  \r\n# https://cdn.example.com/skipped.mp4\nhttps://cdn.example.com/c.mkv\n';
    expect(parse({ ...base, 'video-url': list }).videoUrls).toEqual([
      'https://cdn.example.com/a.mp4',
      'https://cdn.example.com/b.mov',
      'https://cdn.example.com/c.mkv',
    ]);
  });

  it('reads several task ids, one per line or as a JSON array (the task-ids output)', () => {
    expect(parse({ 'api-key': 'k', 'task-id': 'task_a\ntask_b' }).taskIds).toEqual(['task_a', 'task_b']);
    expect(parse({ 'api-key': 'k', 'task-id': '["task_a", "task_b"]' }).taskIds).toEqual(['task_a', 'task_b']);
  });

  it('pairs resumed tasks with their sources when video-url lists as many', () => {
    const parsed = parse({ 'api-key': 'k', 'task-id': 'task_a\ntask_b', 'video-url': 'https://x.test/a.mp4\nhttps://x.test/b.mp4' });
    expect(parsed).toMatchObject({ taskIds: ['task_a', 'task_b'], videoUrls: ['https://x.test/a.mp4', 'https://x.test/b.mp4'] });
  });

  it('reads the batch, preflight and cost inputs', () => {
    expect(parse({ ...base, concurrency: '32', preflight: 'false', 'dry-run': 'true' })).toMatchObject({ concurrency: 32, preflight: false, dryRun: true });
    expect(parse({ ...base, 'max-billable-seconds': '600' }).maxBillableSeconds).toBe(600);
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
    expect(parse({ 'api-key': 'k', 'task-id': 'task_abc' }).taskIds).toEqual(['task_abc']);
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
    [{ 'video-url': 'https://cdn.example.com/a.mp4\nftp://cdn.example.com/b.mp4' }, 'video-url'],
    [{ 'video-url': 'https://cdn.example.com/a.mp4\nhttps://cdn.example.com/a.mp4' }, 'video-url'],
    [{ 'video-url': '["https://cdn.example.com/a.mp4", 3]' }, 'video-url'],
    [{ 'video-url': '[not json' }, 'video-url'],
    [{ 'video-url': Array.from({ length: 257 }, (_, i) => `https://cdn.example.com/${i}.mp4`).join('\n') }, 'video-url'],
    [{ 'task-id': 'task_a\ntask_b', 'video-url': 'https://cdn.example.com/a.mp4' }, 'task-id'],
    [{ 'task-id': 'task_a\ntask a' }, 'task-id'],
    [{ 'api-key': 'sk-abc def' }, 'api-key'],
    [{ 'api-key': 'sk-abc\ndef' }, 'api-key'],
    [{ 'api-key': 'sk-abcé' }, 'api-key'],
    [{ 'api-base-url': 'https://reapi.ai/?region=eu' }, 'api-base-url'],
    [{ 'api-base-url': 'https://user:pass@reapi.ai' }, 'api-base-url'],
    [{ concurrency: '0' }, 'concurrency'],
    [{ concurrency: '33' }, 'concurrency'],
    [{ concurrency: 'many' }, 'concurrency'],
    [{ preflight: 'maybe' }, 'preflight'],
    [{ 'dry-run': 'y' }, 'dry-run'],
    [{ 'max-billable-seconds': '0' }, 'max-billable-seconds'],
    [{ 'max-billable-seconds': '1.5' }, 'max-billable-seconds'],
    [{ 'max-billable-seconds': '60', preflight: 'false' }, 'max-billable-seconds'],
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

  it('never echoes the API key in its error', () => {
    expect(() => parse({ ...base, 'api-key': 'sk-secret value' })).toThrow(/^(?!.*sk-secret).*$/);
  });

  it('names the bad item of a list', () => {
    expect(() => parse({ ...base, 'video-url': 'https://cdn.example.com/a.mp4\nftp://cdn.example.com/b.mp4' })).toThrow(
      /^Input 'video-url' item 2 uses the ftp: scheme \(got "ftp:\/\/cdn\.example\.com\/b\.mp4"\)/,
    );
  });

  it('does not echo a huge data: URI back', () => {
    const huge = `data:video/mp4;base64,${'A'.repeat(100_000)}`;
    expect(() => parse({ ...base, 'video-url': huge })).toThrow(/^.{0,400}$/);
  });
});

describe('parseInputs: inputs set to no effect', () => {
  const parse = (values: Record<string, string>) =>
    parseInputs((name) => ({ 'api-key': 'k', 'video-url': 'https://cdn.example.com/a.mp4', ...values })[name] ?? '', { RUNNER_TEMP: '/t' }, 0);

  it('names each input that its companion would give a meaning to', () => {
    expect(
      parse({ 'retention-days': '5', 'source-bucket': 's3://staging/p/', 's3-endpoint': 'https://s3.example.com', 's3-region': 'auto' }).inputsWithoutEffect,
    ).toEqual([
      { input: 'retention-days', needs: "'artifact-name'" },
      { input: 'source-bucket', needs: "'video-file'" },
      { input: 's3-endpoint', needs: "'video-file' or 'result-bucket'" },
      { input: 's3-region', needs: "'video-file' or 'result-bucket'" },
    ]);
  });

  it('says nothing when the companion is set', () => {
    const env = { RUNNER_TEMP: '/t', AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret' };
    const values: Record<string, string> = {
      'api-key': 'k',
      'video-url': 'https://cdn.example.com/a.mp4',
      'artifact-name': 'clips',
      'retention-days': '5',
      'result-bucket': 's3://media/out/',
      's3-endpoint': 'https://s3.example.com',
      's3-region': 'auto',
    };
    expect(parseInputs((name) => values[name] ?? '', env, 0).inputsWithoutEffect).toEqual([]);
  });
});

describe('parseInputs: video-file and source-bucket', () => {
  const env = { RUNNER_TEMP: '/runner/_temp', AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret' };
  const parse = (values: Record<string, string>, environment: NodeJS.ProcessEnv = env) => parseInputs((name) => values[name] ?? '', environment, Date.now());

  it('takes files alone (no video-url), in input order, with the bucket and the store settings', () => {
    const inputs = parse({ 'api-key': 'k', 'video-file': 'b.mp4\n# skipped\nclips/*.mov', 'source-bucket': 's3://staging/reapi/' });
    expect(inputs.videoUrls).toEqual([]);
    expect(inputs.videoFiles).toEqual(['b.mp4', 'clips/*.mov']);
    expect(inputs.sourceBucket).toEqual({ bucket: 'staging', prefix: 'reapi/' });
    expect(inputs.s3?.credentials).toMatchObject({ accessKeyId: 'AKID', secretAccessKey: 'secret' });
  });

  it('needs source-bucket, a valid one, and the credentials (named), and refuses task-id alongside', () => {
    const files = { 'api-key': 'k', 'video-file': 'a.mp4' };
    expect(() => parse(files)).toThrow(/^Input 'video-file' needs 'source-bucket'/);
    expect(() => parse({ ...files, 'source-bucket': 'staging/reapi/' })).toThrow(/^Input 'source-bucket' must be an s3:\/\/ location/);
    expect(() => parse({ ...files, 'source-bucket': 's3://staging/reapi/' }, { AWS_ACCESS_KEY_ID: 'AKID' })).toThrow(
      /^Input 'video-file' needs AWS credentials .*AWS_SECRET_ACCESS_KEY is not set/,
    );
    expect(() => parse({ ...files, 'source-bucket': 's3://staging/', 'task-id': 'task_0123456789abcdef' })).toThrow(
      /^Inputs 'video-file' and 'task-id' cannot be combined/,
    );
  });

  it('leaves source-bucket and the credentials alone without video-file', () => {
    const inputs = parse({ 'api-key': 'k', 'video-url': 'https://cdn.example.com/a.mp4', 'source-bucket': 's3://staging/' }, {});
    expect(inputs.sourceBucket).toBeUndefined();
    expect(inputs.s3).toBeUndefined();
  });
});
