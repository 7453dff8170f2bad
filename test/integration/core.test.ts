/** The action's core, run in process against the emulator: submit, wait, outputs, failures, input validation, resume. */
import { describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { runInProcess as runAction } from '../helpers/run-in-process';

const KEY = 'test-key';
const fixture = useActionFixture({ inputs: () => ({ 'upscale-factor': '2', wait: 'true' }) });
const { emulator } = fixture;
const inputs = fixture.inputs;

describe('happy path', () => {
  it('submits once, polls to completion and sets every output', async () => {
    const source = emulator.sourceUrl('clip.mp4');
    const run = await runAction(inputs({ 'video-url': source }));
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);

    const submits = emulator.apiRequests('submit');
    expect(submits).toHaveLength(1);
    expect(JSON.parse(submits[0]!.body)).toEqual({ model: 'topaz-video-upscaler', video_url: source, upscale_factor: '2' });
    for (const request of emulator.apiRequests()) expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(emulator.apiRequests('poll').length).toBe(3); // two processing answers, then completed

    const [task] = [...emulator.tasks.values()];
    const resultUrl = `${emulator.cdnUrl}/media/tasks/${task!.id}/0.mp4`;
    expect(run.outputs).toMatchObject({ 'task-id': task!.id, status: 'completed', 'video-url': resultUrl });
    expect(JSON.parse(run.outputs['video-urls']!)).toEqual([resultUrl]);

    expect(run.summary).toContain(task!.id);
    expect(run.summary).toContain('completed');
    expect(run.summary).toContain(resultUrl);
    expect(run.summary).toContain('2×');
    expect(run.stdout).toContain('::group::');
    expect(run.stdout).toMatch(/processing after [\d.]+s \(poll 1\)/);
  });

  it('normalises 4x to "4" and treats unknown running statuses as still running', async () => {
    emulator.plan('queued', { runningStatus: 'queued', processingPolls: 2 });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('queued.mp4'), 'upscale-factor': '4x' }));
    expect(run.code).toBe(0);
    expect(JSON.parse(emulator.apiRequests('submit')[0]!.body).upscale_factor).toBe('4');
    expect(run.outputs.status).toBe('completed');
    expect(run.stdout).toContain('queued after');
  });

  it('masks the API key and never prints it', async () => {
    emulator.configure({ apiKey: 'sk-very-secret-123', processingPolls: 0 });
    const run = await runAction({ ...inputs({ 'video-url': emulator.sourceUrl() }), 'api-key': 'sk-very-secret-123' });
    expect(run.code).toBe(0);
    expect(run.stdout.indexOf('::add-mask::sk-very-secret-123')).toBe(0);
    const rest = run.stdout.replace('::add-mask::sk-very-secret-123', '');
    expect(rest + run.stderr + run.summary + JSON.stringify(run.outputs)).not.toContain('sk-very-secret-123');
  });
});

