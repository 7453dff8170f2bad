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
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ContainerClient } from '@azure/storage-blob';
import { AzuriteContainer } from './azurite';
import { readBody } from './read-body';

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

export class ArtifactService {
  readonly calls: TwirpCall[] = [];
  /** Artifact ids handed out by FinalizeArtifact, by artifact name. */
  readonly artifacts = new Map<string, { id: number; blobName: string; size: string }>();
  resultsUrl = '';

  private azurite = new AzuriteContainer(CONTAINER);
  private server: Server;
  private container?: ContainerClient;
  private nextId = 4000;

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    this.container = await this.azurite.start();
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.resultsUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
    await this.azurite.stop();
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
    return this.azurite.signedUrl(blobName, 'cw');
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
