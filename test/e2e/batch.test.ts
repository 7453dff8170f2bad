/** Batch mode through dist/index.js in a child process: three clips, and a batch stopped by SIGTERM. The rest: test/integration/batch.test.ts. */
import { afterEach, describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { runAction } from '../helpers/run-action';

const fixture = useActionFixture({ reset: { processingPolls: 1 } });
const { emulator, inputs } = fixture;
afterEach(() => {
  // Preflight and downloads go to the source and result host: never with the API key.
  for (const request of emulator.cdnRequests()) {
    expect(request.headers.authorization).toBeUndefined();
    expect(JSON.stringify(request.headers)).not.toContain(emulator.config.apiKey);
  }
});

function sources(count: number, prefix = 'clip'): string[] {
  return Array.from({ length: count }, (_, index) => emulator.sourceUrl(`${prefix}-${String(index + 1).padStart(2, '0')}.mp4`));
}

/** The task the emulator created for a source. */
function taskFor(source: string) {
  return [...emulator.tasks.values()].find((task) => task.sourceUrl === source);
}

describe('batch', () => {
  it('upscales three sources, outputs in source order (smoke)', async () => {
    const urls = sources(3);
    const run = await runAction(inputs({ 'video-url': urls.join('\n'), concurrency: '2' }));
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    const ids = urls.map((url) => taskFor(url)!.id);
    expect(JSON.parse(run.outputs['task-ids']!)).toEqual(ids);
    expect(run.outputs.status).toBe('completed');
    expect(run.summary).toMatch(/\*\*Total\*\* \| \| 3 completed/);
  });

  it('stops every clip on SIGTERM and prints all task ids to resume', async () => {
    emulator.configure({ processingMs: 60_000 });
    const urls = sources(3);
    let killed = false;
    const run = await runAction(inputs({ 'video-url': urls.join('\n'), 'poll-interval': '0.2' }), {
      onStdout: (text, child) => {
        if (!killed && emulator.tasks.size === 3 && text.includes('created')) {
          killed = true;
          setTimeout(() => child.kill('SIGTERM'), 200);
        }
      },
    });
    expect(killed).toBe(true);
    expect(run.code).toBe(1);
    const ids = urls.map((url) => taskFor(url)!.id);
    expect(JSON.parse(run.outputs['task-ids']!)).toEqual(ids);
    expect(run.outputs.status).toBe('processing');
    expect(run.errors.at(-1)).toContain(`task-id: '${JSON.stringify(ids)}'`);
    expect(emulator.apiRequests('submit')).toHaveLength(3);
  });
});
