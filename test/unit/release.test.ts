import { describe, expect, it } from 'vitest';
import { ReleaseError, expandUploadUrl, isAllowedUploadUrl, oneLine } from '../../src/release-upload';

describe('expandUploadUrl', () => {
  const template = 'https://uploads.github.com/repos/o/r/releases/42/assets{?name,label}';

  it('expands the name and leaves out an absent label', () => {
    expect(expandUploadUrl(template, { name: 'clip-4x.mp4' })).toBe('https://uploads.github.com/repos/o/r/releases/42/assets?name=clip-4x.mp4');
  });

  it('percent-encodes everything but unreserved characters (RFC 6570 simple values)', () => {
    expect(expandUploadUrl(template, { name: "a b&c=d/é!'()*~.mp4", label: 'x y' })).toBe(
      'https://uploads.github.com/repos/o/r/releases/42/assets?name=a%20b%26c%3Dd%2F%C3%A9%21%27%28%29%2A~.mp4&label=x%20y',
    );
  });

  it('keeps a GitHub Enterprise Server path and port', () => {
    expect(expandUploadUrl('https://ghes.example:8443/api/uploads/repos/o/r/releases/7/assets{?name,label}', { name: 'a.mp4' })).toBe(
      'https://ghes.example:8443/api/uploads/repos/o/r/releases/7/assets?name=a.mp4',
    );
  });

  it.each([['https://x/assets{/name}'], ['https://x/assets{name}'], ['https://x/assets{+path}']])('refuses a template it does not expand: %s', (bad) => {
    expect(() => expandUploadUrl(bad, { name: 'a' })).toThrow(ReleaseError);
  });

  it('refuses something that is not a URL', () => {
    expect(() => expandUploadUrl('/relative/assets{?name}', { name: 'a' })).toThrow(/is not a URL/);
  });
});

describe('isAllowedUploadUrl', () => {
  it.each([
    ['https://api.github.com', 'https://uploads.github.com/repos/o/r/releases/1/assets', true],
    ['https://api.octo.ghe.com', 'https://uploads.octo.ghe.com/repos/o/r/releases/1/assets', true],
    ['https://ghes.example/api/v3', 'https://ghes.example/api/uploads/repos/o/r/releases/1/assets', true],
    ['http://127.0.0.1:4000', 'http://127.0.0.1:4001/repos/o/r/releases/1/assets', true],
    ['https://api.github.com', 'http://uploads.github.com/repos/o/r/releases/1/assets', false],
    ['https://api.github.com', 'https://uploads.evil.com/repos/o/r/releases/1/assets', false],
    ['https://api.github.com', 'https://uploads.github.com:8443/x', false],
    ['https://api.github.com', 'https://api.github.com.evil.com/x', false],
    ['https://ghes.example/api/v3', 'https://uploads.ghes.example/x', false],
    ['https://api.github.com', 'https://user:pw@uploads.github.com/x', false],
    ['http://127.0.0.1:4000', 'http://localhost:4001/x', false],
    ['https://api.github.com', 'not a url', false],
  ])('API %s, upload %s: %s', (api, upload, allowed) => {
    expect(isAllowedUploadUrl(api, upload)).toBe(allowed);
  });
});

describe('oneLine', () => {
  it('collapses control characters and line breaks into single spaces', () => {
    expect(oneLine('Validation\r\nFailed\u0000\u001b[31m!\u2028end\t ')).toBe('Validation Failed [31m! end');
  });

  it('blanks the token wherever a server echoes it', () => {
    expect(oneLine('bad token ghs_abc in ghs_abc', 'ghs_abc')).toBe('bad token *** in ***');
  });

  it('shortens long text with an ellipsis', () => {
    const line = oneLine('x'.repeat(500), undefined, 50);
    expect(line).toHaveLength(50);
    expect(line.endsWith('…')).toBe(true);
  });

  it('turns absent and non-string values into text', () => {
    expect(oneLine(undefined)).toBe('');
    expect(oneLine(null)).toBe('');
    expect(oneLine({ a: 1 })).toBe('{"a":1}');
  });
});
