import { describe, expect, it } from 'vitest';
import { cell, renderSummary } from '../../src/summary';

describe('renderSummary', () => {
  it('shows source, factor, task, status, elapsed and the result link', () => {
    const text = renderSummary({
      source: 'https://cdn.example.com/clip.mp4',
      upscaleFactor: '4',
      taskId: 'task_1',
      status: 'completed',
      elapsedMs: 65_000,
      videoUrls: ['https://cdn.reapi.ai/media/tasks/1/0.mp4'],
    });
    expect(text).toContain('[https://cdn.example.com/clip.mp4](https://cdn.example.com/clip.mp4)');
    expect(text).toContain('4×');
    expect(text).toContain('`task_1`');
    expect(text).toContain('✅ completed');
    expect(text).toContain('1m 05s');
    expect(text).toContain('(https://cdn.reapi.ai/media/tasks/1/0.mp4)');
  });

  it('keeps a failure inside its table row', () => {
    const text = renderSummary({ upscaleFactor: '2', status: 'failed', elapsedMs: 0, videoUrls: [], error: 'bad | pipe\nnewline' });
    expect(text).toContain('| **Error** | bad \\| pipe newline |');
    expect(text).toContain('(resumed task)');
  });

  it('escapes table cells', () => {
    expect(cell('a|b\r\nc')).toBe('a\\|b c');
  });
});
