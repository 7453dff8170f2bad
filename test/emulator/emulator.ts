/**
 * A local reApi emulator: a real HTTP server on 127.0.0.1 that follows the
 * topaz-video-upscaler contract, plus a second origin standing in for the CDN
 * that serves sources and results. Faults can be switched on per request, and
 * every request is recorded so tests can assert on what the action sent.
 *
 * Used in-process by the tests and out-of-process (npm start, benchmarks, the
 * CI job that runs `uses: ./`) through the admin endpoints under /__emulator/.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, get as httpGet, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname } from 'node:path';
import { readBody } from '../helpers/read-body';

export const MODEL = 'topaz-video-upscaler';
export const MAX_SOURCE_BYTES = 50 * 1024 * 1024;
/** The committed fixture clips (see test/fixtures/README.md). */
export const FIXTURES_DIR = new URL('../fixtures/', import.meta.url);

/** One request as the emulator saw it. */
export interface RecordedRequest {
  origin: 'api' | 'cdn';
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  at: number;
  /** The client's port: requests on one keep-alive connection share it. */
  remotePort?: number;
  /** CDN only: the status answered, and the body bytes sent so far. */
  status?: number;
  bodyBytes?: number;
}

/** A fault applied to the next matching request(s). */
export interface Fault {
  /** Which requests it applies to. */
  route: 'submit' | 'poll' | 'any' | 'cdn';
  /** How many matching requests it affects (default 1). */
  times?: number;
  /** Answer with this HTTP status and an error envelope (or `body`). */
  status?: number;
  retryAfter?: string;
  body?: string;
  contentType?: string;
  /** Answer 200 with a truncated, malformed JSON body. */
  malformed?: boolean;
  /** Wait this long before handling the request normally. */
  delayMs?: number;
  /** Destroy the connection without an answer (before any task is created). */
  reset?: boolean;
  /** Submit only: create the task, then destroy the connection without an answer. */
  resetAfterCreate?: boolean;
  /** CDN only: send the headers and part of the body, then destroy the connection. */
  truncateAfterBytes?: number;
  /** CDN only: answer with a redirect to this path on the CDN origin (or this absolute URL). */
  redirectTo?: string;
  /** CDN only: send the headers and this many bytes, then hold the connection open without sending more. */
  stallAfterBytes?: number;
  /** CDN only: send the whole body without Content-Length (chunked), as some hosts do. */
  noLength?: boolean;
  /** CDN only: send the body `dripBytes` at a time (default 1), one piece every `dripEveryMs`: a host that never quite stalls. */
  dripEveryMs?: number;
  dripBytes?: number;
  /** Only requests whose path contains this text (e.g. '/media/' for results, leaving sources alone). */
  match?: string;
}

/** How a task plays out, chosen per source URL. */
export interface TaskPlan {
  /** Polls answered `processing` before the terminal status (default from config). */
  processingPolls?: number;
  /** Alternatively, wall time before the terminal status. */
  processingMs?: number;
  /** Never leaves `processing`. */
  never?: boolean;
  /** Ends `failed` with this error instead of `completed`. */
  fail?: { code: string; message: string };
  /** Completes with an empty `output.video_urls`. */
  emptyOutput?: boolean;
  /** Status reported while running (default `processing`; the API may add `queued`…). */
  runningStatus?: string;
  /** Number of result URLs in `output.video_urls` (default 1); result n is served as `${n}.mp4`. */
  resultCount?: number;
  /** How the wire spells statuses, e.g. `{ completed: 'COMPLETED' }` (the task itself plays out as usual). */
  statusAs?: Record<string, string>;
  // Hostile servers. In these texts (and in `fail` and a fault's `body`), {key} is replaced by the API key the
  // request carried, {key-url} by it URL-encoded, {key-form} form-encoded, {key-json} JSON-escaped: a server that echoes it.
  /** The task id the API hands out (default: a generated task_…). */
  id?: string;
  /** Literal `output.video_urls` of the completed task (instead of results on the CDN). */
  resultUrls?: string[];
  /** Serve a real ffmpeg result instead of synthetic bytes (see RESULT_FIXTURES). */
  result?: ResultKind;
  /** Grow the real result by this many bytes at the end of its `mdat` (a large file, same facts). */
  resultPaddingBytes?: number;
  /** The result host ignores Range: always 200 with the whole body. */
  resultIgnoresRange?: boolean;
}

/**
 * Real results (test/fixtures/README.md). 'upscaled' is the task's source
 * fixture at the task's factor ('wrong-size' at 1×: not larger); the other
 * faults are clip-3.2s-faststart.mp4 upscaled 2× with one thing wrong.
 */
