/**
 * The files results are saved as, the action run in process against the emulator: names within the file-system
 * limit, never two clips in one file (even case-insensitively), files from before the run, directories in the way,
 * and a clip whose second result never arrives.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import type { ActionRun } from '../helpers/run-action';
import { runInProcess as runAction } from '../helpers/run-in-process';

const fixture = useActionFixture({
  reset: { processingPolls: 0 },
  tempDir: true,
  inputs: () => ({ 'video-url': clipSource('clip.mp4'), download: 'true', 'download-path': fixture.dir }),
});
const { emulator, inputs } = fixture;

/** A source on the emulator's CDN: a real clip, so preflight reads its duration without a warning. */
function clipSource(name: string): string {
  return emulator.addFixture(name, 'clip-3.2s-faststart.mp4');
}

function results(run: ActionRun): Array<{ task_id: string; video_path: string | null; error: string | null }> {
  return JSON.parse(run.outputs.results ?? 'null') as Array<{ task_id: string; video_path: string | null; error: string | null }>;
}

function warnings(run: ActionRun): string[] {
  return run.stdout
    .split('\n')
    .filter((line) => line.startsWith('::warning'))
    .map((line) => line.replace(/^::warning[^:]*::/, ''));
}

/** The task the emulator created for a source URL. */
function taskFor(source: string): string {
  const task = [...emulator.tasks.values()].find((candidate) => candidate.sourceUrl === source);
  if (!task) throw new Error(`no task for ${source}`);
  return task.id;
}

describe('long names', () => {
  it('saves a source named with 80 CJK characters under a name within 255 bytes, and a resume saves it under the same name', async () => {
    const cjk = '视频'.repeat(40);
    const source = clipSource(`${cjk}.mp4`);
    const run = await runAction(inputs({ 'video-url': source }));
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);

    const path = run.outputs['video-path']!;
    const name = basename(path);
    expect(name).toBe(`${cjk.slice(0, 75)}-2x.mp4`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    expect(await readdir(fixture.dir)).toEqual([name]);
    const taskId = run.outputs['task-id']!;
    expect((await readFile(path)).equals(emulator.taskResultBytes(taskId))).toBe(true);

    // Picked up again by its task id (with its source, for the name): same file, nothing submitted.
    const resumed = await runAction(inputs({ 'video-url': source, 'task-id': taskId }));
    expect(resumed.errors).toEqual([]);
    expect(resumed.outputs['video-path']).toBe(path);
    expect(warnings(resumed)).toEqual([`Replaced ${path}, which was already in download-path before this run.`]);
    expect(await readdir(fixture.dir)).toEqual([name]);
    expect((await readFile(path)).equals(emulator.taskResultBytes(taskId))).toBe(true);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
  });
});

describe('collisions', () => {
  it('numbers a clip named after its task id apart from a source with that name, in source order, whichever finishes first', async () => {
    // The first source has no usable name, so it is named after its task id, "clip-2x", which is also
    // the second source's name. The second finishes first; the first still keeps the plain name.
    const nameless = clipSource('---.mp4');
    const named = clipSource('clip.mp4');
    emulator.plan('---', { id: 'clip-2x', processingPolls: 3 });
    const run = await runAction(inputs({ 'video-url': `${nameless}\n${named}` }));
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);

    const paths = [join(fixture.dir, 'clip-2x.mp4'), join(fixture.dir, 'clip-2x_2.mp4')];
    expect(JSON.parse(run.outputs['video-paths']!)).toEqual(paths);
    expect(results(run).map((result) => [result.task_id, result.video_path])).toEqual([
      ['clip-2x', paths[0]],
      [taskFor(named), paths[1]],
    ]);
    expect((await readdir(fixture.dir)).sort()).toEqual(['clip-2x.mp4', 'clip-2x_2.mp4']);
    for (const result of results(run)) expect((await readFile(result.video_path!)).equals(emulator.taskResultBytes(result.task_id))).toBe(true);
    expect(warnings(run)).toEqual([]);
    // The second clip's result was saved first, and still got the numbered name.
    expect(run.stdout.indexOf(`Saved ${paths[1]}`)).toBeLessThan(run.stdout.indexOf(`Saved ${paths[0]}`));
    expect(run.stdout.indexOf(`Saved ${paths[1]}`)).toBeGreaterThan(-1);
  });

  it('numbers names that differ only in case, which are one file on macOS and Windows', async () => {
    const run = await runAction(inputs({ 'video-url': `${clipSource('Clip.mp4')}\n${clipSource('clip.mp4')}` }));
    expect(run.errors).toEqual([]);
    const paths = [join(fixture.dir, 'Clip-2x.mp4'), join(fixture.dir, 'clip-2x_2.mp4')];
    expect(JSON.parse(run.outputs['video-paths']!)).toEqual(paths);
    expect((await readdir(fixture.dir)).sort()).toEqual(['Clip-2x.mp4', 'clip-2x_2.mp4']);
    for (const result of results(run)) expect((await readFile(result.video_path!)).equals(emulator.taskResultBytes(result.task_id))).toBe(true);
  });
});

