/**
 * The pure rules behind skip-unchanged's trust (issue 20): records take the
 * API path's task-id and result-URL rules, stored files must be regular files
 * inside their store, a fallback stays within the cost guard, and only a
 * strong ETag counts as evidence of the same bytes.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFallbackCost } from '../../src/model/billing';
import { CostGuardError } from '../../src/shared/errors';
import { registerSecret } from '../../src/shared/redact';
import { strongEtag } from '../../src/skip-unchanged/fingerprint';
import { StoredFileError, openStoredFile, parseRecord, readRecordFile, type ResultRecord } from '../../src/skip-unchanged/record';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const fp = { model: 'topaz-video-upscaler', upscaleFactor: '2', sourceSha256: sha('clip') };
const record: ResultRecord = {
  v: 1,
  model: fp.model,
  upscaleFactor: '2',
  sourceSha256: fp.sourceSha256,
  taskId: 'task_0001',
  videoUrls: ['https://cdn.reapi.ai/media/tasks/task_0001/0.mp4'],
  billableSeconds: 4,
  completedAt: '2026-11-20T08:30:00.000Z',
};

describe('parseRecord takes what the API path takes', () => {
  it('a task id with . : ~ up to 256 characters', () => {
    const taskId = `task.v2:${'a~'.repeat(124)}`;
    expect(taskId).toHaveLength(256);
    expect(parseRecord(JSON.stringify({ ...record, taskId }), fp)).toEqual({ record: { ...record, taskId } });
    expect(parseRecord(JSON.stringify({ ...record, taskId: `${taskId}x` }), fp)).toEqual({ problem: 'its task id is malformed' });
  });

  it('but never a task id that holds the API key (it would become a file or asset name)', () => {
    registerSecret('rk_live_reuse_rules_key');
    expect(parseRecord(JSON.stringify({ ...record, taskId: 'task_rk_live_reuse_rules_key' }), fp)).toEqual({ problem: 'its task id is malformed' });
  });

  it('non-ASCII result URLs and more than 16 results', () => {
    const videoUrls = Array.from({ length: 20 }, (_, index) => `https://cdn.example/vidéo/結果-${index}.mp4`);
    expect(parseRecord(JSON.stringify({ ...record, videoUrls }), fp)).toEqual({ record: { ...record, videoUrls } });
  });
});

describe('stored files', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'reapi-store-'));
    await mkdir(join(root, 'store'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));
  const log = { info: (m: string) => lines.push(m), warning: (m: string) => lines.push(m), debug: () => undefined };
  const lines: string[] = [];

  it('opens a regular file inside its store', async () => {
    await writeFile(join(root, 'store', 'record.json'), JSON.stringify(record));
    expect(await readRecordFile(join(root, 'store', 'record.json'), join(root, 'store'), fp, 'the record', log)).toEqual(record);
  });

  it('refuses a FIFO without blocking, a device, and a symlink out of the store', async () => {
    execFileSync('mkfifo', [join(root, 'store', 'fifo')]);
    await symlink('/dev/zero', join(root, 'store', 'zero'));
    await writeFile(join(root, 'outside.json'), JSON.stringify(record));
    await symlink(join(root, 'outside.json'), join(root, 'store', 'out'));
    await expect(openStoredFile(join(root, 'store', 'fifo'), join(root, 'store'))).rejects.toThrow(new StoredFileError('it is not a regular file'));
    await expect(openStoredFile(join(root, 'store', 'zero'), join(root, 'store'))).rejects.toThrow(StoredFileError);
    await expect(openStoredFile(join(root, 'store', 'out'), join(root, 'store'))).rejects.toThrow(new StoredFileError('it leads out of its store'));
    lines.length = 0;
    expect(await readRecordFile(join(root, 'store', 'fifo'), join(root, 'store'), fp, 'the record', log)).toBeUndefined();
    expect(lines).toEqual(['skip-unchanged: the record is ignored: it is not a regular file.']);
  });

  it('reads a record with a byte cap', async () => {
    await writeFile(join(root, 'store', 'big.json'), Buffer.alloc(2 * 1024 * 1024, 0x20));
    lines.length = 0;
    expect(await readRecordFile(join(root, 'store', 'big.json'), join(root, 'store'), fp, 'the record', log)).toBeUndefined();
    expect(lines).toEqual(['skip-unchanged: the record is too large to be one; ignored.']);
  });
});

describe('checkFallbackCost', () => {
  it('passes a fallback within the limit and returns the new total', () => {
    expect(checkFallbackCost({ url: 'https://cdn.example/a.mp4', billableSeconds: 4 }, 4, 8)).toBe(8);
  });

  it('refuses one over the limit, naming the clip and the numbers', () => {
    const refuse = () => checkFallbackCost({ url: 'https://cdn.example/a.mp4', billableSeconds: 4 }, 4, 5);
    expect(refuse).toThrow(CostGuardError);
    expect(refuse).toThrow('its 4 billable seconds would bring the run to 8, over max-billable-seconds (5); a.mp4 was not submitted.');
  });

  it('refuses one whose duration is unknown', () => {
    expect(() => checkFallbackCost({ url: 'https://cdn.example/a.mp4' }, 0, 100)).toThrow(/duration of a\.mp4 is unknown.*max-billable-seconds \(100\)/);
  });
});

describe('strongEtag', () => {
  it('takes a strong entity tag only', () => {
    expect(strongEtag('"abc-123"')).toBe('"abc-123"');
    expect(strongEtag(' "x" ')).toBe('"x"');
    expect(strongEtag('W/"abc"')).toBeUndefined();
    expect(strongEtag('abc')).toBeUndefined();
    expect(strongEtag('"a"b"')).toBeUndefined();
    expect(strongEtag(undefined)).toBeUndefined();
  });
});
