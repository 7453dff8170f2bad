/**
 * The S3 client against s3rver behind the SigV4-verifying front
 * (test/helpers/s3-server.ts): what it stores arrives byte for byte, a wrong
 * signature is refused (so a broken signer cannot pass), retries are bounded,
 * and an answer that echoes the secret never reaches an error message.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsV4Signer } from 'aws4fetch';
import { BUCKET_RETRY, S3Client } from '../../src/bucket/client';
import type { S3Settings } from '../../src/inputs/bucket';
import { BucketError } from '../../src/shared/errors';
import { redact, registerSecret } from '../../src/shared/redact';
import { S3_CREDENTIALS, S3TestServer } from '../helpers/s3-server';

const server = new S3TestServer(['results']);
const lines: string[] = [];
const log = { info: (line: string) => lines.push(line), warning: (line: string) => lines.push(line) } as never;

function client(credentials = S3_CREDENTIALS, region = server.region): S3Client {
  const settings: S3Settings = { endpoint: server.endpoint, region, credentials };
  return new S3Client({ settings, log, retry: { ...BUCKET_RETRY, baseMs: 20, capMs: 40 } });
}

const streamOf = (bytes: Buffer) => ({ stream: Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), length: bytes.length });

beforeAll(async () => {
  await server.start();
  registerSecret(S3_CREDENTIALS.secretAccessKey);
});
afterAll(() => server.stop());
beforeEach(() => {
  server.reset();
  lines.length = 0;
});

describe('S3Client', () => {
  it('stores a buffer and a stream byte for byte, under keys that need encoding, with their content type', async () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    const keys = ['out/clip-2x.mp4', 'out/a+b c (1).mp4', "out/été's*!.mp4"];
    for (const key of keys) await client().put({ bucket: 'results', key, contentType: 'video/mp4', open: () => streamOf(bytes) });
    await client().put({ bucket: 'results', key: 'marker', contentType: 'application/octet-stream', open: () => Buffer.alloc(0) });
    expect(await server.keys('results')).toEqual(['marker', ...keys].sort());
    for (const key of keys) {
      const stored = await server.object('results', key);
      expect(stored?.bytes.equals(bytes)).toBe(true);
      expect(stored?.contentType).toBe('video/mp4');
    }
    expect(server.requests.map((r) => [r.method, r.auth, r.status])).toEqual(Array(4).fill(['PUT', 'header', 200]));
    // Streams are sent unsigned (UNSIGNED-PAYLOAD) with their length; buffers with their hash.
    expect(server.requests[0]?.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(server.requests[0]?.headers['content-length']).toBe(String(bytes.length));
    expect(server.requests[3]?.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('deletes, and presigns a GET that works without credentials until it expires', async () => {
    const bytes = Buffer.from('staged video bytes');
    await client().put({ bucket: 'results', key: 'in/a+b.mp4', contentType: 'video/mp4', open: () => bytes });
    const url = await client().presignGet('results', 'in/a+b.mp4', 60);
    const signature = new URL(url).searchParams.get('X-Amz-Signature') ?? '';
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    // The signature is a bearer credential: the run's redactor knows it.
    expect(redact(`see ${url}`)).not.toContain(signature);
    const got = await fetch(url);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
    const tampered = url.replace(/X-Amz-Expires=60/, 'X-Amz-Expires=61');
    expect((await fetch(tampered)).status).toBe(403);
    const shortLived = await client().presignGet('results', 'in/a+b.mp4', 1);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await fetch(shortLived)).status).toBe(403);
    await expect(client().presignGet('results', 'x', 0)).rejects.toThrow(RangeError);
    await expect(client().presignGet('results', 'x', 604_801)).rejects.toThrow(RangeError);
    await client().delete('results', 'in/a+b.mp4');
    expect(await server.keys('results')).toEqual([]);
  });

  it('is refused with SignatureDoesNotMatch when the secret is wrong, without retrying', async () => {
    const wrong = { ...S3_CREDENTIALS, secretAccessKey: `${S3_CREDENTIALS.secretAccessKey}x` };
    const error = await client(wrong)
      .put({ bucket: 'results', key: 'k.mp4', contentType: 'video/mp4', open: () => Buffer.from('x') })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BucketError);
    expect((error as BucketError).status).toBe(403);
    expect((error as BucketError).code).toBe('SignatureDoesNotMatch');
    expect(server.requests).toHaveLength(1);
    expect(await server.keys('results')).toEqual([]);
    const presigned = await client(wrong).presignGet('results', 'k.mp4', 60);
    expect((await fetch(presigned)).status).toBe(403);
    // The wrong region signs a different scope: refused too.
    await expect(client(S3_CREDENTIALS, 'eu-west-1').delete('results', 'k.mp4')).rejects.toThrow(BucketError);
  });

  it('has a verifier that refuses what a broken signer would send', async () => {
    const url = `${server.endpoint}/results/a%2Bb.mp4`;
    const sign = (signUrl: string) =>
      new AwsV4Signer({
        method: 'PUT',
        url: signUrl,
        headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        ...S3_CREDENTIALS,
        service: 's3',
        region: server.region,
      }).sign();
    const put = async (sendUrl: string, signed: Awaited<ReturnType<typeof sign>>) =>
      (await fetch(sendUrl, { method: 'PUT', headers: signed.headers, body: 'x' })).status;
    expect(await put(url, await sign(url))).toBe(200);
    // Signed for one key, sent to another (a raw + where %2B was signed): refused.
    expect(await put(`${server.endpoint}/results/a+b.mp4`, await sign(url))).toBe(403);
    // No signature at all: refused.
    expect((await fetch(url, { method: 'PUT', body: 'x' })).status).toBe(403);
  });

  it('sends the session token, and is refused without the one the store expects', async () => {
    server.credentials = { ...S3_CREDENTIALS, sessionToken: 'session-token-abc' };
    await expect(client().put({ bucket: 'results', key: 'k', contentType: 'video/mp4', open: () => Buffer.from('x') })).rejects.toMatchObject({
      code: 'InvalidToken',
    });
    await client(server.credentials).put({ bucket: 'results', key: 'k', contentType: 'video/mp4', open: () => Buffer.from('x') });
    expect(server.requests.at(-1)?.headers['x-amz-security-token']).toBe('session-token-abc');
    const url = await client(server.credentials).presignGet('results', 'k', 60);
    expect(new URL(url).searchParams.get('X-Amz-Security-Token')).toBe('session-token-abc');
    expect((await fetch(url)).status).toBe(200);
  });

  it('retries a 503 and a reset mid-body, restarting the body, and gives up after its tries', async () => {
    const bytes = Buffer.alloc(300_000, 7);
    let opened = 0;
    const open = () => {
      opened++;
      return streamOf(bytes);
    };
    server.fault({ kind: 'status', status: 503, code: 'SlowDown', times: 1 });
    server.fault({ kind: 'reset', afterBytes: 100_000, times: 1 });
    await client().put({ bucket: 'results', key: 'big.mp4', contentType: 'video/mp4', open });
    expect(opened).toBe(3);
    expect((await server.object('results', 'big.mp4'))?.bytes.equals(bytes)).toBe(true);
    expect(lines.filter((line) => line.includes('trying again'))).toHaveLength(2);

    server.fault({ kind: 'status', status: 500, code: 'InternalError', times: 10 });
    const error = await client()
      .put({ bucket: 'results', key: 'big.mp4', contentType: 'video/mp4', open: () => Buffer.from('x') })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 500, code: 'InternalError' });
    expect(server.requests.filter((r) => r.code === 'InternalError')).toHaveLength(BUCKET_RETRY.maxAttempts);
  });

  it('never lets a secret echoed by the store into its error', async () => {
    server.fault({ kind: 'echo-secret', status: 403, times: 1 });
    const error = await client()
      .put({ bucket: 'results', key: 'k', contentType: 'video/mp4', open: () => Buffer.from('x') })
      .catch((e: unknown) => e as Error);
    expect((error as Error).message).toContain('InternalError');
    const secret = S3_CREDENTIALS.secretAccessKey;
    for (const spelling of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
      expect((error as Error).message).not.toContain(spelling);
    }
  });
});