describe('what is already in download-path', () => {
  it('replaces a file from before the run, saying so in a warning', async () => {
    const path = join(fixture.dir, 'clip-2x.mp4');
    await writeFile(path, 'an older result');
    await writeFile(join(fixture.dir, 'other.txt'), 'left alone');
    const run = await runAction(inputs());
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(warnings(run)).toEqual([`Replaced ${path}, which was already in download-path before this run.`]);
    expect((await readFile(path)).equals(emulator.taskResultBytes(run.outputs['task-id']!))).toBe(true);
    expect(await readFile(join(fixture.dir, 'other.txt'), 'utf8')).toBe('left alone');
    expect((await readdir(fixture.dir)).sort()).toEqual(['clip-2x.mp4', 'other.txt']);
  });

  it('warns about nothing when the name is free', async () => {
    const run = await runAction(inputs());
    expect(run.errors).toEqual([]);
    expect(warnings(run)).toEqual([]);
  });

  it('refuses a directory where the result would be saved before submitting anything', async () => {
    const path = join(fixture.dir, 'clip-2x.mp4');
    await mkdir(path);
    const run = await runAction(inputs());
    expect(run.code).toBe(1);
    expect(run.errors).toEqual([`A directory is in the way of the result file ${path}; move it away or choose another download-path. Nothing was submitted.`]);
    expect(emulator.apiRequests()).toHaveLength(0);
    expect(await readdir(path)).toEqual([]);
  });

  it('fails a clip whose name is only known later when a directory is in its way, naming the task to resume', async () => {
    emulator.plan('pair', { processingPolls: 0, resultCount: 2 });
    const blocked = join(fixture.dir, 'pair-2x-1.mp4');
    await mkdir(blocked);
    const source = clipSource('pair.mp4');
    const run = await runAction(inputs({ 'video-url': source }));
    const taskId = taskFor(source);
    expect(run.code).toBe(1);
    expect(run.errors).toEqual([
      `A directory is in the way of the result file ${blocked}; move it away or choose another download-path. Task ${taskId} is completed, so re-running with task-id: ${taskId} delivers it again without paying.`,
    ]);
    expect(await readdir(fixture.dir)).toEqual(['pair-2x-1.mp4']);
    expect(run.outputs['video-paths']).toBeUndefined();
  });
});

describe('a clip with several results', () => {
  it('lists the result already saved when the next one fails, and says so', async () => {
    emulator.plan('pair', { processingPolls: 0, resultCount: 2 });
    emulator.fault({ route: 'cdn', match: '/1.mp4', status: 404 });
    const source = clipSource('pair.mp4');
    const run = await runAction(inputs({ 'video-url': source }));
    const taskId = taskFor(source);
    const first = join(fixture.dir, 'pair-2x-1.mp4');
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/^The result host answered HTTP 404 for \S+\/1\.mp4; 1 of 2 results was saved \(listed in video-paths\)\. /);
    expect(run.errors[0]).toContain(`Task ${taskId} is completed, so re-running with task-id: ${taskId} delivers it again without paying.`);
    expect(await readdir(fixture.dir)).toEqual(['pair-2x-1.mp4']);
    expect((await readFile(first)).equals(emulator.taskResultBytes(taskId, 0))).toBe(true);
    expect(JSON.parse(run.outputs['video-paths']!)).toEqual([first]);
  });
});
