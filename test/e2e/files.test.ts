/**
 * A clip with several results, cancelled (SIGTERM) during the second download, through dist/index.js in a child
 * process: the saved one is listed. The rest of result file names: test/integration/files.test.ts.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { runAction, type ActionRun } from '../helpers/run-action';

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

/** The task the emulator created for a source URL. */
function taskFor(source: string): string {
  const task = [...emulator.tasks.values()].find((candidate) => candidate.sourceUrl === source);
  if (!task) throw new Error(`no task for ${source}`);
  return task.id;
}

describe('a clip with several results', () => {
  it('lists the result already saved when the step is cancelled during the next one, and says so', async () => {
    emulator.configure({ processingPolls: 0, resultBytes: 1_000_000 });
    emulator.plan('pair', { processingPolls: 0, resultCount: 2 });
    // The second result (index 1) sends 100 kB, then nothing more.
    emulator.fault({ route: 'cdn', match: '/1.mp4', stallAfterBytes: 100_000 });
    const source = clipSource('pair.mp4');
    let watching = false;
    let sawSecondPart = false;
    const run = await runAction(inputs({ 'video-url': source }), {
      onStdout: (text, child) => {
        if (watching || !text.includes('::group::Downloading')) return;
        watching = true;
        const timer = setInterval(() => {
          void readdir(fixture.dir).then((names) => {
            if (names.some((name) => name.startsWith('.pair-2x-2.mp4.') && name.endsWith('.part'))) {
              sawSecondPart = true;
              clearInterval(timer);
              child.kill('SIGTERM');
            }
          });
        }, 20);
      },
    });
    expect(sawSecondPart).toBe(true);
    const taskId = taskFor(source);
    const first = join(fixture.dir, 'pair-2x-1.mp4');
    expect(run.code).toBe(1);
    expect(run.errors).toEqual([
      `Cancelled while delivering the result of task ${taskId}; 1 of 2 results was saved (listed in video-paths); no partial file was left behind. Resume it without paying again with task-id: ${taskId}.`,
    ]);
    // The saved result is on disk, whole, and listed; the cut-off one left nothing.
    expect(await readdir(fixture.dir)).toEqual(['pair-2x-1.mp4']);
    expect((await readFile(first)).equals(emulator.resultBytes(0))).toBe(true);
    expect(JSON.parse(run.outputs['video-paths']!)).toEqual([first]);
    expect(results(run)[0]?.video_path).toBe(first);
  });
});
