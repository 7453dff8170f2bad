/**
 * The pure helpers that make untrusted text safe: redaction of secrets in
 * every spelling, one-line escaping, Markdown escaping, and the rules for
 * task ids and result URLs.
 */
import { describe, expect, it } from 'vitest';
import { describeApiError, decodeErrorEnvelope, decodeTaskEnvelope } from '../../src/reapi/client';
import { checkTaskId } from '../../src/inputs/values';
import { Redactor, redact, registerSecret, secretVariants } from '../../src/shared/redact';
import { cell, link } from '../../src/report/summary';
import { hasControlCharacters, logLine, markdownCode, markdownText, oneLine, quoted, truncate } from '../../src/shared/text';
import { isTaskId, resultUrlProblem, taskIdProblem } from '../../src/shared/validate';

const KEY = 'sk-Unit/Key+With"Quote\\Back=Eq&Amp';

describe('Redactor', () => {
  it('replaces a secret as sent, URL-encoded (either hex case), form-encoded and JSON-escaped', () => {
    const redactor = new Redactor();
    redactor.add(KEY);
    expect(redactor.redact(`a ${KEY} b`)).toBe('a *** b');
    expect(redactor.redact(`a ${encodeURIComponent(KEY)} b`)).toBe('a *** b');
    expect(redactor.redact(`a ${encodeURIComponent(KEY).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())} b`)).toBe('a *** b');
    expect(redactor.redact(`a ${new URLSearchParams({ k: KEY }).toString().slice(2)} b`)).toBe('a *** b');
    expect(redactor.redact(`a ${JSON.stringify(KEY).slice(1, -1)} b`)).toBe('a *** b');
    expect(redactor.redact(`{"m":${JSON.stringify(`x${KEY}y`)}}`)).toBe('{"m":"x***y"}');
  });

  it('knows any number of secrets and leaves other text alone', () => {
    const redactor = new Redactor();
    redactor.add('first-secret');
    redactor.add('ghs_second');
    redactor.add('');
    expect(redactor.redact('first-secret and ghs_second, not first-secre')).toBe('*** and ***, not first-secre');
    expect(redactor.holdsSecret('xx ghs_second')).toBe(true);
    expect(redactor.holdsSecret('ghs_secon')).toBe(false);
    expect(new Redactor().redact('anything')).toBe('anything');
  });

  it('lists each distinct spelling once', () => {
    expect(secretVariants('plain-key')).toEqual(['plain-key']);
    // The JSON-escaped `a\/b` also as the Markdown summary escapes it (`a\\/b`).
    expect(secretVariants('a/b').sort()).toEqual(['a%2Fb', 'a/b', 'a\\/b', 'a\\\\/b'].sort());
  });
});

describe('server text is scrubbed before it is cut', () => {
  registerSecret(KEY);

  it('describeApiError never shows a prefix of a key that straddles the 300-character cut', () => {
    const message = describeApiError(400, { code: '20003', message: `${'x'.repeat(295)}${KEY}`, request_id: `r-${KEY}` });
    expect(message).toContain(`"${'x'.repeat(295)}***"`);
    expect(message).toContain('request_id: r-***');
    expect(message).not.toContain('sk-');
  });

  it('decoded envelopes hold no key, and a non-JSON answer is previewed after scrubbing', () => {
    expect(decodeErrorEnvelope(JSON.stringify({ error: { code: 'x', message: `m ${KEY}`, request_id: KEY } }))).toEqual({
      code: 'x',
      message: 'm ***',
      request_id: '***',
    });
    const task = decodeTaskEnvelope(JSON.stringify({ id: 't', status: 'failed', error: { code: KEY, message: encodeURIComponent(KEY) } }));
    expect(task.error).toEqual({ code: '***', message: '***' });
    expect(() => decodeTaskEnvelope(`<html>${'y'.repeat(50)}${KEY}</html>`)).toThrow(/y{50}\*\*\*/);
    expect(redact(`a ${KEY}`)).toBe('a ***');
  });

  it('multi-line server text becomes one line in an API error', () => {
    expect(describeApiError(500, { message: 'a\n::error::x', request_id: 'r\r\n1' })).toContain(
      '(server said: "a\\\\n::error::x") [HTTP 500, request_id: r\\r\\n1]',
    );
  });
});

