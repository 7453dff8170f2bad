/**
 * Results that state less than usual, served by the emulator's CDN, the action run
 * in process: one that begins with QuickTime's `wide` box (no
 * `ftyp`), and one whose sample entry states no size. Built in memory from the
 * committed fixtures (test/helpers/crafted-media.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { displaySizeOnly, wideFirst } from '../helpers/crafted-media';
import type { ActionRun } from '../helpers/run-action';
import { runInProcess as runAction } from '../helpers/run-in-process';

const fixture = useActionFixture({ reset: { processingPolls: 0 }, tempDir: true });
const { emulator } = fixture;

/** Runs the action at 2× on the 3.2 s fixture, its one result being `bytes`. */
function runWithResult(bytes: Buffer, extra: Record<string, string> = {}): Promise<ActionRun> {
  emulator.plan('clip.mp4', { resultUrls: [emulator.addSource('result.mp4', { data: bytes })] });
  return runAction(
    fixture.inputs({ 'video-url': emulator.addFixture('clip.mp4', 'clip-3.2s-faststart.mp4'), 'upscale-factor': '2', verify: 'fail', ...extra }),
  );
}

function firstResult(run: ActionRun): Record<string, unknown> {
  return (JSON.parse(run.outputs.results ?? '[]') as Array<Record<string, unknown>>)[0] ?? {};
}

describe('a result that begins with a wide box', () => {
  it('is downloaded and verified as the MP4 that preflight would call it', async () => {
    const bytes = wideFirst();
    const run = await runWithResult(bytes, { download: 'true', 'download-path': fixture.dir });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(await readFile(join(fixture.dir, 'clip-2x.mp4'))).toEqual(bytes);
    expect(run.stdout).toContain(`Result of task ${run.outputs['task-id']}: 64×36 → 128×72 (2.0×) · 3.2 s → 3.2 s · H.264 (read from the saved file, `);
    expect(run.outputs).toMatchObject({ status: 'completed', 'video-width': '128', 'video-height': '72', 'video-duration': '3.2' });
  });
});

describe('a result whose sample entry states no size', () => {
  it('gives whole pixels in the outputs, results[] and the log, from the display size rounded', async () => {
    const run = await runWithResult(displaySizeOnly(1708.5, 960.5));
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ 'video-width': '1709', 'video-height': '961' });
    expect(firstResult(run)).toMatchObject({ width: 1709, height: 961 });
    expect(run.stdout).toContain(`Result of task ${run.outputs['task-id']}: 64×36 → 1709×961 (26.7×) · 3.2 s → 3.2 s · H.264 (1 request, `);
  });
});
