/**
 * A local fake of the parts of the GitHub REST API that release delivery
 * uses, on 127.0.0.1: releases (published, draft, immutable) and their
 * assets, with an upload host on a second origin taken from `upload_url`
 * (or, with `layout: 'ghes'`, on the API's own origin under /api/uploads, as
 * GitHub Enterprise Server serves it).
 *
 * It records every request (with its origin and headers) and an event log of
 * asset changes, each with the names present after it, so a test can check
 * when a name was missing and what happened meanwhile. Faults are queued per
 * route with `fail()`.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Route = 'lookup' | 'list' | 'release' | 'assets' | 'upload' | 'rename' | 'delete';

export interface FakeFault {
  /** Answer with this status (and a GitHub-shaped error body). */
  status?: number;
  /** `errors[0].code` of the error body, e.g. `already_exists`. */
  code?: string;
  message?: string;
  retryAfter?: string;
  /** Upload: create the asset, read the whole body, leave the asset in state `starter`, then answer `status` (502 by default). */
  leaveStarter?: boolean;
  /** Upload: create the asset, then destroy the connection once this many bytes have arrived (the asset stays `starter`). */
  resetAfterBytes?: number;
  /** Upload: create the asset, then stop reading once this many bytes have arrived and never answer. */
  stallAfterBytes?: number;
  /** Answer 307 with this Location. */
  redirectTo?: string;
  /** Runs when the fault is applied (e.g. another job's asset appearing at that moment). */
  then?: () => void;
}

export interface FakeAsset {
  id: number;
  name: string;
  state: 'starter' | 'open' | 'uploaded';
  size: number;
  digest: string | null;
  contentType: string;
  /** The bytes, when kept (`keepData`). */
  data?: Buffer;
}

export interface FakeRelease {
  id: number;
  tag: string;
  draft: boolean;
  immutable: boolean;
  assets: FakeAsset[];
  /** Overrides the upload_url the API hands out. */
  uploadUrl?: string;
}

export interface RecordedRequest {
  origin: 'api' | 'uploads';
  method: string;
  /** Path and query as received. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  at: number;
}

export interface FakeEvent {
  seq: number;
  kind: 'seed' | 'upload-request' | 'create' | 'uploaded' | 'upload-failed' | 'delete' | 'rename';
  releaseId: number;
  assetId?: number;
  name: string;
  /** Rename: the old name. */
  from?: string;
  /** Names of the release's assets in state `uploaded` after this event. */
  names: string[];
}

/** One stretch during which a name had no uploaded asset, and every event in between. */
export interface NameGap {
  opened: FakeEvent;
  closed?: FakeEvent;
  between: FakeEvent[];
}

export interface FakeGitHubOptions {
  layout?: 'github.com' | 'ghes';
  owner?: string;
  repo?: string;
  token?: string;
}

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

export class FakeGitHub {
  readonly owner: string;
  readonly repo: string;
  token: string;
  /** The token may read but not write: 403 on uploads, renames and deletes; drafts are not listed. */
  readOnly = false;
  /** Keep uploaded bytes (off for large uploads: only size and digest are kept). */
  keepData = true;
  /** Largest page the list endpoints hand out, whatever `per_page` asks. */
  maxPerPage = 100;
  /** A broken Link header: every list page names itself as `rel="next"` (a list that never ends). */
  selfLinkedPages = false;
  readonly requests: RecordedRequest[] = [];
  readonly events: FakeEvent[] = [];
  readonly releases: FakeRelease[] = [];
  apiUrl = '';
  uploadBase = '';

  private readonly layout: 'github.com' | 'ghes';
  private readonly faults: Array<{ route: Route; fault: FakeFault; times: number }> = [];
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private nextId = 1000;
  private seq = 0;

  constructor(options: FakeGitHubOptions = {}) {
    this.layout = options.layout ?? 'github.com';
    this.owner = options.owner ?? 'octo-org';
    this.repo = options.repo ?? 'video-pipeline';
    this.token = options.token ?? 'ghs_faketoken0123456789abcdefABCDEF';
  }

