/**
 * The bundle itself, run as the runner runs it: `node dist/index.js` on the runner's Node (24) in a child process,
 * INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, against the emulator. The behaviour is tested in
 * process (test/integration); this checks that dist/ carries it, with the exit code the runner reads.
 */
import { describe, expect, it } from 'vitest';
import { RUNNER_NODE_MAJOR, actionNodeNotice, actionNodeVersion } from '../helpers/action-node';
import { useActionFixture } from '../helpers/action-fixture';
import { runAction } from '../helpers/run-action';

const fixture = useActionFixture();
const { emulator } = fixture;

describe('dist/index.js', () => {
  it(`runs on the runner's Node (${RUNNER_NODE_MAJOR})`, () => {
    if (actionNodeNotice || process.env.ACTION_NODE) return; // told to use another Node, or none installed here
    expect(actionNodeVersion()).toMatch(new RegExp(`^v${RUNNER_NODE_MAJOR}\\.`));
  });

  it('exits 0 with every output and the summary, and registers the key with the runner before anything else', async () => {
    const source = emulator.sourceUrl('clip.mp4');
    const run = await runAction(fixture.inputs({ 'video-url': source }));
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout.indexOf(`::add-mask::${fixture.key}`)).toBe(0);
    const [task] = [...emulator.tasks.values()];
    const resultUrl = `${emulator.cdnUrl}/media/tasks/${task!.id}/0.mp4`;
    expect(run.outputs).toMatchObject({ 'task-id': task!.id, status: 'completed', 'video-url': resultUrl });
    expect(run.summary).toContain(resultUrl);
    expect(run.stderr).toBe('');
  });

  it('exits 1 on a failed task, with one ::error:: line and no stack trace', async () => {
    emulator.plan('bad', { fail: { code: '80007', message: 'Provider rejected the request as invalid' }, processingPolls: 1 });
    const run = await runAction(fixture.inputs({ 'video-url': emulator.sourceUrl('bad.mp4') }));
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('80007');
    expect(run.outputs.status).toBe('failed');
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
  });

  it('verifies a real result: its size, duration and codec in the log and the outputs', async () => {
    emulator.configure({ processingPolls: 0, realResults: true });
    const run = await runAction(fixture.inputs({ 'video-url': emulator.addFixture('clip-3.2s-faststart.mp4') }));
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Result of task ${run.outputs['task-id']}: 64×36 → 128×72 (2.0×) · 3.2 s → 3.2 s · H.264 (1 request, `);
    expect(run.outputs).toMatchObject({ 'video-width': '128', 'video-height': '72', 'video-duration': '3.2' });
  });

  it('exits 1 on a bad input, before any request', async () => {
    const run = await runAction(fixture.inputs({ 'video-url': 'ftp://example.com/a.mp4' }));
    expect(run.code).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(/video-url.*ftp:/)]);
    expect(emulator.requests).toHaveLength(0);
  });
});
