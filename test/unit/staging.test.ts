/** The pure rules of staging a workspace file: its key, the presigned URL's lifetime, the session warning. */
import { describe, expect, it } from 'vitest';
import { runFolder, sessionWarning, stagingKey, urlLifetimeSeconds } from '../../src/pipeline/staging-step';
import type { S3Settings } from '../../src/inputs/bucket';

const SHA = 'a'.repeat(64);

describe('stagingKey', () => {
  it('puts each file of a run in its own folder: prefix, run folder, clip number and hash, then its name', () => {
    expect(stagingKey('reapi/', '123-1-build-0a1b2c3d4e5f', 0, { path: 'media/intro.mov', sha256: SHA })).toBe(
      `reapi/123-1-build-0a1b2c3d4e5f/1-${'a'.repeat(16)}/intro.mov`,
    );
    expect(stagingKey('', 'f', 2, { path: 'a b/ça va?.MP4', sha256: SHA })).toBe(`f/3-${'a'.repeat(16)}/ça-va.mp4`);
  });

  it('never collides: two files of the same bytes and name, two runs, two legs of a matrix', () => {
    const file = { path: 'clip.mp4', sha256: SHA };
    const keys = new Set([
      stagingKey('p/', 'run', 0, file),
      stagingKey('p/', 'run', 1, { path: 'other/clip.mp4', sha256: SHA }),
      stagingKey('p/', runFolder({ GITHUB_RUN_ID: '1', GITHUB_RUN_ATTEMPT: '1', GITHUB_JOB: 'up' }), 0, file),
      stagingKey('p/', runFolder({ GITHUB_RUN_ID: '1', GITHUB_RUN_ATTEMPT: '1', GITHUB_JOB: 'up' }), 0, file),
      stagingKey('p/', runFolder({ GITHUB_RUN_ID: '1', GITHUB_RUN_ATTEMPT: '2', GITHUB_JOB: 'up' }), 0, file),
    ]);
    expect(keys.size).toBe(5);
  });

  it('keeps names to safe characters: no separators, no dot segments, no control characters', () => {
    const key = stagingKey('p/', 'run', 0, { path: '../..\u0000\n/x..mp4', sha256: SHA });
    expect(key.split('/').slice(1)).not.toContain('..');
    expect([...key].every((char) => char >= ' ' && char !== '\\')).toBe(true);
    expect(runFolder({ GITHUB_JOB: '../../etc', GITHUB_RUN_ID: '1' }, 'n')).toBe('1-1-etc-n');
    expect(runFolder({}, 'n')).toBe('local-1-job-n');
  });
});

describe('urlLifetimeSeconds', () => {
  const now = 1_000_000;
  it('covers the remaining timeout plus an hour', () => {
    expect(urlLifetimeSeconds({ at: now + 30 * 60_000, timeoutMs: 30 * 60_000 }, now)).toBe(30 * 60 + 3600);
    expect(urlLifetimeSeconds({ at: now - 5000, timeoutMs: 1000 }, now)).toBe(3600);
  });
  it('is at most 7 days', () => {
    expect(urlLifetimeSeconds({ at: now + 30 * 24 * 3600_000, timeoutMs: 30 * 24 * 3600_000 }, now)).toBe(7 * 24 * 3600);
  });
});

describe('sessionWarning', () => {
  const settings = (sessionToken?: string): S3Settings => ({
    endpoint: 'https://s3.us-east-1.amazonaws.com',
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken },
  });
  const deadline = (timeoutMs: number) => ({ at: Date.now() + timeoutMs, timeoutMs });

  it('warns with session credentials and a timeout over an hour, naming the fix', () => {
    expect(sessionWarning(settings('token'), deadline(3600_001))).toMatch(/session credentials.*role-duration-seconds/);
  });
  it('is silent with long-lived keys, or within an hour', () => {
    expect(sessionWarning(settings(), deadline(5 * 3600_000))).toBeUndefined();
    expect(sessionWarning(settings('token'), deadline(3600_000))).toBeUndefined();
  });
});
