/**
 * A stand-in for the GitHub Actions artifact backend, on 127.0.0.1:
 *
 * - Azurite (the Azure Storage emulator) as the blob store, in a child process,
 *   in memory;
 * - a small results service speaking the Twirp JSON protocol that
 *   `@actions/artifact` uses: CreateArtifact answers with a SAS URL for a blob
 *   on Azurite, FinalizeArtifact with an artifact id.
 *
 * `env()` gives the variables a runner would set, so the bundled action talks
 * to these instead of GitHub.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobSASPermissions, BlobServiceClient, StorageSharedKeyCredential, generateBlobSASQueryParameters, type ContainerClient } from '@azure/storage-blob';

/** Azurite's published development account (https://learn.microsoft.com/azure/storage/common/storage-use-azurite). */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const CONTAINER = 'actions-results';
const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/';

export const RUN_BACKEND_ID = 'c0ffee00-0000-4000-8000-000000000001';
export const JOB_BACKEND_ID = 'c0ffee00-0000-4000-8000-000000000002';

/** One Twirp call as the service received it. */
export interface TwirpCall {
  method: string;
  authorization?: string;
  contentType?: string;
  body: Record<string, unknown>;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A runtime token shaped like the runner's: a JWT whose `scp` claim names the run and job (the client does not verify it). */
export function runtimeToken(): string {
  return `${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url({ scp: `Actions.GenericRead:0 Actions.Results:${RUN_BACKEND_ID}:${JOB_BACKEND_ID}` })}.c2lnbmF0dXJl`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function startAzurite(workdir: string): Promise<{ child: ChildProcess; endpoint: string }> {
  const main = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');
  const args = ['--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--skipApiVersionCheck', '--loose', '--disableTelemetry', '--silent'];
  const child = spawn(process.execPath, [main, ...args], { cwd: workdir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Azurite did not start within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /successfully listens on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with code ${code}:\n${output}`));
    });
  });
  return { child, endpoint: `${endpoint}/${ACCOUNT}` };
}

export class ArtifactService {
  readonly calls: TwirpCall[] = [];
  /** Artifact ids handed out by FinalizeArtifact, by artifact name. */
  readonly artifacts = new Map<string, { id: number; blobName: string; size: string }>();
  resultsUrl = '';

  private azurite?: ChildProcess;
  private workdir = '';
  private server: Server;
  private container?: ContainerClient;
  private credential = new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY);
  private nextId = 4000;

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    this.workdir = await mkdtemp(join(tmpdir(), 'reapi-azurite-'));
    const { child, endpoint } = await startAzurite(this.workdir);
    this.azurite = child;
    this.container = new BlobServiceClient(endpoint, this.credential).getContainerClient(CONTAINER);
    await this.container.createIfNotExists();
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.resultsUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
    if (this.azurite && this.azurite.exitCode === null) {
      this.azurite.kill('SIGTERM');
      await once(this.azurite, 'exit');
    }
    if (this.workdir) await rm(this.workdir, { recursive: true, force: true });
  }

  reset(): void {
    this.calls.length = 0;
    this.artifacts.clear();
  }

  /** What a runner provides to a JavaScript action for artifact uploads and links. */
  env(): Record<string, string> {
    return {
      ACTIONS_RUNTIME_TOKEN: runtimeToken(),
      ACTIONS_RESULTS_URL: this.resultsUrl,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'octo-org/video-pipeline',
      GITHUB_RUN_ID: '987654321',
    };
  }

  callsTo(method: 'CreateArtifact' | 'FinalizeArtifact'): TwirpCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** The bytes Azurite holds for an artifact. */
  async blob(artifactName: string): Promise<Buffer> {
    const artifact = this.artifacts.get(artifactName);
    if (!artifact) throw new Error(`no artifact named ${artifactName}`);
    return (this.container as ContainerClient).getBlockBlobClient(artifact.blobName).downloadToBuffer();
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
    this.calls.push({ method, authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
    if (req.headers.authorization !== `Bearer ${runtimeToken()}`) return this.twirpError(res, 401, 'unauthenticated', 'bad runtime token');
    if (body.workflow_run_backend_id !== RUN_BACKEND_ID || body.workflow_job_run_backend_id !== JOB_BACKEND_ID) {
      return this.twirpError(res, 400, 'invalid_argument', 'unknown run or job');
    }
    const name = String(body.name);
    const blobName = `${RUN_BACKEND_ID}/${JOB_BACKEND_ID}/${name}`;
    try {
      if (method === 'CreateArtifact') return this.json(res, { ok: true, signed_upload_url: this.signedUploadUrl(blobName) });
      if (method === 'FinalizeArtifact') {
        const properties = await (this.container as ContainerClient).getBlockBlobClient(blobName).getProperties();
        if (String(properties.contentLength) !== String(body.size)) {
          return this.twirpError(res, 400, 'invalid_argument', `size ${String(body.size)} does not match the blob (${properties.contentLength})`);
        }
        const id = this.nextId++;
        this.artifacts.set(name, { id, blobName, size: String(body.size) });
        return this.json(res, { ok: true, artifact_id: String(id) });
      }
    } catch (error) {
      return this.twirpError(res, 500, 'internal', String(error));
    }
    this.twirpError(res, 404, 'bad_route', `no method ${method}`);
  }

  /** A write-only SAS URL for one blob, as the real service hands out. */
  private signedUploadUrl(blobName: string): string {
    const sas = generateBlobSASQueryParameters(
      { containerName: CONTAINER, blobName, permissions: BlobSASPermissions.parse('cw'), expiresOn: new Date(Date.now() + 3_600_000) },
      this.credential,
    );
    return `${(this.container as ContainerClient).getBlockBlobClient(blobName).url}?${sas.toString()}`;
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