  async start(): Promise<this> {
    const api = await this.listen((req, res) => this.route(req, res));
    if (this.layout === 'ghes') {
      this.apiUrl = `${api}/api/v3`;
      this.uploadBase = `${api}/api/uploads`;
    } else {
      this.apiUrl = api;
      this.uploadBase = await this.listen((req, res) => void this.upload(req, res, '/'));
    }
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }

  reset(): void {
    this.requests.length = 0;
    this.events.length = 0;
    this.releases.length = 0;
    this.faults.length = 0;
    this.readOnly = false;
    this.keepData = true;
    this.maxPerPage = 100;
    this.selfLinkedPages = false;
  }

  /** Environment a runner gives an action, pointed at this fake (as on GitHub Enterprise Server). */
  env(): Record<string, string> {
    return { GITHUB_API_URL: this.apiUrl, GITHUB_REPOSITORY: `${this.owner}/${this.repo}` };
  }

  addRelease(tag: string, options: { draft?: boolean; immutable?: boolean; uploadUrl?: string } = {}): FakeRelease {
    const release: FakeRelease = {
      id: this.nextId++,
      tag,
      draft: options.draft ?? false,
      immutable: options.immutable ?? false,
      assets: [],
      uploadUrl: options.uploadUrl,
    };
    this.releases.push(release);
    return release;
  }

  /** An asset already in the release; `digest: null` as on uploads older than June 2025. */
  addAsset(release: FakeRelease, name: string, data: Buffer, options: { digest?: string | null; state?: FakeAsset['state'] } = {}): FakeAsset {
    const asset: FakeAsset = {
      id: this.nextId++,
      name,
      state: options.state ?? 'uploaded',
      size: data.length,
      digest: options.digest === undefined ? sha256Digest(data) : options.digest,
      contentType: 'video/mp4',
      data,
    };
    release.assets.push(asset);
    this.event('seed', release, name, asset.id);
    return asset;
  }

  /** Queues a fault for the next `times` requests of a route. */
  fail(route: Route, fault: FakeFault, times = 1): void {
    this.faults.push({ route, fault, times });
  }

