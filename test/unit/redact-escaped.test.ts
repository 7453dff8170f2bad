/**
 * A secret is scrubbed before text is cut or escaped, and the redactor also
 * knows a secret as the Markdown summary escapes it: `rk_live_…` reads
 * `rk\_live\_…` there, which a mask of the plain key never matched.
 */
import { describe, expect, it } from 'vitest';
import { Redactor, registerSecret, secretVariants } from '../../src/shared/redact';
import { markdownCode, markdownText } from '../../src/shared/text';
import { cell, renderCard, renderTable, type SummaryReport } from '../../src/report/summary';
import { codecDisplayName } from '../../src/media/container';

/** 40 characters, `_` in it as in every reApi key and GitHub token. */
const KEY = 'rk_live_0123456789abcdefghijklmnopqrstuv';
const TOKEN = 'ghs_Esc4pedTokenForTheSummary0123456789';
registerSecret(KEY);
registerSecret(TOKEN);

function report(overrides: Partial<SummaryReport>): SummaryReport {
  return {
    upscaleFactor: '2',
    concurrency: 1,
    dryRun: false,
    status: 'failed',
    elapsedMs: 1000,
    phases: [],
    outcomes: [],
    resumeTaskIds: [],
    ...overrides,
  };
}

describe('the redactor knows escaped secrets', () => {
  it('catches a key and a token after Markdown escaping, as text and as inline code', () => {
    const redactor = new Redactor();
    redactor.add(KEY);
    redactor.add(TOKEN);
    expect(markdownText(KEY)).toBe('rk\\_live\\_0123456789abcdefghijklmnopqrstuv');
    expect(redactor.redact(`code ${markdownText(TOKEN)}: ${markdownText(KEY)}`)).toBe('code ***: ***');
    expect(redactor.redact(markdownCode(`x ${KEY}|`))).toBe('`x ***\\|`');
    const odd = 'sk|with`tick*and_[x]&<y>';
    redactor.add(odd);
    expect(redactor.redact(`a ${markdownText(odd)} b ${markdownCode(odd)}`)).toBe('a *** b `***`');
  });

  it('lists the escaped spellings among the variants', () => {
    expect(secretVariants('a_b').sort()).toEqual(['a\\_b', 'a_b'].sort());
    expect(secretVariants('plain-key')).toEqual(['plain-key']);
  });
});

describe('the summary scrubs before it escapes', () => {
  it('a cell never shows a key or token, escaped or not', () => {
    for (const text of [`GitHub said ${TOKEN}`, `key ${KEY} in a message`, `Validation Failed: ${TOKEN}`]) {
      const shown = cell(text);
      for (const secret of [KEY, TOKEN]) {
        expect(shown).not.toContain(secret);
        expect(shown).not.toContain(markdownText(secret));
      }
      expect(shown).toContain('\\*\\*\\*');
    }
  });

  it('a failure, a clip error and a release asset name that hold a secret are scrubbed in the card and the table', () => {
    const clip = {
      plan: { index: 0, source: 'https://cdn.example.com/clip.mp4' },
      status: 'completed',
      taskId: 'task_1',
      videoUrls: [],
      files: [],
      message: `Uploading failed: HTTP 422 (Validation Failed: ${TOKEN}).`,
      releaseAssets: [{ name: `${KEY}.mp4`, url: 'https://github.com/o/r/releases/download/v1/x.mp4', unchanged: false }],
    };
    const outcomes = [clip, { ...clip, plan: { ...clip.plan, index: 1 } }] as unknown as SummaryReport['outcomes'];
    const release = { url: 'https://github.com/o/r/releases/tag/v1' };
    for (const markdown of [
      renderCard(report({ outcomes: outcomes.slice(0, 1), failure: `failed: ${KEY}`, release })),
      renderTable(report({ outcomes, failure: `failed: ${KEY}`, release })),
    ]) {
      for (const secret of [KEY, TOKEN]) {
        expect(markdown).not.toContain(secret.slice(0, 12));
        expect(markdown).not.toContain(markdownText(secret.slice(0, 12)));
      }
    }
  });
});

describe('media fields are scrubbed before they are cut', () => {
  it('a codec string holding the key shows none of it (the 32-character cut kept a prefix)', () => {
    for (const codec of [KEY, `V_${KEY}`, `${KEY}${KEY}`]) {
      const shown = codecDisplayName(codec);
      expect(shown.length).toBeLessThanOrEqual(32);
      expect(shown).not.toContain(KEY.slice(0, 12));
      expect(shown).not.toContain('0123456789abcdef');
    }
    expect(codecDisplayName('avc1')).toBe('H.264');
    expect(codecDisplayName('V_SOMETHING_NEW')).toBe('V_SOMETHING_NEW');
  });
});
