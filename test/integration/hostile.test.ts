/**
 * A hostile or careless server, run in process against the emulator:
 * one that echoes the API key back, hands out ids and statuses that carry
 * workflow commands or climb out of the poll path, returns result URLs that
 * are not http(s), or writes Markdown in its error messages. The key never
 * leaves, no line becomes a workflow command, and nothing unusable is
 * published.
 */
import { describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import type { ActionRun } from '../helpers/run-action';
import { runInProcess as runAction } from '../helpers/run-in-process';

/** Printable ASCII, as a key may be, with characters that URL, form and JSON encoding each change. */
const KEY = 'sk-Hostile/Key+With"Quote\\Back=Eq&Amp';
/** No spelling of the key may show even in part: every variant starts with this. */
const KEY_MARK = 'Hostile';

const fixture = useActionFixture({ reset: { apiKey: KEY, processingPolls: 1 }, inputs: () => ({ timeout: '20s', preflight: 'false' }) });
const { emulator, inputs } = fixture;

interface Result {
  source: string | null;
  task_id: string | null;
  status: string;
  video_urls: string[];
  error: string | null;
}

function results(run: ActionRun): Result[] {
  return JSON.parse(run.outputs.results ?? 'null') as Result[];
}

/** Everything the action emitted, except the one line that registers the key as a secret with the runner. */
function emitted(run: ActionRun): string {
  const stdout = run.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  return [stdout, run.stderr, JSON.stringify(run.outputs), run.summary].join('\n');
}

function expectNoKey(run: ActionRun): void {
  expect(run.stdout).toContain(`::add-mask::${KEY}`); // registered with the runner first
  expect(emitted(run)).not.toContain(KEY_MARK);
}

/** Workflow commands the action itself issues. */
const OWN_COMMANDS = /^::(add-mask|debug|group|endgroup|error|warning|notice)( [^:]*)?::/;

/** No text from the server or the inputs became a workflow command: every line the runner would parse is the action's own. */
function expectNoInjectedCommands(run: ActionRun): void {
  for (const line of run.stdout.split('\n')) {
    const trimmed = line.trimStart(); // the runner ignores leading blanks
    if (!trimmed.startsWith('::')) continue;
    expect(trimmed).toMatch(OWN_COMMANDS);
    expect(trimmed).not.toMatch(/^::[^:]*::PWNED/);
  }
  expect(run.stdout).not.toMatch(/^\s*::stop-commands::/m);
}

/** Every API request stayed on the two documented paths. */
function expectDocumentedPaths(): void {
  for (const request of emulator.apiRequests()) {
    expect(request.path).toMatch(/^\/api\/v1\/(videos\/generations$|tasks\/[^/?#]+$)/);
  }
}

const INJECTION = '\n::error::PWNED\n::stop-commands::pwned';

describe('the API key, echoed back by the server', () => {
  it('is scrubbed from an error message before it is cut, in every spelling, and from request_id', async () => {
    // The key straddles the 300-character cut of the server's message; then the URL-, form- and JSON-escaped spellings.
    const message = `${'x'.repeat(290)}{key} url {key-url} form {key-form} json {key-json}`;
    emulator.fault({ route: 'submit', status: 400, body: JSON.stringify({ error: { code: '20003', message, request_id: 'req-{key}' } }) });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl() }));
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/^reApi error 20003: .*\(server said: "x{290}\*\*\*/);
    expect(run.errors[0]).toContain('request_id: req-***');
    expectNoKey(run);
    expect(emulator.apiRequests('submit')).toHaveLength(1);
  });

  it('is scrubbed from poll errors that are retried and logged', async () => {
    const body = JSON.stringify({ error: { code: '50003', message: 'upstream saw {key}', request_id: '{key-url}' } });
    emulator.fault({ route: 'poll', status: 503, body, times: 2 });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl() }));
    expect(run.code).toBe(0);
    expect(run.stdout.match(/server said: "upstream saw \*\*\*".*request_id: \*\*\*.*Retrying in/g)).toHaveLength(2);
    expectNoKey(run);
  });

  it("is scrubbed from a failed task's error code and message, in the results output and the job summary", async () => {
    emulator.plan('echo', { fail: { code: 'E-{key}', message: 'your key {key} ({key-url}, {key-json}) was bad' } });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('echo.mp4') }));
    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(/failed on reApi \(code E-\*\*\*: your key \*\*\* \(\*\*\*, \*\*\*\) was bad\)/);
    expect(results(run)[0]?.error).toContain('your key *** (***, ***) was bad');
    expect(run.summary).toContain('your key \\*\\*\\* \\(\\*\\*\\*, \\*\\*\\*\\) was bad');
    expectNoKey(run);
  });

  it('in a result URL: the URL is never output or fetched, and the clip fails naming the task', async () => {
    emulator.plan('echo', { resultUrls: [`${emulator.cdnUrl}/media/x.mp4?k={key-url}&raw={key}`] });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('echo.mp4'), download: 'true' }));
    expect(run.code).toBe(1);
    const taskId = run.outputs['task-id'] as string;
    expect(taskId).toMatch(/^task_/);
    expect(run.errors[0]).toContain(`Task ${taskId} is completed but its result URL`);
    expect(run.errors[0]).toContain('carries the API key');
    expect(run.outputs['video-url']).toBeUndefined();
    expect(results(run)[0]).toMatchObject({ status: 'failed', video_urls: [] });
    expect(emulator.cdnRequests().filter((request) => request.path.startsWith('/media/'))).toEqual([]);
    expectNoKey(run);
  });
});