  requestsTo(origin: RecordedRequest['origin'], method?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.origin === origin && (!method || r.method === method));
  }

  /** Each stretch in which `name` had no uploaded asset after having one. */
  gaps(release: FakeRelease, name: string): NameGap[] {
    const gaps: NameGap[] = [];
    let present = false;
    let open: NameGap | undefined;
    for (const event of this.events.filter((e) => e.releaseId === release.id)) {
      const now = event.names.includes(name);
      if (open && !now) open.between.push(event);
      if (present && !now) open = { opened: event, between: [] };
      if (!present && now && open) {
        open.closed = event;
        gaps.push(open);
        open = undefined;
      }
      present = now;
    }
    if (open) gaps.push(open);
    return gaps;
  }

  private async listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
    const server = createServer(handler);
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    this.servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private takeFault(route: Route): FakeFault | undefined {
    const index = this.faults.findIndex((f) => f.route === route);
    if (index < 0) return undefined;
    const entry = this.faults[index]!;
    if (--entry.times <= 0) this.faults.splice(index, 1);
    entry.fault.then?.();
    return entry.fault;
  }

  private record(req: IncomingMessage, origin: RecordedRequest['origin']): void {
    this.requests.push({ origin, method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, at: Date.now() });
  }

  private event(kind: FakeEvent['kind'], release: FakeRelease, name: string, assetId?: number, from?: string): void {
    const names = release.assets.filter((a) => a.state === 'uploaded').map((a) => a.name);
    this.events.push({ seq: ++this.seq, kind, releaseId: release.id, assetId, name, from, names });
  }

  private authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    return header === `token ${this.token}` || header === `Bearer ${this.token}`;
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (this.layout === 'ghes' && url.pathname.startsWith('/api/uploads/')) return void this.upload(req, res, '/api/uploads/');
    this.record(req, 'api');
    const prefix = this.layout === 'ghes' ? '/api/v3' : '';
    if (!url.pathname.startsWith(`${prefix}/`)) return this.error(res, 404, 'Not Found');
    const path = url.pathname.slice(prefix.length);
    if (!this.authorized(req)) return this.error(res, 401, 'Bad credentials');
    const base = `/repos/${this.owner}/${this.repo}/releases`;
    if (!path.startsWith(base)) return this.error(res, 404, 'Not Found');
    const rest = path.slice(base.length);
    let match: RegExpExecArray | null;
    if (req.method === 'GET' && (match = /^\/tags\/(.+)$/.exec(rest))) return this.getByTag(res, decodeURIComponent(match[1]!));
    if (req.method === 'GET' && rest === '') return this.list(req, res, url);
    if (req.method === 'GET' && (match = /^\/(\d+)$/.exec(rest))) return this.getRelease(res, Number(match[1]));
    if (req.method === 'GET' && (match = /^\/(\d+)\/assets$/.exec(rest))) return this.listAssets(res, url, Number(match[1]));
    if ((match = /^\/assets\/(\d+)$/.exec(rest)) && (req.method === 'PATCH' || req.method === 'DELETE')) {
      const id = Number(match[1]);
      if (req.method === 'DELETE') return this.deleteAsset(res, id);
      return void readBody(req).then((body) => this.renameAsset(res, id, body));
    }
    this.error(res, 404, 'Not Found');
  }

  /** Applies a queued fault for an API route; true when it answered. */
  private apiFault(res: ServerResponse, route: Route): boolean {
    const fault = this.takeFault(route);
    if (!fault) return false;
    if (fault.redirectTo) {
      res.writeHead(307, { location: fault.redirectTo }).end();
      return true;
    }
    this.error(res, fault.status ?? 502, fault.message ?? 'Server Error', fault.code, fault.retryAfter);
    return true;
  }

  private visible(release: FakeRelease): boolean {
    return !release.draft || !this.readOnly;
  }

  private getByTag(res: ServerResponse, tag: string): void {
    if (this.apiFault(res, 'lookup')) return;
    const release = this.releases.find((r) => r.tag === tag && !r.draft);
    if (!release) return this.error(res, 404, 'Not Found');
    this.json(res, 200, this.releaseJson(release));
  }

  private getRelease(res: ServerResponse, id: number): void {
    if (this.apiFault(res, 'release')) return;
    const release = this.releases.find((r) => r.id === id && this.visible(r));
    if (!release) return this.error(res, 404, 'Not Found');
    this.json(res, 200, this.releaseJson(release));
  }

  private list(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (this.apiFault(res, 'list')) return;
    const all = this.releases.filter((r) => this.visible(r)).sort((a, b) => b.id - a.id);
    this.page(
      res,
      url,
      all.map((r) => this.releaseJson(r)),
    );
  }

  private listAssets(res: ServerResponse, url: URL, id: number): void {
    if (this.apiFault(res, 'assets')) return;
    const release = this.releases.find((r) => r.id === id && this.visible(r));
    if (!release) return this.error(res, 404, 'Not Found');
    this.page(
      res,
      url,
      release.assets.map((a) => this.assetJson(release, a)),
    );
  }

  /** A page of `items`, with a Link header as GitHub sends it. */
  private page(res: ServerResponse, url: URL, items: unknown[]): void {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), this.maxPerPage);
    const page = Number(url.searchParams.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number) => {
      const next = new URL(url.pathname + url.search, this.apiUrl.replace(/\/api\/v3$/, ''));
      next.searchParams.set('per_page', String(perPage));
      next.searchParams.set('page', String(n));
      return next.href;
    };
    const links = this.selfLinkedPages
      ? [`<${link(page)}>; rel="next"`]
      : page < last
        ? [`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`]
        : [];
    this.json(res, 200, items.slice((page - 1) * perPage, page * perPage), links.length ? { link: links.join(', ') } : {});
  }

  private findAsset(id: number): { release: FakeRelease; asset: FakeAsset } | undefined {
    for (const release of this.releases) {
      const asset = release.assets.find((a) => a.id === id);
      if (asset) return { release, asset };
    }
    return undefined;
  }

  private deleteAsset(res: ServerResponse, id: number): void {
    if (this.apiFault(res, 'delete')) return;
    if (this.readOnly) return this.error(res, 403, 'Resource not accessible by integration');
    const found = this.findAsset(id);
    if (!found) return this.error(res, 404, 'Not Found');
    if (found.release.immutable && !found.release.draft) return this.error(res, 422, 'Cannot delete an asset of an immutable release.');
    found.release.assets.splice(found.release.assets.indexOf(found.asset), 1);
    this.event('delete', found.release, found.asset.name, id);
    res.writeHead(204).end();
  }

  private renameAsset(res: ServerResponse, id: number, body: string): void {
    if (this.apiFault(res, 'rename')) return;
    if (this.readOnly) return this.error(res, 403, 'Resource not accessible by integration');
    const found = this.findAsset(id);
    if (!found) return this.error(res, 404, 'Not Found');
    const { release, asset } = found;
    if (release.immutable && !release.draft) return this.error(res, 422, 'Cannot modify an asset of an immutable release.');
    let name: unknown;
    try {
      name = (JSON.parse(body) as { name?: unknown }).name;
    } catch {
      return this.error(res, 400, 'Problems parsing JSON');
    }
    if (typeof name === 'string') name = githubAssetName(name);
    if (typeof name === 'string' && name !== asset.name) {
      if (release.assets.some((a) => a.name === name)) return this.error(res, 422, 'Validation Failed', 'already_exists');
      const from = asset.name;
      asset.name = name;
      this.event('rename', release, name, id, from);
    }
    this.json(res, 200, this.assetJson(release, asset));
  }

  private async upload(req: IncomingMessage, res: ServerResponse, prefix: string): Promise<void> {
    this.record(req, 'uploads');
    const url = new URL(req.url ?? '/', 'http://fake');
    const match = new RegExp(`^${prefix}repos/${this.owner}/${this.repo}/releases/(\\d+)/assets$`).exec(url.pathname);
    const release = match ? this.releases.find((r) => r.id === Number(match[1])) : undefined;
    const asked = url.searchParams.get('name') ?? '';
    // GitHub stores the asset under its own spelling of the name.
    const name = asked && githubAssetName(asked);
    if (release) this.event('upload-request', release, name);
    const reject = async (status: number, message: string, code?: string, retryAfter?: string) => {
      await drain(req);
      this.error(res, status, message, code, retryAfter);
    };
    if (req.method !== 'POST' || !release) return reject(404, 'Not Found');
    if (!this.authorized(req)) return reject(401, 'Bad credentials');
    const fault = this.takeFault('upload');
    if (fault?.redirectTo) {
      await drain(req);
      return void res.writeHead(307, { location: fault.redirectTo }).end();
    }
    if (fault?.status && !fault.leaveStarter) return reject(fault.status, fault.message ?? 'Upload failed', fault.code, fault.retryAfter);
    if (this.readOnly) return reject(403, 'Resource not accessible by integration');
    if (!name) return reject(422, 'Validation Failed', 'missing_field');
    if (release.immutable && !release.draft) return reject(422, 'Cannot upload assets to an immutable release.');
    if (release.assets.some((a) => a.name === name)) return reject(422, 'Validation Failed', 'already_exists');

    const asset: FakeAsset = { id: this.nextId++, name, state: 'starter', size: 0, digest: null, contentType: String(req.headers['content-type'] ?? '') };
    release.assets.push(asset);
    this.event('create', release, name, asset.id);
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let received = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        received += chunk.length;
        hash.update(chunk);
        if (this.keepData) chunks.push(chunk);
        if (fault?.stallAfterBytes !== undefined && received >= fault.stallAfterBytes) {
          req.pause();
          await once(req.socket, 'close');
          this.event('upload-failed', release, name, asset.id);
          return;
        }
        if (fault?.resetAfterBytes !== undefined && received >= fault.resetAfterBytes) {
          this.event('upload-failed', release, name, asset.id);
          req.socket.destroy();
          return;
        }
      }
    } catch {
      this.event('upload-failed', release, name, asset.id);
      return;
    }
    if (fault?.leaveStarter) {
      this.event('upload-failed', release, name, asset.id);
      return this.error(res, fault.status ?? 502, fault.message ?? 'Bad Gateway');
    }
    const declared = Number(req.headers['content-length']);
    if (received !== declared) {
      this.event('upload-failed', release, name, asset.id);
      return this.error(res, 400, `Body was ${received} bytes, Content-Length said ${declared}.`);
    }
    Object.assign(asset, {
      state: 'uploaded',
      size: received,
      digest: `sha256:${hash.digest('hex')}`,
      data: this.keepData ? Buffer.concat(chunks) : undefined,
    });
    this.event('uploaded', release, name, asset.id);
    this.json(res, 201, this.assetJson(release, asset));
  }

  private releaseJson(release: FakeRelease): Record<string, unknown> {
    const server = this.apiUrl.replace(/\/api\/v3$/, '');
    return {
      id: release.id,
      url: `${this.apiUrl}/repos/${this.owner}/${this.repo}/releases/${release.id}`,
      html_url: `${server}/${this.owner}/${this.repo}/releases/tag/${encodeURIComponent(release.tag)}`,
      upload_url: release.uploadUrl ?? `${this.uploadBase}/repos/${this.owner}/${this.repo}/releases/${release.id}/assets{?name,label}`,
      tag_name: release.tag,
      name: release.tag,
      draft: release.draft,
      prerelease: false,
      immutable: release.immutable,
      assets: release.assets.map((a) => this.assetJson(release, a)),
    };
  }

  private assetJson(release: FakeRelease, asset: FakeAsset): Record<string, unknown> {
    const server = this.apiUrl.replace(/\/api\/v3$/, '');
    return {
      id: asset.id,
      url: `${this.apiUrl}/repos/${this.owner}/${this.repo}/releases/assets/${asset.id}`,
      name: asset.name,
      label: '',
      state: asset.state,
      content_type: asset.contentType,
      size: asset.size,
      digest: asset.digest,
      download_count: 0,
      browser_download_url: `${server}/${this.owner}/${this.repo}/releases/download/${encodeURIComponent(release.tag)}/${encodeURIComponent(asset.name)}`,
    };
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { ...JSON_TYPE, ...headers });
    res.end(JSON.stringify(body));
  }

  private error(res: ServerResponse, status: number, message: string, code?: string, retryAfter?: string): void {
    const body: Record<string, unknown> = { message, documentation_url: 'https://docs.github.com/rest', status: String(status) };
    if (code) body.errors = [{ resource: 'ReleaseAsset', code, field: 'name' }];
    this.json(res, status, body, retryAfter ? { 'retry-after': retryAfter } : {});
  }
}

