/** The Reporter turns the pipeline's clip events into the user's lines and outputs: the same text for one clip and for many (prefixed). */
import { describe, expect, it } from 'vitest';
import type { ClipPlan } from '../../src/model/clip';
import { Reporter } from '../../src/report/reporter';
import { RecordingIO } from '../helpers/recording-io';

const plan = (index: number): ClipPlan => ({ index, source: `https://cdn.example.com/v/clip-${index + 1}.mp4` });
const file = { url: 'https://cdn.example.com/r/0.mp4', path: '/out/clip-1-2x.mp4', name: 'clip-1-2x.mp4', bytes: 2048 };

function reporter(count: number) {
  const io = new RecordingIO();
  const it = new Reporter(io);
  it.setClips(Array.from({ length: count }, (_, index) => plan(index)));
  return { io, reporter: it };
}

describe('clip events', () => {
  it('become the lines of one clip', () => {
    const { io, reporter: r } = reporter(1);
    const tell = (event: Parameters<Reporter['clipEvent']>[1]) => r.clipEvent(plan(0), event);
    tell({ type: 'submitted', taskId: 'task_a', status: 'queued' });
    tell({ type: 'task-started', taskId: 'task_a' });
    tell({ type: 'task-completed', taskId: 'task_a', elapsedMs: 3200, videoUrls: ['https://r/0.mp4', 'https://r/1.mp4'] });
    tell({ type: 'saved', file, replaced: true });
    tell({ type: 'failed', message: 'It broke.' });
    expect(io.lines).toEqual([
      'Task task_a created (status: queued).',
      'Task task_a completed in 3.2s: https://r/0.mp4, https://r/1.mp4',
      'Saved /out/clip-1-2x.mp4 (2.0 KiB).',
      expect.stringMatching(/^::warning::Replaced \/out\/clip-1-2x\.mp4/),
    ]);
    expect(io.outputs).toEqual({ 'task-id': 'task_a', 'task-ids': '["task_a"]', status: 'processing' });
  });

  it('are prefixed among several clips; a failure is also its own annotation; the live status fails with any clip', () => {
    const { io, reporter: r } = reporter(2);
    r.clipEvent(plan(1), { type: 'resuming', taskId: 'task_b' });
    r.clipEvent(plan(1), { type: 'not-waiting', taskId: 'task_b', running: true });
    r.clipEvent(plan(0), { type: 'failed', message: 'It broke.' });
    r.clipSettled({ plan: plan(0), status: 'failed', videoUrls: [], files: [], message: 'It broke.' });
    r.clipEvent(plan(1), { type: 'task-started', taskId: 'task_b' });
    expect(io.lines).toEqual([
      '[#2 clip-2.mp4] Resuming task task_b (no new submission, nothing billed again).',
      '[#2 clip-2.mp4] wait is false: not waiting. Resume it without paying again with task-id: task_b.',
      '::error::#1 clip-1.mp4: It broke.',
    ]);
    expect(io.outputs.status).toBe('failed');
  });
});