describe('log-command injection', () => {
  it('a status with line breaks stays inside its log line', async () => {
    emulator.plan('status', { runningStatus: `processing${INJECTION}`, processingPolls: 3 });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('status.mp4') }));
    expect(run.code).toBe(0);
    expect(run.outputs.status).toBe('completed');
    expect(run.stdout).toMatch(/: processing\\n::error::PWNED\\n::stop-commands::pwned after .* \(poll \d\)/);
    expectNoInjectedCommands(run);
  });

  it('a task id with line breaks is never logged raw, polled or published; the failure says the job may be billed', async () => {
    emulator.plan('inject', { id: `task_1${INJECTION}` });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('inject.mp4') }));
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('answered with a task id that cannot be used safely ("task_1\\n::error::PWNED\\n::stop-commands::pwned"');
    expect(run.errors[0]).toContain('may have been created (and billed)');
    expect(run.errors[0]).toContain('reApi dashboard');
    expect(run.outputs['task-id']).toBeUndefined();
    expect(run.outputs['task-ids']).toBe('[]');
    expect(results(run)[0]).toMatchObject({ task_id: null, status: 'failed' });
    expect(emulator.apiRequests('poll')).toEqual([]);
    expectNoInjectedCommands(run);
  });

  it('a result URL with a line break is refused, not logged raw or output', async () => {
    emulator.plan('inject', { resultUrls: [`${emulator.cdnUrl}/media/x.mp4${INJECTION}`] });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('inject.mp4') }));
    expect(run.code).toBe(1);
    expect(run.errors[0]).toContain('holds a line break or another control character');
    expect(run.outputs['video-url']).toBeUndefined();
    expectNoInjectedCommands(run);
  });

  it('refuses a video-url item whose raw text holds a line break, before any request', async () => {
    const source = emulator.sourceUrl();
    const run = await runAction(inputs({ 'video-url': JSON.stringify([`${source}${INJECTION}`]), preflight: 'true' }));
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(
      /^Input 'video-url' holds a line break, tab or another control character \(got ".*\.mp4 ::error::PWNED ::stop-commands::pwned"\)/,
    );
    expect(emulator.requests).toEqual([]);
    expectNoInjectedCommands(run);
  });
});

describe('task ids from the server', () => {
  it.each(['..', '.'])('%s never moves a poll off /api/v1/tasks/', async (id) => {
    emulator.plan('dots', { id });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('dots.mp4') }));
    expect(run.code).toBe(1);
    expect(run.errors[0]).toContain(`task id that cannot be used safely ("${id}"`);
    expect(run.outputs['task-id']).toBeUndefined();
    expect(emulator.apiRequests('poll')).toEqual([]);
    expectDocumentedPaths();
  });

  it('an id the task-id input would refuse (a?b=c) is not published', async () => {
    emulator.plan('query', { id: 'a?b=c' });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('query.mp4') }));
    expect(run.code).toBe(1);
    expect(run.errors[0]).toContain('("a?b=c" is not 1 to 256 letters, digits');
    expect(run.outputs['task-id']).toBeUndefined();
    expect(run.outputs['task-ids']).toBe('[]');
    expect(emulator.apiRequests('poll')).toEqual([]);
  });

  it.each([
    ['task.v2:abc', 'task.v2%3Aabc'],
    [`task_${'x'.repeat(195)}`, `task_${'x'.repeat(195)}`],
  ])('%s is published, and the task-id input takes it back', async (id, segment) => {
    emulator.plan('odd', { id, never: true });
    const first = await runAction(inputs({ 'video-url': emulator.sourceUrl('odd.mp4'), wait: 'false' }));
    expect(first.code).toBe(0);
    expect(first.outputs['task-id']).toBe(id);
    expect(first.stdout).toContain(`task-id: ${id}`);

    emulator.tasks.get(id)!.plan = {};
    const resumed = await runAction(inputs({ 'task-id': first.outputs['task-id'] as string }));
    expect(resumed.errors).toEqual([]);
    expect(resumed.code).toBe(0);
    expect(resumed.outputs.status).toBe('completed');
    expect(emulator.apiRequests('submit')).toHaveLength(1);
    expect(emulator.apiRequests('poll').at(-1)?.path).toBe(`/api/v1/tasks/${segment}`);
    expectDocumentedPaths();
  });
});

