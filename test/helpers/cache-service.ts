/**
 * A stand-in for the GitHub Actions cache service (v2) that `@actions/cache`
 * 6 talks to, on 127.0.0.1:
 *
 * - Twirp JSON at ACTIONS_RESULTS_URL:
 *   `github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL`,
 *   `CreateCacheEntry` and `FinalizeCacheEntryUpload`;
 * - the archives as blobs on Azurite, reached through SAS URLs, as on GitHub.
 *
 * Lookup follows the service: entries are matched on `version` (the client's
 * hash of the path strings and compression), then by exact key, then by key
 * prefix (newest first), then by each restore key as a prefix. Entries are
 * immutable: creating an existing key and version is refused.
 *
 * Knobs (`mode`): 'down' (the port refuses connections), 'hang' (requests are
 * accepted and never answered), 'rate-limit' (CreateCacheEntry answers 429),
 * 'read-only' (CreateCacheEntry refused as for untrusted triggers).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ContainerClient } from '@azure/storage-blob';
import { runtimeToken } from './artifact-service';
import { AzuriteContainer } from './azurite';
import { readBody } from './read-body';

const SERVICE = '/twirp/github.actions.results.api.v1.CacheService/';
const CONTAINER = 'actions-cache';

export type CacheServiceMode = 'ok' | 'down' | 'hang' | 'rate-limit' | 'read-only';
export type CacheMethod = 'GetCacheEntryDownloadURL' | 'CreateCacheEntry' | 'FinalizeCacheEntryUpload';

export interface CacheCall {
  method: string;
  authorization?: string;
  body: Record<string, unknown>;
}

export interface CacheEntry {
  id: number;
  key: string;
  version: string;
  blobName: string;
  sizeBytes?: number;
  finalized: boolean;
  createdAt: number;
  /** Date.now() when the upload was finalised: from then on the entry is durable (restorable). */
  finalizedAt?: number;
}

export class CacheService {
  readonly calls: CacheCall[] = [];
  readonly entries: CacheEntry[] = [];
  mode: CacheServiceMode = 'ok';
  /** Retry-After seconds sent with 429 answers in 'rate-limit' mode (none when undefined). */
  retryAfterSeconds?: number;
  resultsUrl = '';

  private readonly azurite: AzuriteContainer;
  /** Set when the Azurite is another's (shared by services that run side by side): not stopped with this service. */
  private readonly sharedAzurite: boolean;
  /** Blob names of this service, apart from those of other services on the same Azurite. */
  private readonly blobPrefix = `entries-${Math.random().toString(36).slice(2, 10)}`;
  private container?: ContainerClient;
  private server: Server;
  private port = 0;
  private readonly sockets = new Set<Socket>();
  private nextId = 7000;

  /** `azurite`: a started container to share (tests that each want their own service, running concurrently). */
  constructor(azurite?: AzuriteContainer) {
    this.azurite = azurite ?? new AzuriteContainer(CONTAINER);
    this.sharedAzurite = azurite !== undefined;
    this.server = this.createServer();
  }

  async start(): Promise<this> {
    this.container = this.sharedAzurite ? (this.azurite.container as ContainerClient) : await this.azurite.start();
    await this.listen();
    this.resultsUrl = `http://127.0.0.1:${this.port}/`;
    return this;
  }

  async stop(): Promise<void> {
    await this.close();
    if (!this.sharedAzurite) await this.azurite.stop();
  }

  /** Sets a knob. 'down' closes the port (connections are refused); leaving 'down' listens on the same port again. */
  async setMode(mode: CacheServiceMode): Promise<void> {
    const wasDown = this.mode === 'down';
    this.mode = mode;
    if (mode === 'down' && !wasDown) await this.close();
    if (mode !== 'down' && wasDown) {
      this.server = this.createServer();
      await this.listen();
    }
  }

  reset(): void {
    this.calls.length = 0;
    this.retryAfterSeconds = undefined;
  }

  /** Drops every entry (the blobs stay on Azurite, unreachable). */
  clear(): void {
    this.entries.length = 0;
  }

  /** What a runner on github.com provides to a JavaScript action for the cache (v2). */
  env(): Record<string, string> {
    return {
      ACTIONS_RUNTIME_TOKEN: runtimeToken(),
      ACTIONS_RESULTS_URL: this.resultsUrl,
      ACTIONS_CACHE_SERVICE_V2: 'True',
      GITHUB_SERVER_URL: 'https://github.com',
    };
  }