export type ResultKind = 'upscaled' | 'too-short' | 'wrong-size' | 'no-video' | 'hevc' | 'moov-at-end';
const RESULT_FIXTURES: Record<Exclude<ResultKind, 'upscaled' | 'wrong-size'>, string> = {
  'too-short': 'fault-too-short-1.6s-128x72.mp4',
  'no-video': 'fault-no-video-3.2s.mp4',
  hevc: 'result-3.2s-2x-128x72-hevc.mp4',
  'moov-at-end': 'result-3.2s-2x-128x72-moov-at-end.mp4',
};
/** Source fixture → the duration in its results' names; all sources are 64×36. */
const UPSCALED_FROM: Record<string, string> = { 'clip-3.2s-faststart.mp4': '3.2s', 'clip-2.4s-moov-at-end.mov': '2.4s', 'clip-5s.mkv': '5s' };
const UPSCALED_SIZES: Record<string, string> = { '1': '64x36', '2': '128x72', '4': '256x144' };

export interface EmulatorConfig {
  /** The key the emulator accepts; anything else is 401. */
  apiKey: string;
  /** Default number of `processing` polls before completion. */
  processingPolls: number;
  /** Default wall time before completion (used instead of polls when set). */
  processingMs?: number;
  /**
   * Size of each synthetic result (a well-formed MP4 box layout, no movie header). Giving it asks for synthetic
   * results, unless `realResults` is also given: tests of sizes, truncation and bytes use it.
   */
  resultBytes?: number;
  /**
   * Serve real results (`result: 'upscaled'`, the task's fixture source at its factor) for tasks whose plan names
   * none. The default, unless `resultBytes` is given; `false` serves synthetic bytes (`resultBytes(index)`). A source
   * that is not a fixture clip (`sourceUrl()`, `addSource()`) has no upscaled version: its results are always synthetic.
   */
  realResults?: boolean;
  /** Plans keyed by a substring of the source URL; the first match wins. */
  plans: Array<{ match: string; plan: TaskPlan }>;
  /**
   * Fetch sources on other loopback origins (a bucket, a test's own server) as reApi does: a plain GET without
   * credentials at submit (refused with 30002 when it fails) and again at the first poll (the task fails). Default
   * true; sources on the emulator's own CDN are looked up instead, and hosts off this machine are taken as reachable.
   */
  fetchSources?: boolean;
}

/** One GET of a source the emulator sent, as reApi would (see `EmulatorConfig.fetchSources`). */
export interface SourceFetch {
  url: string;
  /** At submission, or at the first poll while the task renders. */
  phase: 'submit' | 'render';
  /** The HTTP status, or undefined when there was no answer. */
  status?: number;
  bytes: number;
  /** What went wrong, when it did. */
  problem?: string;
  at: number;
}

/** How the CDN origin serves one source. */
export interface SourceOptions {
  data?: Buffer;
  /** Size of generated content when there is no `data`. */
  size?: number;
  contentType?: string;
  /** Refuse HEAD with 405 (some hosts do). */
  noHead?: boolean;
  /** Answer every request with this status and an HTML page. */
  status?: number;
  /** Answer HEAD with this status while GET works (URLs signed for GET only answer HEAD with 403). */
  headStatus?: number;
  /** Never answer HEAD (the connection stays open until the client gives up). */
  headHang?: boolean;
  /** Never answer any request, HEAD or GET: a host that accepts connections and then says nothing. */
  hang?: boolean;
  /** Send the headers at once, then the body `bytes` at a time, one piece every `everyMs` (a CDN that drips). */
  drip?: { bytes: number; everyMs: number };
  /** Ignore Range headers: always 200 with the whole body, as some hosts do. */
  ignoreRange?: boolean;
  /** Answer every request with a 302 to this location (a path on the CDN origin or any URL). */
  redirectTo?: string;
  /**
   * The ETag the host sends (default 'none'): 'strong' (`"…"`) or 'weak' (`W/"…"`), derived from the bytes, so new
   * bytes get a new one. A GET or HEAD whose If-None-Match names it (weak comparison, as RFC 9110 has it) gets 304.
   */
  etag?: 'strong' | 'weak' | 'none';
}

interface Source extends SourceOptions {
  size: number;
  contentType: string;
  /** The fixture file it serves, if any. */
  fixture?: string;
}

/** The ETag a source is served with, from its bytes (or its size, for generated ones); undefined for 'none'. */
function sourceEtag(source: Source): string | undefined {
  if (!source.etag || source.etag === 'none') return undefined;
  const tag = `"${createHash('sha256')
    .update(source.data ?? `generated:${source.size}`)
    .digest('hex')
    .slice(0, 32)}"`;
  return source.etag === 'weak' ? `W/${tag}` : tag;
}