describe('result URLs', () => {
  const bad: Array<[string, string, RegExp]> = [
    ['javascript', 'javascript:alert(1)', /uses the javascript: scheme/],
    ['file', 'file:///etc/passwd', /uses the file: scheme/],
    ['data', 'data:video/mp4;base64,AAAA', /uses the data: scheme/],
    ['ftp', 'ftp://cdn.example/x.mp4', /uses the ftp: scheme/],
    ['relative', '/media/x.mp4', /is not an absolute URL/],
    ['blank', ' ', /is blank/],
    ['empty', '', /is blank/],
  ];

  it('only absolute http(s) URLs are output; any other is a failed clip naming its task', async () => {
    const sources = bad.map(([name, url]) => {
      emulator.plan(`bad-${name}.`, { resultUrls: [url] });
      return emulator.sourceUrl(`bad-${name}.mp4`);
    });
    const run = await runAction(inputs({ 'video-url': sources.join('\n') }));
    expect(run.code).toBe(1);
    expect(run.outputs['video-url']).toBeUndefined();
    expect(run.outputs['video-urls']).toBeUndefined();
    const clips = results(run);
    bad.forEach(([, , reason], index) => {
      const clip = clips[index] as Result;
      expect(clip.status).toBe('failed');
      expect(clip.video_urls).toEqual([]);
      expect(clip.error).toContain(`Task ${clip.task_id} is completed but its result URL`);
      expect(clip.error).toMatch(reason);
    });
    expect(run.summary).not.toMatch(/\]\((javascript|file|data|ftp):/);
  });

  it('a bad result URL is not retried as a download', async () => {
    emulator.plan('bad', { resultUrls: ['ftp://127.0.0.1/x.mp4'] });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('bad.mp4'), download: 'true' }));
    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(/^Task task_\w+ is completed but its result URL "ftp:\/\/127\.0\.0\.1\/x\.mp4" uses the ftp: scheme/);
    expect(run.stdout).not.toMatch(/Retrying/);
    expect(run.outputs['video-path']).toBeUndefined();
  });
});

describe('Markdown in server text', () => {
  const HOSTILE = '[link](https://evil.example) <img src=x> <h1>big</h1> **bold** `tick` a|b';

  it("shows a failed task's message as plain text in the job summary", async () => {
    emulator.plan('md', { fail: { code: '80007', message: HOSTILE } });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('md.mp4') }));
    expect(run.code).toBe(1);
    for (const raw of ['[link](', '<img', '<h1>', '**bold**', '`tick`', 'a|b']) expect(run.summary).not.toContain(raw);
    expect(run.summary).toContain('\\[link\\]\\(https://evil.example\\) &lt;img src=x&gt; &lt;h1&gt;big&lt;/h1&gt; \\*\\*bold\\*\\* \\`tick\\` a\\|b');
  });

  it('escapes it in the batch summary too', async () => {
    emulator.plan('md', { fail: { code: '80007', message: HOSTILE } });
    const run = await runAction(inputs({ 'video-url': [emulator.sourceUrl('md.mp4'), emulator.sourceUrl('ok.mp4')].join('\n') }));
    expect(run.code).toBe(1);
    const errors = run.summary.slice(run.summary.indexOf('**Errors**'));
    for (const raw of ['[link](', '<img', '<h1>', '**bold**', '`tick`', 'a|b']) expect(errors).not.toContain(raw);
    expect(errors).toContain('\\[link\\]\\(https://evil.example\\)');
  });
});
