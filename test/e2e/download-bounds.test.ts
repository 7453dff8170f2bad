/** A result host that drips, through dist/index.js in a child process: the action ends by itself while the socket still hangs. The rest: test/integration/download-bounds.test.ts. */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { runAction } from '../helpers/run-action';

const fixture = useActionFixture({
  reset: { processingPolls: 0 },
  tempDir: true,
  inputs: () => ({ 'video-url': fixture.emulator.sourceUrl('clip.mp4'), timeout: '5s', download: 'true', 'download-path': fixture.dir }),
});
const { emulator, inputs } = fixture;

const resultRequests = () => emulator.cdnRequests().filter((request) => request.path.startsWith('/media/'));

describe('download time bound', () => {
  it('fails a result host that drips a byte at a time, naming the task, with no partial file', async () => {
    emulator.configure({ processingPolls: 0, resultBytes: 200_000 });
    emulator.fault({ route: 'cdn', match: '/media/', dripEveryMs: 200, dripBytes: 1, times: 10 });
    // The safety net is far past the 10 s progress window: the action must end by itself.
    const run = await runAction(inputs(), { killAfterMs: 50_000 });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    const taskId = run.outputs['task-id']!;
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/is too slow: the result host sent \d+ bytes in the last 10s \(at least 64\.0 KiB are expected\)\./);
    expect(run.errors[0]).toContain(`re-running with task-id: ${taskId}`);
    expect(run.errors[0]).not.toContain('undefined');
    expect(resultRequests()).toHaveLength(1); // a dripping host is not asked again
    expect(await readdir(fixture.dir)).toEqual([]);
  });
});