const FIXTURE_TYPES: Record<string, string> = { '.mp4': 'video/mp4', '.mov': 'video/quicktime', '.mkv': 'video/x-matroska' };

interface Task {
  id: string;
  sourceUrl: string;
  /** Whether the source was fetched again while rendering (at the first poll). */
  refetched?: boolean;
  upscaleFactor: string;
  createdAt: number;
  plan: TaskPlan;
  polls: number;
  status: string;
  finishedAt?: number;
  /** The API key the submission carried, for plans that echo it. */
  key: string;
  /** The source's fixture file, when it is one. */
  sourceFixture?: string;
}

const DEFAULT_CONFIG: EmulatorConfig = { apiKey: 'test-key', processingPolls: 2, plans: [] };

/** The bytes of a committed fixture clip under test/fixtures/. */
export function fixtureBytes(file: string): Buffer {
  return readFileSync(new URL(file, FIXTURES_DIR));
}

/**
 * An MP4/MOV grown by `extraBytes` of padding at the end of its `mdat` box
 * (sample offsets stay valid): a large file whose `moov` position is unchanged,
 * to show that preflight reads a few KiB of it, not all of it.
 */
export function padMediaData(clip: Buffer, extraBytes: number): Buffer {
  for (let offset = 0; offset + 8 <= clip.length;) {
    const size = clip.readUInt32BE(offset);
    const type = clip.toString('latin1', offset + 4, offset + 8);
    if (size < 8) throw new Error(`padMediaData: unsupported box size ${size} at ${offset}`);
    if (type === 'mdat') {
      const end = offset + size;
      const padded = Buffer.concat([clip.subarray(0, end), Buffer.alloc(extraBytes), clip.subarray(end)]);
      padded.writeUInt32BE(size + extraBytes, offset);
      return padded;
    }
    offset += size;
  }
  throw new Error('padMediaData: no mdat box');
}

/** A tiny but well-formed MP4 (ftyp + free + mdat) of the requested size. */
export function syntheticMp4(size = 4096): Buffer {
  const ftyp = Buffer.from('00000018667479706d703432000000006d70343269736f6d', 'hex');
  const buffer = Buffer.alloc(Math.max(size, ftyp.length + 8));
  ftyp.copy(buffer, 0);
  const rest = buffer.length - ftyp.length;
  buffer.writeUInt32BE(rest, ftyp.length);
  buffer.write('mdat', ftyp.length + 4, 'latin1');
  for (let i = ftyp.length + 8; i < buffer.length; i++) buffer[i] = (i * 31) & 0xff;
  return buffer;
}

/** Fills {key}, {key-url}, {key-form} and {key-json} with the key a request carried (see TaskPlan). */
export function echoKey(text: string, key: string): string {
  const variants: Record<string, string> = {
    '{key}': key,
    '{key-url}': encodeURIComponent(key),
    '{key-form}': new URLSearchParams({ k: key }).toString().slice(2),
    '{key-json}': JSON.stringify(key).slice(1, -1),
  };
  return text.replace(/\{key(?:-url|-form|-json)?\}/g, (name) => variants[name] ?? name);
}

/** echoKey in every string of a JSON body (so the decoded text holds the spelling asked for), or in the raw text. */
function echoKeyInBody(body: string, key: string): string {
  try {
    return JSON.stringify(JSON.parse(body, (_, value: unknown) => (typeof value === 'string' ? echoKey(value, key) : value)));
  } catch {
    return echoKey(body, key);
  }
}

/** The key of a `Bearer` Authorization header. */
function bearer(req: IncomingMessage): string {
  return String(req.headers.authorization ?? '').replace(/^Bearer /, '');
}

function errorBody(code: string, message: string, requestId: string): string {
  return JSON.stringify({ error: { code, message, request_id: requestId } });
}

