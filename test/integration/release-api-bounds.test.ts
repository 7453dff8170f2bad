/**
 * The fetch every GitHub API call goes through (apiOnlyFetch), against a
 * loopback server: a request that never gets its answer ends at the call's own
 * time bound, and an answer that echoes a secret is scrubbed as it is read,
 * before Octokit or a message sees it.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { apiOnlyFetch } from '../../src/release/upload';
import { ReleaseError } from '../../src/shared/errors';
import { registerSecret } from '../../src/shared/redact';

const TOKEN = 'ghs_EchoedByTheApi0123456789abcdefABCD';
registerSecret(TOKEN);

let server: Server;
let origin: string;
const dispatcher = new Agent();
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    if (req.url === '/slow-body') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      return; // the rest never comes
    }
    if (req.url === '/empty') return void res.writeHead(204).end();
    res.writeHead(422, { 'content-type': 'application/json', link: '<x>; rel="next"' });
    res.end(JSON.stringify({ message: `Bad ${TOKEN}`, errors: [{ code: TOKEN }] }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await dispatcher.close();
});

describe('apiOnlyFetch', () => {
  it('gives up on a request with no answer at its own bound, as a transient ReleaseError', async () => {
    const fetch = apiOnlyFetch(origin, dispatcher, 300);
    for (const path of ['/hang', '/slow-body']) {
      const started = Date.now();
      const failure = await fetch(`${origin}${path}`).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(Date.now() - started).toBeLessThan(5000);
      expect(failure).toBeInstanceOf(ReleaseError);
      expect((failure as ReleaseError).message).toBe(`GitHub's API did not answer GET ${path} within 0.3 s.`);
      expect((failure as ReleaseError).transient).toBe(true);
    }
  });

  it('a cancelled step stays a cancellation, not a timeout', async () => {
    const controller = new AbortController();
    const pending = apiOnlyFetch(origin, dispatcher, 60_000)(`${origin}/hang`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const failure = await pending.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).not.toBeInstanceOf(ReleaseError);
    expect((failure as Error).name).toBe('AbortError');
  });

  it('scrubs the answer as it is read, keeping status and headers', async () => {
    const response = await apiOnlyFetch(origin, dispatcher)(`${origin}/echo`);
    expect(response.status).toBe(422);
    expect(response.url).toBe(`${origin}/echo`);
    expect(response.headers.get('link')).toBe('<x>; rel="next"');
    const text = await response.text();
    expect(text).not.toContain(TOKEN);
    expect(JSON.parse(text)).toEqual({ message: 'Bad ***', errors: [{ code: '***' }] });
    expect((await apiOnlyFetch(origin, dispatcher)(`${origin}/empty`)).status).toBe(204);
  });
});
