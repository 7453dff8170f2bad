/**
 * An S3-compatible store on loopback for the bucket tests: s3rver (in process,
 * a temp directory) behind a front that does what s3rver does not, checking
 * every request's SigV4 signature (header-signed and presigned) with
 * @smithy/signature-v4, an independent implementation, and answering
 * 403 SignatureDoesNotMatch when it is wrong. s3rver itself accepts any
 * signature (and only the access key S3RVER), so the front forwards verified
 * requests to it unsigned. The front also keeps a log of every request and has
 * fault knobs: 5xx answers, a reset mid-body, an error that echoes the secret,
 * refused writes.
 */
import { createHash, createHmac } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import S3rver from 's3rver';

export interface S3TestCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The test account's credentials: the secret holds characters that need URL and JSON escaping, as real secrets can (`+`, `/`). */
export const S3_CREDENTIALS: S3TestCredentials = {
  accessKeyId: 'AKIATESTBUCKETKEY01',
  secretAccessKey: 'tEsT+sEcReT/kEy"9fH3x2vQpL7mNbZ',
};

export const S3_REGION = 'us-test-1';

/** One request as the front received it. */
export interface S3LogEntry {
  method: string;
  /** The raw path, as sent (encoded). */
  path: string;
  /** The raw URL (path and query), as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** How it was authorised: header, presigned, or not at all. */
  auth: 'header' | 'presigned' | 'none';
  /** The status the front answered (0 when the connection was cut). */
  status: number;
  /** S3's error code when it refused. */
  code?: string;
  /** Body bytes received. */
  bodyBytes: number;
}

export type S3Fault =
  /** The next `times` requests (of `method`, when given) get `status` with `code`. */
  | { kind: 'status'; status: number; code: string; times: number; method?: string; match?: string }
  /** The next `times` PUTs have their connection destroyed after `afterBytes` of body. */
  | { kind: 'reset'; afterBytes: number; times: number; match?: string }
  /** The next `times` requests get `status` with an error whose message echoes the secret key in three spellings. */
  | { kind: 'echo-secret'; status: number; times: number; match?: string }
  /** PUTs (and DELETEs when `deletes`) are refused with 403 AccessDenied until reset. */
  | { kind: 'refuse-writes'; deletes?: boolean; puts?: boolean };

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

const AUTH_QUERY = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token'];