/** A GET with no headers beyond Host, as a server fetching a public URL sends it; reads at most `limit` bytes. */
function plainGet(url: string, limit: number): Promise<{ status: number; bytes: number; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { headers: {}, timeout: 10_000 }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes >= limit) res.destroy();
      });
      res.on('close', () => resolve({ status: res.statusCode ?? 0, bytes, complete: res.complete || bytes >= limit }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

async function listen(server: Server, port = 0): Promise<number> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

export class ReapiEmulator {
  readonly requests: RecordedRequest[] = [];
  /** Every GET of a source on another loopback origin, in order. */
  readonly sourceFetches: SourceFetch[] = [];
  readonly tasks = new Map<string, Task>();
  config: EmulatorConfig = { ...DEFAULT_CONFIG, plans: [] };
  /** Most tasks that were running at the same time. */
  peakRunning = 0;
  /** Most CDN requests that were being answered at the same time. */
  peakCdnInFlight = 0;
  private cdnInFlight = 0;

  private faults: Fault[] = [];
  private sources = new Map<string, Source>();
  private api: Server;
  private cdn: Server;
  private sockets = new Set<Socket>();
  private nextRequestId = 1;
  private resultCache?: Buffer;
  apiUrl = '';
  cdnUrl = '';

  constructor(config: Partial<EmulatorConfig> = {}) {
    this.configure(config);
    this.api = createServer((req, res) => void this.handleApi(req, res).catch((error) => this.crash(res, error)));
    this.cdn = createServer((req, res) => void this.handleCdn(req, res).catch((error) => this.crash(res, error)));
    for (const server of [this.api, this.cdn]) {
      server.on('connection', (socket) => {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
      });
    }
  }

  async start(ports: { api?: number; cdn?: number } = {}): Promise<this> {
    this.apiUrl = `http://127.0.0.1:${await listen(this.api, ports.api)}`;
    this.cdnUrl = `http://127.0.0.1:${await listen(this.cdn, ports.cdn)}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([this.api, this.cdn].map((server) => new Promise((resolve) => server.close(resolve))));
  }

  /** Forgets requests, tasks, faults and sources, and applies a fresh config. */
  reset(config: Partial<EmulatorConfig> = {}): void {
    this.requests.length = 0;
    this.sourceFetches.length = 0;
    this.tasks.clear();
    this.faults = [];
    this.sources.clear();
    this.peakRunning = 0;
    this.peakCdnInFlight = 0;
    this.configure(config);
  }

  configure(config: Partial<EmulatorConfig>): void {
    this.config = { ...DEFAULT_CONFIG, plans: [], ...config };
    this.resultCache = undefined;
  }

  /** Plays `plan` for every task whose source URL contains `match`. */
  plan(match: string, plan: TaskPlan): void {
    this.config.plans.push({ match, plan });
  }

  fault(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** Serves a source file at `${cdnUrl}/sources/${name}`; returns its URL. */
  addSource(name: string, source: SourceOptions): string {
    this.sources.set(name, { ...source, size: source.data?.length ?? source.size ?? 0, contentType: source.contentType ?? 'video/mp4' });
    return `${this.cdnUrl}/sources/${encodeURIComponent(name)}`;
  }

  /** Serves a committed fixture clip (test/fixtures/`file`) as source `name`, typed by its extension; returns its URL. */
  addFixture(name: string, file = name, options: Omit<SourceOptions, 'data' | 'size'> = {}): string {
    const contentType = FIXTURE_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const url = this.addSource(name, { contentType, ...options, data: fixtureBytes(file) });
    this.sources.get(name)!.fixture = file;
    return url;
  }

  /** CDN requests for one source, in order. */
  sourceRequests(name: string): RecordedRequest[] {
    const path = `/sources/${encodeURIComponent(name)}`;
    return this.cdnRequests().filter((r) => r.path.split('?')[0] === path);
  }

  /** A source URL on the CDN origin that the emulator treats as a valid clip. */
  sourceUrl(name = 'clip.mp4'): string {
    if (!this.sources.has(name)) this.addSource(name, { data: syntheticMp4(2048) });
    return `${this.cdnUrl}/sources/${encodeURIComponent(name)}`;
  }

  apiRequests(kind?: 'submit' | 'poll'): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.origin === 'api' && !r.path.startsWith('/__emulator') && (!kind || (kind === 'submit' ? r.method === 'POST' : r.method === 'GET')),
    );
  }

  cdnRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.origin === 'cdn');
  }

  /** Whether tasks whose plan names no result get a real one (see `EmulatorConfig.realResults`). */
  get servesRealResults(): boolean {
    return this.config.realResults ?? this.config.resultBytes === undefined;
  }

  /**
   * The bytes served for a task's results: the real result its plan names, else (by default) its fixture source
   * upscaled by its factor; else, for a non-fixture source or with `realResults: false`, `resultBytes(index)`.
   */
  taskResultBytes(taskId: string, index = 0): Buffer {
    const task = this.tasks.get(taskId);
    const kind = task?.plan.result ?? (this.servesRealResults ? 'upscaled' : undefined);
    const tag = UPSCALED_FROM[task?.sourceFixture ?? ''];
    let file: string | undefined;
    if (kind === 'upscaled' || kind === 'wrong-size') {
      const factor = kind === 'wrong-size' ? '1' : (task?.upscaleFactor ?? '2');
      if (tag) file = `result-${tag}-${factor}x-${UPSCALED_SIZES[factor]}.mp4`;
    } else if (kind) {
      file = RESULT_FIXTURES[kind];
    }
    if (!file) return this.resultBytes(index);
    const padding = task?.plan.resultPaddingBytes;
    return padding ? padMediaData(fixtureBytes(file), padding) : fixtureBytes(file);
  }

  /** The synthetic bytes of result `index` (0 unless a plan has `resultCount`); each index has distinct content. */
  resultBytes(index = 0): Buffer {
    this.resultCache ??= syntheticMp4(this.config.resultBytes ?? 4096);
    if (index === 0) return this.resultCache;
    const other = Buffer.from(this.resultCache);
    other.write(`result-${index}`.padEnd(16, '.'), other.length - 16, 'latin1');
    return other;
  }

  // ---- internals --------------------------------------------------------------

  private crash(res: ServerResponse, error: unknown): void {
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(errorBody('50000', `emulator bug: ${String(error)}`, 'emu-crash'));
    } else {
      res.destroy();
    }
  }

  private takeFault(route: Fault['route'], path = ''): Fault | undefined {
    const index = this.faults.findIndex((f) => (f.route === route || (f.route === 'any' && route !== 'cdn')) && (!f.match || path.includes(f.match)));
    if (index < 0) return undefined;
    const fault = this.faults[index] as Fault;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }

  /** Keeps a CDN request's answered status and body bytes in its log entry, as they are sent. */
  private countSent(entry: RecordedRequest, res: ServerResponse): void {
    entry.bodyBytes = 0;
    res.once('close', () => (entry.status ??= res.statusCode));
    const count = (chunk: unknown) => {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) entry.bodyBytes = (entry.bodyBytes ?? 0) + Buffer.byteLength(chunk);
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => (count(chunk), write(chunk, ...rest))) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'function') count(chunk);
      return end(chunk, ...rest);
    }) as typeof res.end;
    res.writeHead = (status: number, ...rest: unknown[]) => {
      entry.status = status;
      return writeHead(status, ...rest);
    };
  }

  private record(origin: 'api' | 'cdn', req: IncomingMessage, body: string): void {
    this.requests.push({
      origin,
      method: req.method ?? '',
      path: req.url ?? '',
      headers: { ...req.headers },
      body,
      at: Date.now(),
      remotePort: req.socket.remotePort,
    });
  }

  private requestId(): string {
    return `req_emu_${String(this.nextRequestId++).padStart(6, '0')}`;
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }

  private fail(res: ServerResponse, status: number, code: string, message: string): void {
    this.json(res, status, errorBody(code, message, this.requestId()));
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/__emulator/')) return this.handleAdmin(req, res, path, body);
    this.record('api', req, body);

    const route =
      req.method === 'POST' && path === '/api/v1/videos/generations'
        ? 'submit'
        : req.method === 'GET' && path.startsWith('/api/v1/tasks/')
          ? 'poll'
          : undefined;
    if (!route) return this.fail(res, 404, '40400', `no route ${req.method} ${path}`);

    const fault = this.takeFault(route);
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault?.reset) return void req.socket.destroy();
    if (fault?.status) {
      const headers: Record<string, string> = { 'content-type': fault.contentType ?? 'application/json' };
      if (fault.retryAfter) headers['retry-after'] = fault.retryAfter;
      res.writeHead(fault.status, headers);
      return void res.end(
        fault.body !== undefined
          ? echoKeyInBody(fault.body, bearer(req))
          : errorBody(String(fault.status === 429 ? 42900 : 50000 + (fault.status % 100)), `injected HTTP ${fault.status}`, this.requestId()),
      );
    }
    if (fault?.malformed) return this.json(res, 200, '{"id": "task_', {});

    if (req.headers.authorization !== `Bearer ${this.config.apiKey}`) return this.fail(res, 401, '10001', 'invalid API key');

    if (route === 'submit') {
      const result = await this.submit(body, res, bearer(req));
      if (result && fault?.resetAfterCreate) return void req.socket.destroy();
      if (result) this.json(res, 200, this.envelope(result));
      return;
    }
    const id = decodeURIComponent(path.slice('/api/v1/tasks/'.length));
    const task = this.tasks.get(id);
    if (!task) return this.fail(res, 404, '40401', `task ${id} not found`);
    await this.refetch(task);
    this.advance(task);
    this.json(res, 200, this.envelope(task));
  }

  /** Validates a submission exactly as the contract's table says; returns the new task or answers the error. */
  private async submit(text: string, res: ServerResponse, key: string): Promise<Task | undefined> {
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      this.fail(res, 400, '20001', 'request body must be a JSON object');
      return undefined;
    }
    if (body.model !== MODEL) {
      this.fail(res, 400, '20003', `${MODEL}: invalid model`);
      return undefined;
    }
    const videoUrl = body.video_url;
    if (videoUrl === undefined || videoUrl === null || videoUrl === '') {
      this.fail(res, 400, '20002', `${MODEL}: video_url is required`);
      return undefined;
    }
    if (typeof videoUrl !== 'string' || !/^https?:\/\/[^/]+/i.test(videoUrl)) {
      this.fail(res, 400, '20003', `${MODEL}: video_url must be a public http(s) URL`);
      return undefined;
    }
    const factor = body.upscale_factor ?? '2';
    if (factor !== '1' && factor !== '2' && factor !== '4') {
      this.fail(res, 400, '20003', `${MODEL}: invalid upscale_factor (allowed: 1/2/4)`);
      return undefined;
    }
    const probe = this.probe(videoUrl) ?? (await this.fetchSource(videoUrl, 'submit'));
    if (probe) {
      this.fail(res, 400, probe.code, probe.message);
      return undefined;
    }
    const plan = this.config.plans.find((p) => videoUrl.includes(p.match))?.plan ?? {};
    const id = plan.id !== undefined ? echoKey(plan.id, key) : `task_${Date.now().toString(16)}${Math.random().toString(16).slice(2, 14).padEnd(12, '0')}`;
    const task: Task = {
      id,
      sourceUrl: videoUrl,
      upscaleFactor: factor,
      createdAt: Date.now(),
      plan,
      polls: 0,
      status: plan.runningStatus ?? 'processing',
      key,
    };
    if (this.cdnUrl && videoUrl.startsWith(`${this.cdnUrl}/`)) {
      task.sourceFixture = this.sources.get(decodeURIComponent(new URL(videoUrl).pathname.replace(/^\/sources\//, '')))?.fixture;
    }
    this.tasks.set(id, task);
    this.peakRunning = Math.max(this.peakRunning, this.running());
    return task;
  }

  /** Sources on the emulator's own CDN are probed for real; any other host is assumed reachable. */
  private probe(videoUrl: string): { code: string; message: string } | undefined {
    if (!this.cdnUrl || !videoUrl.startsWith(`${this.cdnUrl}/`)) return undefined;
    const name = decodeURIComponent(new URL(videoUrl).pathname.replace(/^\/sources\//, ''));
    const source = this.sources.get(name);
    if (!source || (source.status && source.status >= 400)) {
      return { code: '30002', message: `Could not determine source video duration for billing: fetch failed for ${videoUrl}` };
    }
    if (source.size > MAX_SOURCE_BYTES) return { code: '80007', message: 'Provider rejected the request as invalid' };
    return undefined;
  }

  /** Whether the source lives on another origin of this machine, where reApi's fetch can be played for real. */
  private fetchesForReal(videoUrl: string): boolean {
    if (this.config.fetchSources === false || (this.cdnUrl && videoUrl.startsWith(`${this.cdnUrl}/`))) return false;
    try {
      const host = new URL(videoUrl).hostname;
      return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
    } catch {
      return false;
    }
  }

  /** reApi's fetch of a source: a plain GET (no credentials, no Range), read to the end; the error it answers with, if any. */
  private async fetchSource(videoUrl: string, phase: SourceFetch['phase']): Promise<{ code: string; message: string } | undefined> {
    if (!this.fetchesForReal(videoUrl)) return undefined;
    const record: SourceFetch = { url: videoUrl, phase, bytes: 0, at: Date.now() };
    this.sourceFetches.push(record);
    try {
      const { status, bytes, complete } = await plainGet(videoUrl, MAX_SOURCE_BYTES + 1);
      record.status = status;
      record.bytes = bytes;
      if (status >= 300) record.problem = `HTTP ${status}`;
      else if (!complete) record.problem = 'the body was cut short';
      else if (bytes > MAX_SOURCE_BYTES) return { code: '80007', message: 'Provider rejected the request as invalid' };
    } catch (error) {
      record.problem = error instanceof Error ? error.message : String(error);
    }
    if (record.problem === undefined) return undefined;
    return { code: '30002', message: `Could not determine source video duration for billing: fetch failed for ${videoUrl}` };
  }

  /** While rendering, reApi reads the source again (once, at the first poll): a source gone by then fails the task. */
  private async refetch(task: Task): Promise<void> {
    if (task.refetched || task.status === 'completed' || task.status === 'failed') return;
    task.refetched = true;
    const problem = await this.fetchSource(task.sourceUrl, 'render');
    if (!problem) return;
    task.status = 'failed';
    task.finishedAt = Date.now();
    task.plan = { ...task.plan, fail: { code: 'SOURCE_FETCH_FAILED', message: 'The source video could not be fetched while rendering.' } };
  }

  private running(): number {
    let count = 0;
    for (const task of this.tasks.values()) if (task.status !== 'completed' && task.status !== 'failed') count++;
    return count;
  }

  private advance(task: Task): void {
    if (task.status === 'completed' || task.status === 'failed') return;
    task.polls++;
    const { plan } = task;
    if (plan.never) return;
    const processingMs = plan.processingMs ?? (plan.processingPolls === undefined ? this.config.processingMs : undefined);
    const done = processingMs !== undefined ? Date.now() - task.createdAt >= processingMs : task.polls > (plan.processingPolls ?? this.config.processingPolls);
    if (!done) return;
    task.status = plan.fail ? 'failed' : 'completed';
    task.finishedAt = Date.now();
  }

  private envelope(task: Task): unknown {
    const count = task.plan.emptyOutput ? 0 : (task.plan.resultCount ?? 1);
    const urls = task.plan.resultUrls
      ? task.plan.resultUrls.map((url) => echoKey(url, task.key))
      : Array.from({ length: count }, (_, index) => `${this.cdnUrl}/media/tasks/${task.id}/${index}.mp4`);
    return {
      id: task.id,
      model: MODEL,
      status: task.plan.statusAs?.[task.status] ?? task.status,
      created_at: Math.floor(task.createdAt / 1000),
      output: task.status === 'completed' ? { video_urls: urls } : null,
      error:
        task.status === 'failed' && task.plan.fail
          ? { code: echoKey(task.plan.fail.code, task.key), message: echoKey(task.plan.fail.message, task.key) }
          : null,
    };
  }

  private async handleCdn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.record('cdn', req, '');
    this.countSent(this.requests[this.requests.length - 1] as RecordedRequest, res);
    this.peakCdnInFlight = Math.max(this.peakCdnInFlight, ++this.cdnInFlight);
    res.once('close', () => this.cdnInFlight--);
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    const fault = this.takeFault('cdn', path);
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault?.reset) return void req.socket.destroy();
    if (fault?.redirectTo) {
      res.writeHead(302, { location: fault.redirectTo });
      return void res.end();
    }
    if (fault?.status) {
      res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'text/html' });
      return void res.end(fault.body ?? `<html><body>HTTP ${fault.status}</body></html>`);
    }

    let data: Buffer | undefined;
    let size: number;
    let contentType = 'video/mp4';
    const media = /^\/media\/tasks\/([^/]+)\/(\d+)\.mp4$/.exec(path);
    const mediaTask = media ? this.tasks.get(media[1] as string) : undefined;
    const mediaIndex = Number(media?.[2]);
    if (mediaTask?.status === 'completed' && mediaIndex < (mediaTask.plan.resultCount ?? 1)) {
      data = this.taskResultBytes(mediaTask.id, mediaIndex);
      size = data.length;
      if (mediaTask.plan.resultIgnoresRange) delete req.headers.range;
    } else if (path.startsWith('/sources/') && this.sources.has(path.slice('/sources/'.length))) {
      const source = this.sources.get(path.slice('/sources/'.length)) as Source;
      if (source.status) {
        res.writeHead(source.status, { 'content-type': 'text/html' });
        return void res.end('<html>error</html>');
      }
      if (source.redirectTo) {
        res.writeHead(302, { location: source.redirectTo });
        return void res.end();
      }
      if (source.noHead && req.method === 'HEAD') {
        res.writeHead(405);
        return void res.end();
      }
      if (source.hang) return;
      if (req.method === 'HEAD' && source.headHang) return;
      if (req.method === 'HEAD' && source.headStatus) {
        res.writeHead(source.headStatus, { 'content-type': 'application/xml' });
        return void res.end();
      }
      data = source.data;
      size = source.size;
      contentType = source.contentType;
      const etag = sourceEtag(source);
      if (etag) {
        res.setHeader('etag', etag);
        const asked = String(req.headers['if-none-match'] ?? '')
          .split(',')
          .map((tag) => tag.trim().replace(/^W\//, ''));
        if (asked.includes(etag.replace(/^W\//, '')) || asked.includes('*')) {
          res.writeHead(304);
          return void res.end();
        }
      }
      if (source.ignoreRange) delete req.headers.range;
      if (source.drip) return this.drip(req, res, source, source.drip);
    } else {
      res.writeHead(404, { 'content-type': 'text/html' });
      return void res.end('<html><body>Not Found</body></html>');
    }
    if (fault?.noLength) {
      res.writeHead(200, { 'content-type': contentType });
      return void res.end(req.method === 'HEAD' ? undefined : (data ?? Buffer.alloc(size, 0x5a)));
    }
    if (fault?.dripEveryMs) return this.dripBytes(req, res, data, size, contentType, fault.dripEveryMs, fault.dripBytes ?? 1);
    this.sendBytes(req, res, data, size, contentType, fault?.truncateAfterBytes ?? fault?.stallAfterBytes, fault?.stallAfterBytes !== undefined);
  }

  /** Sends the whole body a few bytes at a time, until it is done or the client goes away. */
  private dripBytes(
    req: IncomingMessage,
    res: ServerResponse,
    data: Buffer | undefined,
    size: number,
    contentType: string,
    everyMs: number,
    bytes: number,
  ): void {
    res.writeHead(200, { 'content-type': contentType, 'content-length': size });
    if (req.method === 'HEAD') return void res.end();
    const body = data ?? Buffer.alloc(size, 0x5a);
    let offset = 0;
    const timer = setInterval(() => {
      res.write(body.subarray(offset, offset + bytes));
      offset += bytes;
      if (offset >= size) {
        clearInterval(timer);
        res.end();
      }
    }, everyMs);
    res.once('close', () => clearInterval(timer));
  }

  /** Serves bytes (or `size` generated bytes) with HTTP range support. */
  private sendBytes(
    req: IncomingMessage,
    res: ServerResponse,
    data: Buffer | undefined,
    size: number,
    contentType: string,
    truncateAfter?: number,
    stall = false,
  ): void {
    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (range && size > 0) {
      if (range[1]) {
        start = Number(range[1]);
        if (range[2]) end = Math.min(Number(range[2]), size - 1);
      } else if (range[2]) {
        start = Math.max(0, size - Number(range[2]));
      }
      if (start > end || start >= size) {
        res.writeHead(416, { 'content-range': `bytes */${size}` });
        return void res.end();
      }
      status = 206;
    }
    const length = end - start + 1;
    const headers: Record<string, string | number> = { 'content-type': contentType, 'content-length': length, 'accept-ranges': 'bytes' };
    if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') return void res.end();
    const limit = truncateAfter === undefined ? length : Math.min(truncateAfter, length);
    let offset = start;
    const stop = start + limit;
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    const write = (): void => {
      while (offset < stop) {
        const n = Math.min(chunk.length, stop - offset);
        const piece = data ? data.subarray(offset, offset + n) : chunk.subarray(0, n);
        offset += n;
        if (!res.write(piece)) return void res.once('drain', write);
      }
      if (limit < length) {
        if (!stall) res.socket?.destroy();
      } else {
        res.end();
      }
    };
    write();
  }

  /** Serves a source's bytes (or a range of them) slowly: headers at once, then a few bytes at a time until the client hangs up. */
  private drip(req: IncomingMessage, res: ServerResponse, source: Source, pace: { bytes: number; everyMs: number }): void {
    const data = source.data ?? Buffer.alloc(source.size, 0x5a);
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Math.min(Number(range[2]), data.length - 1) : data.length - 1;
    const headers: Record<string, string | number> = { 'content-type': source.contentType, 'content-length': end - start + 1, 'accept-ranges': 'bytes' };
    if (range) headers['content-range'] = `bytes ${start}-${end}/${data.length}`;
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === 'HEAD') return void res.end();
    let offset = start;
    const timer = setInterval(() => {
      const piece = data.subarray(offset, Math.min(offset + pace.bytes, end + 1));
      offset += piece.length;
      res.write(piece);
      if (offset > end) {
        clearInterval(timer);
        res.end();
      }
    }, pace.everyMs);
    res.once('close', () => clearInterval(timer));
  }

  /** Admin endpoints, for a test or script in another process. */
  private handleAdmin(req: IncomingMessage, res: ServerResponse, path: string, body: string): void {
    const payload: Record<string, unknown> = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    switch (`${req.method} ${path}`) {
      case 'GET /__emulator/state':
        return this.json(res, 200, {
          apiUrl: this.apiUrl,
          cdnUrl: this.cdnUrl,
          peakRunning: this.peakRunning,
          peakCdnInFlight: this.peakCdnInFlight,
          requests: this.requests,
          tasks: [...this.tasks.values()],
        });
      case 'POST /__emulator/reset':
        this.reset(payload);
        return this.json(res, 200, { ok: true });
      case 'POST /__emulator/fault':
        this.fault(payload as unknown as Fault);
        return this.json(res, 200, { ok: true });
      case 'POST /__emulator/source': {
        const { name, fixture, ...options } = payload as { name?: unknown; fixture?: unknown } & Omit<SourceOptions, 'data'>;
        if (typeof name !== 'string' || !name) return this.json(res, 400, { error: 'name is required' });
        const url = typeof fixture === 'string' ? this.addFixture(name, fixture, options) : this.addSource(name, options);
        return this.json(res, 200, { ok: true, url });
      }
      case 'POST /__emulator/plan':
        this.plan(typeof payload.match === 'string' ? payload.match : '', payload.plan ?? {});
        return this.json(res, 200, { ok: true });
      default:
        return this.json(res, 404, { error: 'unknown admin endpoint' });
    }
  }
}
