/**
 * `npm start` (scripts/start.ts), the first thing a newcomer runs: the bundled
 * action against the emulator, whose default result is a real upscaled MP4,
 * so the demo ends with a probed result and nothing "not checked".
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

async function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // `npm start` is `tsx scripts/start.ts`; tsx's loader on this Node is the same thing without npm in between.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  return { code, stdout, stderr };
}

it('npm start shows a probed 2× result: sizes, durations and codec in the log, the outputs and the summary', async () => {
  const demo = await runDemo();
  expect(demo.stderr).toBe('');
  expect(demo.code).toBe(0);
  const probed = '64×36 → 128×72 (2.0×) · 3.2 s → 3.2 s · H.264';
  expect(demo.stdout).toMatch(
    new RegExp(`^Result of task task_\\w+: ${probed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(1 request, [\\d.]+ KiB read\\)\\.$`, 'm'),
  );
  for (const output of ['video-width = 128', 'video-height = 72', 'video-duration = 3.2', 'status = completed']) {
    expect(demo.stdout).toContain(`\n  ${output}\n`);
  }
  // The summary's last row, Markdown-escaped.
  expect(demo.stdout).toContain('| **Video** | 64×36 → 128×72 \\(2.0×\\) · 3.2 s → 3.2 s · H.264 |');
  expect(demo.stdout).not.toContain('not checked');
  expect(demo.stdout).not.toMatch(/^::(warning|error)/m);
  expect(demo.stdout).toMatch(/\nExit code 0 after \d+ ms\.\n$/);
});