describe('failures', () => {
  it('fails with the task error code and message and sets status=failed', async () => {
    emulator.plan('bad', { fail: { code: '80007', message: 'Provider rejected the request as invalid' }, processingPolls: 1 });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('bad.mp4') }));
    expect(run.code).toBe(1);
    expect(run.outputs.status).toBe('failed');
    expect(run.outputs['task-id']).toMatch(/^task_/);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('80007');
    expect(run.errors[0]).toContain('Provider rejected the request as invalid');
    expect(run.errors[0]).toContain(run.outputs['task-id']);
    expect(run.summary).toContain('failed');
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a completed task without results clearly', async () => {
    emulator.plan('empty', { emptyOutput: true, processingPolls: 0 });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('empty.mp4') }));
    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(/completed but its output\.video_urls is empty/);
    expect(run.outputs['task-id']).toBeTruthy();
  });

  it('times out with the task id, a resume hint and status=processing', async () => {
    emulator.plan('slow', { never: true });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('slow.mp4'), timeout: '1' }));
    expect(run.code).toBe(1);
    const taskId = run.outputs['task-id']!;
    expect(taskId).toMatch(/^task_/);
    expect(run.outputs.status).toBe('processing');
    expect(run.errors[0]).toContain(`task-id: ${taskId}`);
    expect(run.errors[0]).toMatch(/Timed out after/);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
  });

  // These two reach the API on purpose (preflight: false): preflight would refuse both sources itself (see preflight.test.ts).
  it('explains a source probe failure (30002) with the request id', async () => {
    const run = await runAction(inputs({ 'video-url': `${emulator.cdnUrl}/sources/missing.mp4`, preflight: 'false' }));
    expect(run.code).toBe(1);
    expect(run.errors[0]).toContain('reApi error 30002');
    expect(run.errors[0]).toContain('nothing was charged');
    expect(run.errors[0]).toMatch(/request_id: req_emu_\d+/);
    expect(run.outputs['task-id']).toBeUndefined();
  });

  it('explains a source over 50 MB (80007) from the API', async () => {
    const url = emulator.addSource('huge.mp4', { size: 60 * 1024 * 1024 });
    const run = await runAction(inputs({ 'video-url': url, preflight: 'false' }));
    expect(run.code).toBe(1);
    expect(run.errors[0]).toContain('reApi error 80007');
    expect(run.errors[0]).toMatch(/over 50 MB/);
  });

  it('explains a refused API key (401) without retrying', async () => {
    const run = await runAction({ ...inputs({ 'video-url': emulator.sourceUrl() }), 'api-key': 'wrong-key' });
    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(/API key was refused/);
    expect(run.errors[0]).not.toContain('wrong-key');
    expect(emulator.apiRequests('submit')).toHaveLength(1);
  });
});

describe('input validation: one clear line, no request sent', () => {
  it.each([
    [{ 'upscale-factor': '3' }, /upscale-factor.*1, 2 or 4.*"3"/],
    [{ 'video-url': 'data:video/mp4;base64,AAAA' }, /video-url.*data:.*http/],
    [{ 'video-url': 'file:///etc/passwd' }, /video-url.*file:/],
    [{ 'video-url': 'ftp://example.com/a.mp4' }, /video-url.*ftp:/],
    [{ 'video-url': 'not a url' }, /video-url.*not a valid URL/],
    [{ 'video-url': '' }, /video-url.*task-id/],
    [{ timeout: 'soon' }, /timeout.*"soon"/],
    [{ 'poll-interval': '-1' }, /poll-interval/],
    [{ wait: 'maybe' }, /wait.*"maybe"/],
    [{ 'task-id': '../../etc' }, /task-id/],
  ])('rejects %o', async (bad, pattern) => {
    const run = await runAction(inputs({ 'video-url': 'https://cdn.example.com/a.mp4', ...bad }));
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(pattern);
    expect(run.errors[0]).not.toContain('%0A'); // one line
    expect(emulator.apiRequests()).toHaveLength(0);
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
  });

  it('requires api-key', async () => {
    const run = await runAction({ ...inputs({ 'video-url': 'https://cdn.example.com/a.mp4' }), 'api-key': '' });
    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(/api-key/);
    expect(emulator.apiRequests()).toHaveLength(0);
  });
});

describe('resume and fire-and-forget', () => {
  it('wait: false submits once and exits without polling', async () => {
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl(), wait: 'false' }));
    expect(run.code).toBe(0);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
    expect(emulator.apiRequests('poll')).toHaveLength(0);
    expect(run.outputs.status).toBe('processing');
    expect(run.outputs['task-id']).toBe([...emulator.tasks.keys()][0]);
  });

  it('task-id resumes without submitting', async () => {
    const first = await runAction(inputs({ 'video-url': emulator.sourceUrl(), wait: 'false' }));
    const taskId = first.outputs['task-id']!;
    const resumed = await runAction(inputs({ 'task-id': taskId, 'video-url': '' }));
    expect(resumed.code).toBe(0);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
    expect(resumed.outputs).toMatchObject({ 'task-id': taskId, status: 'completed' });
    expect(resumed.outputs['video-url']).toContain(taskId);
  });

  it('an unknown task id is a clear 404', async () => {
    const run = await runAction(inputs({ 'task-id': 'task_doesnotexist', 'video-url': '' }));
    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(/not found/);
    expect(run.errors[0]).toContain('task_doesnotexist');
    expect(emulator.apiRequests('submit')).toHaveLength(0);
  });
});