  /** The archive an entry's blob holds, as @actions/cache uploaded it. */
  async blobBytes(blobName: string): Promise<Buffer> {
    return (this.container as ContainerClient).getBlockBlobClient(blobName).downloadToBuffer();
  }

  callsTo(method: CacheMethod): CacheCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  private createServer(): Server {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  private async listen(): Promise<void> {
    this.server.listen(this.port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }

  private async close(): Promise<void> {
    if (!this.server.listening) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** The entry a lookup finds, as the service matches: exact key, then key prefix, then restore-key prefixes; newest first. */
  private find(key: string, restoreKeys: string[], version: string): CacheEntry | undefined {
    const candidates = this.entries.filter((entry) => entry.finalized && entry.version === version).sort((a, b) => b.createdAt - a.createdAt);
    const exact = candidates.find((entry) => entry.key === key);
    if (exact) return exact;
    for (const prefix of [key, ...restoreKeys]) {
      const match = candidates.find((entry) => entry.key.startsWith(prefix));
      if (match) return match;
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const path = req.url ?? '';
    const method = path.startsWith(SERVICE) ? path.slice(SERVICE.length) : '';
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return this.twirpError(res, 400, 'malformed', 'body is not JSON');
    }
    this.calls.push({ method, authorization: req.headers.authorization, body });
    if (this.mode === 'hang') return; // never answered; the socket is destroyed on stop
    if (req.headers.authorization !== `Bearer ${runtimeToken()}`) return this.twirpError(res, 401, 'unauthenticated', 'bad runtime token');
    const key = typeof body.key === 'string' ? body.key : '';
    const version = typeof body.version === 'string' ? body.version : '';
    if (!key || !version) return this.twirpError(res, 400, 'invalid_argument', 'key and version are required');
    try {
      if (method === 'GetCacheEntryDownloadURL') {
        const restoreKeys = Array.isArray(body.restore_keys) ? body.restore_keys.map(String) : [];
        const entry = this.find(key, restoreKeys, version);
        if (!entry) return this.json(res, { ok: false, signed_download_url: '', matched_key: '' });
        return this.json(res, { ok: true, signed_download_url: this.azurite.signedUrl(entry.blobName, 'r'), matched_key: entry.key });
      }
      if (method === 'CreateCacheEntry') {
        if (this.mode === 'rate-limit') {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (this.retryAfterSeconds !== undefined) headers['retry-after'] = String(this.retryAfterSeconds);
          res.writeHead(429, headers);
          res.end(JSON.stringify({ code: 'resource_exhausted', msg: 'cache upload rate limit exceeded' }));
          return;
        }
        if (this.mode === 'read-only') {
          return this.json(res, { ok: false, signed_upload_url: '', message: 'cache write denied: the token for this run can only read the cache' });
        }
        if (this.entries.some((entry) => entry.key === key && entry.version === version)) {
          return this.twirpError(res, 409, 'already_exists', 'cache entry with the same key, version, and scope already exists');
        }
        const id = this.nextId++;
        const blobName = `${this.blobPrefix}/${id}`;
        this.entries.push({ id, key, version, blobName, finalized: false, createdAt: Date.now() + id / 1e6 });
        return this.json(res, { ok: true, signed_upload_url: this.azurite.signedUrl(blobName, 'cw') });
      }
      if (method === 'FinalizeCacheEntryUpload') {
        const entry = this.entries.find((e) => e.key === key && e.version === version && !e.finalized);
        if (!entry) return this.twirpError(res, 404, 'not_found', 'no cache entry is being uploaded with this key and version');
        const properties = await (this.container as ContainerClient).getBlockBlobClient(entry.blobName).getProperties();
        if (String(properties.contentLength) !== String(body.size_bytes)) {
          return this.twirpError(res, 400, 'invalid_argument', `size ${String(body.size_bytes)} does not match the blob (${properties.contentLength})`);
        }
        entry.finalized = true;
        entry.finalizedAt = Date.now();
        entry.sizeBytes = Number(body.size_bytes);
        return this.json(res, { ok: true, entry_id: String(entry.id) });
      }
    } catch (error) {
      return this.twirpError(res, 500, 'internal', String(error));
    }
    this.twirpError(res, 404, 'bad_route', `no method ${method}`);
  }

  private json(res: ServerResponse, body: unknown): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private twirpError(res: ServerResponse, status: number, code: string, msg: string): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code, msg }));
  }
}
