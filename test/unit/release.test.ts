import { describe, expect, it } from 'vitest';
import { registerSecret } from '../../src/shared/redact';
import { ReleaseError } from '../../src/shared/errors';
import { expandUploadUrl, githubText, isAllowedUploadUrl } from '../../src/release/upload';

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

describe('githubText (text.ts oneLine/truncate after redact)', () => {
  it('keeps text from GitHub on one line, control characters shown escaped', () => {
    expect(githubText('Validation\r\nFailed\u0000!')).toBe('Validation\\r\\nFailed\\u0000!');
  });

  it('blanks a registered secret (the github-token) wherever a server echoes it, before cutting', () => {
    registerSecret('ghs_echoed0123456789');
    expect(githubText('bad token ghs_echoed0123456789 in ghs_echoed0123456789')).toBe('bad token *** in ***');
    expect(githubText(`${'x'.repeat(20)}ghs_echoed0123456789`, 30)).not.toContain('ghs_');
  });

  it('shortens long text with an ellipsis', () => {
    const line = githubText('x'.repeat(500), 50);
    expect(line).toHaveLength(51);
    expect(line.endsWith('…')).toBe(true);
  });

  it('turns absent and non-string values into text', () => {
    expect(githubText(undefined)).toBe('');
    expect(githubText(null)).toBe('');
    expect(githubText({ a: 1 })).toBe('{"a":1}');
  });
});