/** Letters that GitHub spells in ASCII rather than dropping (as `a5_ð_æ_©_ŋ.txt` became `a5_d_ae_._ng.txt`). */
const GITHUB_SPELLED: Record<string, string> = {
  æ: 'ae',
  Æ: 'AE',
  ð: 'd',
  Ð: 'D',
  ŋ: 'ng',
  Ŋ: 'NG',
  ø: 'o',
  Ø: 'O',
  ß: 'ss',
  ł: 'l',
  Ł: 'L',
  œ: 'oe',
  Œ: 'OE',
  þ: 'th',
  Þ: 'TH',
};

/**
 * The name GitHub stores an uploaded (or renamed) asset under, as observed
 * and as `gh release upload` mimics it: accents dropped (`façade` → `facade`),
 * a few letters spelled in ASCII, every run of other characters (non-Latin
 * letters, spaces, brackets…) one `.`, no leading or trailing `.`, and
 * `default` for a name left with no stem. The lists show this name.
 */
export function githubAssetName(name: string): string {
  let value = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/./gu, (char) => GITHUB_SPELLED[char] ?? char);
  if (value.startsWith('.')) value = `default${value}`;
  value = value
    .replace(/[^A-Za-z0-9_+@-]+/g, '.')
    .replace(/\.{2,}/g, '.')
    .replace(/^\.+|\.+$/g, '');
  if (value !== name && !value.includes('.')) value = `default.${value}`;
  return value;
}

export function sha256Digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function drain(req: IncomingMessage): Promise<void> {
  req.resume();
  await once(req, 'end');
}

/** Any other server: records what reaches it (it should be nothing) and answers 200. */
export class Bystander {
  readonly requests: RecordedRequest[] = [];
  url = '';
  private server = createServer((req, res) => {
    this.requests.push({ origin: 'uploads', method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, at: Date.now() });
    req.resume();
    req.on('end', () => res.writeHead(200, JSON_TYPE).end('{}'));
  });

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
