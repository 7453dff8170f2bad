/** Re-runs: the run context from the runner's environment, source identities, keys and the record check (src/rerun/record.ts). */
import { describe, expect, it } from 'vitest';
import { fileIdentity, parseRerunRecord, rerunKey, rerunRecord, runContext, urlIdentity, type ClipIdentity } from '../../src/rerun/record';

const run = { runId: '123456', attempt: 2, job: 'upscale', action: 'topaz' };
const clip = (url = 'https://cdn.example.com/a.mp4', upscaleFactor = '2'): ClipIdentity => ({
  source: urlIdentity(url),
  upscaleFactor,
  model: 'topaz-video-upscaler',
});

describe('runContext', () => {
  it('reads the run id and attempt (both required), the job and the step', () => {
    expect(runContext({ GITHUB_RUN_ID: '123456', GITHUB_RUN_ATTEMPT: '2', GITHUB_JOB: 'upscale', GITHUB_ACTION: 'topaz' })).toEqual(run);
    expect(runContext({ GITHUB_RUN_ID: '123456' })).toBeUndefined();
    expect(runContext({ GITHUB_RUN_ATTEMPT: '1' })).toBeUndefined();
    expect(runContext({ GITHUB_RUN_ID: '12a', GITHUB_RUN_ATTEMPT: '1' })).toBeUndefined();
    expect(runContext({ GITHUB_RUN_ID: '1', GITHUB_RUN_ATTEMPT: '0' })).toBeUndefined();
  });
});

describe('urlIdentity', () => {
  it('is the same source signed again: signing parameters (S3, CloudFront, GCS, Azure SAS) are left out, others kept', () => {
    const a = urlIdentity('https://b.s3.amazonaws.com/v.mp4?X-Amz-Signature=aaa&X-Amz-Date=1&versionId=7');
    const b = urlIdentity('https://B.s3.amazonaws.com/v.mp4?X-Amz-Signature=bbb&X-Amz-Date=2&versionId=7#t=1');
    expect(a.id).toBe(b.id);
    expect(a.id).toContain('versionId=7');
    expect(urlIdentity('https://x.blob.core.windows.net/c/v.mp4?sv=1&sig=abc&se=2').id).toBe('url:https://x.blob.core.windows.net/c/v.mp4');
    expect(urlIdentity('https://cdn.example.com/v.mp4?id=1').id).not.toBe(urlIdentity('https://cdn.example.com/v.mp4?id=2').id);
  });

  it('labels a source without its query string', () => {
    expect(urlIdentity('https://cdn.example.com/v.mp4?token=secret').label).toBe('https://cdn.example.com/v.mp4?…');
  });

  it('a local file is its bytes', () => {
    expect(fileIdentity('AB'.repeat(32), 'clip.mp4')).toEqual({ id: `file:sha256:${'ab'.repeat(32)}`, label: 'clip.mp4' });
  });
});

describe('rerunKey', () => {
  it('names the run and the submitting attempt; job, step, source, factor and model are hashed apart', () => {
    const key = rerunKey(run, clip(), 1);
    expect(key).toMatch(/^reapi-topaz-rerun-v1-123456-[0-9a-f]{40}-a1$/);
    expect(rerunKey(run, clip(), 2)).not.toBe(key);
    expect(rerunKey({ ...run, attempt: 5 }, clip(), 1)).toBe(key);
    expect(rerunKey({ ...run, runId: '123457' }, clip(), 1)).not.toBe(key);
    expect(rerunKey({ ...run, job: 'other' }, clip(), 1)).not.toBe(key);
    expect(rerunKey({ ...run, action: 'other' }, clip(), 1)).not.toBe(key);
    expect(rerunKey(run, clip(undefined, '4'), 1)).not.toBe(key);
    expect(rerunKey(run, clip('https://cdn.example.com/b.mp4'), 1)).not.toBe(key);
    expect(key.length).toBeLessThan(512);
    expect(key).not.toContain(',');
  });
});

describe('parseRerunRecord', () => {
  const first = { ...run, attempt: 1 };
  const saved = JSON.stringify(rerunRecord(first, clip(), 'task_0001'));

  it('takes the record of this clip, run and attempt', () => {
    expect(parseRerunRecord(saved, run, clip(), 1)).toEqual({ record: JSON.parse(saved) as unknown });
  });

  it('refuses another clip, run or attempt, a bad task id, extra fields, and what is not a record', () => {
    expect(parseRerunRecord(saved, run, clip('https://cdn.example.com/b.mp4'), 1)).toEqual({ problem: 'it is of another source' });
    expect(parseRerunRecord(saved, run, clip(undefined, '4'), 1)).toEqual({ problem: 'it is of another factor or model' });
    expect(parseRerunRecord(saved, { ...run, runId: '9' }, clip(), 1)).toEqual({ problem: 'it is of another run or attempt' });
    expect(parseRerunRecord(saved, run, clip(), 2)).toEqual({ problem: 'it is of another run or attempt' });
    const bad = JSON.stringify({ ...(JSON.parse(saved) as object), taskId: '../../x' });
    expect(parseRerunRecord(bad, run, clip(), 1)).toEqual({ problem: 'its task id is malformed' });
    expect(parseRerunRecord(JSON.stringify({ ...(JSON.parse(saved) as object), apiKey: 'x' }), run, clip(), 1)).toEqual({
      problem: 'it is not a re-run record',
    });
    expect(parseRerunRecord('not json', run, clip(), 1)).toEqual({ problem: 'it is not JSON' });
    expect(parseRerunRecord(' '.repeat(5000), run, clip(), 1)).toEqual({ problem: 'it is too large' });
  });
});