describe('oneLine and friends', () => {
  it('escapes every control character visibly, in JSON style', () => {
    expect(oneLine('a\nb\rc\td\u0000e\u001bf\u007fg\u0085h\u2028i\u2029j\u202ek')).toBe(
      'a\\nb\\rc\\td\\u0000e\\u001bf\\u007fg\\u0085h\\u2028i\\u2029j\\u202ek',
    );
    expect(oneLine(42)).toBe('42');
    expect(JSON.parse(oneLine(JSON.stringify({ s: 'x\u2028\u0085y' })))).toEqual({ s: 'x\u2028\u0085y' });
  });

  it('finds control characters', () => {
    expect(hasControlCharacters('https://a.example/x.mp4')).toBe(false);
    expect(hasControlCharacters('https://a.example/x\n.mp4')).toBe(true);
    expect(hasControlCharacters('x\u2029')).toBe(true);
    expect(hasControlCharacters('x\u2029')).toBe(true); // no state left behind between calls
  });

  it('never lets a log line start a workflow command', () => {
    expect(logLine('::error::x')).toBe('\\::error::x');
    expect(logLine('  ::stop-commands::t')).toBe('\\  ::stop-commands::t');
    expect(logLine('ok\n::error::x')).toBe('ok\\n::error::x');
    expect(logLine('task ##[error]x and ##[add-mask]y')).toBe('task ##\\[error]x and ##\\[add-mask]y');
  });

  it('cuts without splitting a surrogate pair and quotes on one line', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('ab𝒜', 3)).toBe('ab…');
    expect(quoted('a\nb')).toBe('"a\\nb"');
    expect(quoted('a\u2028b')).toBe('"a\\u2028b"');
  });
});

describe('Markdown escaping', () => {
  it('shows server text as typed', () => {
    expect(markdownText('[l](https://evil.example) <img src=x> **b** `c` a|b _i_ &amp;')).toBe(
      '\\[l\\]\\(https://evil.example\\) &lt;img src=x&gt; \\*\\*b\\*\\* \\`c\\` a\\|b \\_i\\_ &amp;amp;',
    );
    expect(markdownText('line\r\nbreak\u2028x\u001b')).toBe('line break x\\\\u001b');
    expect(cell('a|b\r\nc')).toBe('a\\|b c');
  });

  it('keeps code spans closed and rows whole', () => {
    expect(markdownCode('a`b|c\nd')).toBe("`a'b\\|c d`");
  });

  it('links only absolute http(s) URLs', () => {
    expect(link('https://cdn.example/a(b).mp4', 'x')).toBe('[x](https://cdn.example/a%28b%29.mp4)');
    expect(link('javascript:alert(1)', 'click')).toBe('click');
    expect(link('/relative', '[x](y)')).toBe('\\[x\\]\\(y\\)');
  });
});

describe('the task id rule', () => {
  it('accepts the ids reApi hands out, and the unusual ones that are still safe', () => {
    for (const id of ['task_018f5a3a', 'task.v2:abc', 'A-b_c~1', `t${'x'.repeat(255)}`, '_x']) {
      expect(taskIdProblem(id)).toBeUndefined();
      expect(checkTaskId(id)).toBe(true); // the task-id input takes back every id the action publishes
    }
  });

  it('refuses ids that would leave the poll path, break a query or a line, or are too long', () => {
    for (const id of ['', '.', '..', '.x', '-x', 'a/b', 'a?b=c', 'a#b', 'a%2e', 'a b', 'a\nb', `t${'x'.repeat(256)}`, 'é']) {
      expect(isTaskId(id)).toBe(false);
      expect(checkTaskId(id)).toBe(false);
    }
  });

  it('refuses an id that holds a secret', () => {
    registerSecret('idsecret');
    expect(taskIdProblem('task_idsecret')).toBe('holds the API key');
  });
});

describe('result URLs', () => {
  it('accepts absolute http(s) URLs only', () => {
    expect(resultUrlProblem('https://cdn.example/a.mp4?sig=1')).toBeUndefined();
    expect(resultUrlProblem('http://127.0.0.1:8080/a.mp4')).toBeUndefined();
    expect(resultUrlProblem('javascript:alert(1)')).toMatch(/javascript: scheme/);
    expect(resultUrlProblem('file:///etc/passwd')).toMatch(/file: scheme/);
    expect(resultUrlProblem('data:video/mp4;base64,AA')).toMatch(/data: scheme/);
    expect(resultUrlProblem('ftp://x.example/a')).toMatch(/ftp: scheme/);
    expect(resultUrlProblem('/a.mp4')).toBe('is not an absolute URL');
    expect(resultUrlProblem('')).toBe('is blank');
    expect(resultUrlProblem('  ')).toBe('is blank');
    expect(resultUrlProblem(' https://cdn.example/a.mp4')).toBe('has spaces around it');
    expect(resultUrlProblem('https://cdn.example/a\n.mp4')).toMatch(/line break/);
    expect(resultUrlProblem('https://cdn.example/a.mp4?k=idsecret')).toBe('carries the API key');
  });
});