function s3ErrorXml(code: string, message: string): string {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escape(code)}</Code><Message>${escape(message)}</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>`;
}

/** `20261203T061500Z` as a Date. */
function amzDate(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
}

export class S3TestServer {
  /** Every request the front received, in order. */
  readonly requests: S3LogEntry[] = [];
  /** The credentials the front accepts; change them to test refusals. */
  credentials: S3TestCredentials = { ...S3_CREDENTIALS };
  region = S3_REGION;
  private faults: S3Fault[] = [];
  private s3rver?: S3rver;
  private backend = '';
  private front?: Server;
  private directory = '';

  constructor(private readonly buckets: readonly string[] = ['results', 'staging']) {}

  /** The endpoint to give the action (`s3-endpoint`). */
  endpoint = '';

  async start(): Promise<this> {
    this.directory = await mkdtemp(join(tmpdir(), 'reapi-s3-'));
    this.s3rver = new S3rver({
      port: 0,
      address: '127.0.0.1',
      directory: this.directory,
      silent: true,
      configureBuckets: this.buckets.map((name) => ({ name })),
    });
    const { port } = await this.s3rver.run();
    this.backend = `http://127.0.0.1:${port}`;
    this.front = createServer((req, res) => void this.handle(req, res));
    this.front.listen(0, '127.0.0.1');
    await once(this.front, 'listening');
    this.endpoint = `http://127.0.0.1:${(this.front.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.front?.closeAllConnections();
    await new Promise<void>((resolve) => (this.front ? this.front.close(() => resolve()) : resolve()));
    // Connections a cut request left open would hold close() forever.
    this.s3rver?.httpServer?.closeAllConnections();
    await this.s3rver?.close();
    await rm(this.directory, { recursive: true, force: true });
  }

  /** Forgets the log and the faults, restores the credentials and empties the buckets (synchronous: useActionFixture does not wait). */
  reset(): void {
    this.requests.length = 0;
    this.faults = [];
    this.credentials = { ...S3_CREDENTIALS };
    this.region = S3_REGION;
    if (!this.s3rver) return;
    this.s3rver.reset();
    // s3rver keeps a bucket as a directory of its own.
    for (const name of this.buckets) mkdirSync(join(this.directory, name), { recursive: true });
  }

  fault(fault: S3Fault): void {
    this.faults.push(fault);
  }

  /** The environment the action reads its credentials from. */
  env(credentials: S3TestCredentials = this.credentials): Record<string, string> {
    return {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    };
  }

  /** An object's bytes as stored (read from s3rver directly, unsigned), or undefined. */
  async object(bucket: string, key: string): Promise<{ bytes: Buffer; contentType: string } | undefined> {
    const path = `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
    const res = await fetch(`${this.backend}${path}`);
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`s3rver answered ${res.status} for ${path}`);
    return { bytes: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type') ?? '' };
  }

  /** The keys in a bucket, sorted. */
  async keys(bucket: string): Promise<string[]> {
    const { objects } = await this.s3rver!.store.listObjects(bucket, { maxKeys: 1000 });
    return objects.map((object) => object.key).sort();
  }

  /** Requests that carried `text` anywhere in their URL or headers. */
  requestsHolding(text: string): S3LogEntry[] {
    return this.requests.filter((entry) => entry.url.includes(text) || JSON.stringify(entry.headers).includes(text));
  }

  /** The fault for this request, if any (a `match` fault only for paths that contain its text). */
  private takeFault(method: string, path: string): S3Fault | undefined {
    const index = this.faults.findIndex((fault) => {
      if ('match' in fault && fault.match !== undefined && !decodeURIComponent(path).includes(fault.match)) return false;
      if (fault.kind === 'status') return !fault.method || fault.method === method;
      if (fault.kind === 'reset') return method === 'PUT';
      return true;
    });
    if (index < 0) return undefined;
    const fault = this.faults[index] as S3Fault;
    if (fault.kind === 'refuse-writes') {
      const refused = (method === 'PUT' && fault.puts !== false) || (method === 'DELETE' && fault.deletes === true);
      return refused ? fault : undefined;
    }
    fault.times -= 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://front');
    const entry: S3LogEntry = {
      method: req.method ?? '',
      path: (req.url ?? '/').split('?')[0] as string,
      url: req.url ?? '/',
      headers: { ...req.headers },
      auth: req.headers.authorization ? 'header' : url.searchParams.has('X-Amz-Signature') ? 'presigned' : 'none',
      status: 0,
      bodyBytes: 0,
    };
    this.requests.push(entry);
    // Counted only once the body is being read: a 'data' listener now would start the flow before anyone reads it.
    const count = () => req.on('data', (chunk: Buffer) => (entry.bodyBytes += chunk.length));
    const refuse = (status: number, code: string, message: string) => {
      entry.status = status;
      entry.code = code;
      count();
      req.resume();
      res.writeHead(status, { 'content-type': 'application/xml', connection: 'close' });
      res.end(s3ErrorXml(code, message));
    };
    const problem = await this.verify(req, url, entry.auth);
    if (problem) return refuse(403, problem.code, problem.message);
    if (req.method === 'PUT' && req.headers['content-length'] === undefined)
      return refuse(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');

    const fault = this.takeFault(req.method ?? '', entry.path);
    if (fault?.kind === 'status') return refuse(fault.status, fault.code, 'Please reduce your request rate.');
    if (fault?.kind === 'refuse-writes') return refuse(403, 'AccessDenied', 'Access Denied');
    if (fault?.kind === 'echo-secret') {
      const secret = this.credentials.secretAccessKey;
      return refuse(fault.status, 'InternalError', `We saw ${secret} and ${encodeURIComponent(secret)} and ${JSON.stringify(secret).slice(1, -1)}.`);
    }
    if (fault?.kind === 'reset') {
      let seen = 0;
      count();
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen >= fault.afterBytes) req.socket.destroy();
      });
      return;
    }

    let body: Buffer | undefined;
    const payloadHash = req.headers['x-amz-content-sha256'];
    if (entry.auth === 'header' && typeof payloadHash === 'string' && payloadHash !== 'UNSIGNED-PAYLOAD') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      body = Buffer.concat(chunks);
      entry.bodyBytes = body.length;
      if (createHash('sha256').update(body).digest('hex') !== payloadHash) {
        return refuse(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
      }
    }
    this.forward(req, res, url, entry, body);
  }

  /** Passes a verified request to s3rver without its signature (s3rver would refuse an access key other than its own). */
  private forward(req: IncomingMessage, res: ServerResponse, url: URL, entry: S3LogEntry, body?: Buffer): void {
    for (const name of AUTH_QUERY) url.searchParams.delete(name);
    const headers = { ...req.headers };
    for (const name of Object.keys(headers)) if (name === 'authorization' || name.startsWith('x-amz-')) delete headers[name];
    const backend = httpRequest(`${this.backend}${entry.path}${url.search}`, { method: req.method, headers }, (answer) => {
      entry.status = answer.statusCode ?? 0;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    backend.on('error', () => res.destroy());
    // A client that goes away mid-body (a reset) must not leave s3rver waiting for the rest.
    req.on('close', () => {
      if (!req.complete) backend.destroy();
    });
    if (body) backend.end(body);
    else {
      req.on('data', (chunk: Buffer) => (entry.bodyBytes += chunk.length));
      req.pipe(backend);
    }
  }

  /** Why the request's signature is not acceptable, or undefined when it is. */
  private async verify(req: IncomingMessage, url: URL, auth: S3LogEntry['auth']): Promise<{ code: string; message: string } | undefined> {
    if (auth === 'none') return { code: 'AccessDenied', message: 'Anonymous access is not allowed.' };
    const { accessKeyId, secretAccessKey, sessionToken } = this.credentials;
    const mismatch = { code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided.' };
    const signer = new SignatureV4({
      credentials: { accessKeyId, secretAccessKey, sessionToken },
      region: this.region,
      service: 's3',
      sha256: Sha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
    const path = (req.url ?? '/').split('?')[0] as string;
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) if (!AUTH_QUERY.includes(name)) query[name] = value;
    const [hostname, port] = (req.headers.host ?? '').split(':');

    if (auth === 'presigned') {
      const params = url.searchParams;
      const credential = params.get('X-Amz-Credential') ?? '';
      const [keyId, day, region, service] = credential.split('/');
      if (keyId !== accessKeyId) return { code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
      if (sessionToken && params.get('X-Amz-Security-Token') !== sessionToken)
        return { code: 'InvalidToken', message: 'The provided token is malformed or otherwise invalid.' };
      const date = amzDate(params.get('X-Amz-Date') ?? '');
      const expires = Number(params.get('X-Amz-Expires'));
      if (!date || !day || region !== this.region || service !== 's3' || !(expires >= 1 && expires <= 604800)) return mismatch;
      if (Date.now() > date.getTime() + expires * 1000) return { code: 'AccessDenied', message: 'Request has expired' };
      const signedHeaders = (params.get('X-Amz-SignedHeaders') ?? '').split(';');
      // A presigned URL signs no payload: UNSIGNED-PAYLOAD, passed as a header that is neither signed nor hoisted into the query.
      const headers = {
        ...Object.fromEntries(signedHeaders.map((name) => [name, String(req.headers[name] ?? '')])),
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      };
      const payload = new Set(['x-amz-content-sha256']);
      const expected = await signer.presign(
        { method: req.method ?? 'GET', protocol: 'http:', hostname: hostname ?? '', port: Number(port), path, query, headers },
        { signingDate: date, expiresIn: expires, signableHeaders: new Set(signedHeaders), unsignableHeaders: payload, unhoistableHeaders: payload },
      );
      return expected.query?.['X-Amz-Signature'] === params.get('X-Amz-Signature') ? undefined : mismatch;
    }

    const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      String(req.headers.authorization),
    );
    if (!match) return { code: 'AuthorizationHeaderMalformed', message: 'The authorization header is malformed.' };
    const [, keyId, , region, signedHeaderList, signature] = match as unknown as string[];
    if (keyId !== accessKeyId) return { code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
    if (region !== this.region) return { code: 'AuthorizationHeaderMalformed', message: `The region '${region}' is wrong; expecting '${this.region}'.` };
    if (sessionToken && req.headers['x-amz-security-token'] !== sessionToken)
      return { code: 'InvalidToken', message: 'The provided token is malformed or otherwise invalid.' };
    const date = amzDate(String(req.headers['x-amz-date']));
    if (!date) return { code: 'AccessDenied', message: 'AWS authentication requires a valid Date or x-amz-date header.' };
    if (Math.abs(Date.now() - date.getTime()) > 15 * 60_000)
      return { code: 'RequestTimeTooSkewed', message: 'The difference between the request time and the current time is too large.' };
    const signedHeaders = (signedHeaderList as string).split(';');
    if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-content-sha256')) return mismatch;
    const headers = Object.fromEntries(signedHeaders.map((name) => [name, String(req.headers[name] ?? '')]));
    const expected = await signer.sign(
      { method: req.method ?? 'GET', protocol: 'http:', hostname: hostname ?? '', port: Number(port), path, query, headers },
      { signingDate: date, signableHeaders: new Set(signedHeaders) },
    );
    const expectedSignature = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))?.[1];
    return expectedSignature === signature ? undefined : mismatch;
  }
}
