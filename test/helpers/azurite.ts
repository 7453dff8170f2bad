/**
 * Azurite (the Azure Storage emulator) as a blob store for the fakes of
 * GitHub's artifact and cache services: a child process on 127.0.0.1, in
 * memory, plus SAS URLs signed the way the real services hand them out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobSASPermissions, BlobServiceClient, StorageSharedKeyCredential, generateBlobSASQueryParameters, type ContainerClient } from '@azure/storage-blob';

/** Azurite's published development account (https://learn.microsoft.com/azure/storage/common/storage-use-azurite). */
export const ACCOUNT = 'devstoreaccount1';
export const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export async function startAzurite(workdir: string): Promise<{ child: ChildProcess; endpoint: string }> {
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

/** One blob container on a private Azurite, with SAS URLs for its blobs. */
export class AzuriteContainer {
  container?: ContainerClient;
  private child?: ChildProcess;
  private workdir = '';
  private readonly credential = new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY);

  constructor(private readonly name: string) {}

  async start(): Promise<ContainerClient> {
    this.workdir = await mkdtemp(join(tmpdir(), 'reapi-azurite-'));
    const { child, endpoint } = await startAzurite(this.workdir);
    this.child = child;
    this.container = new BlobServiceClient(endpoint, this.credential).getContainerClient(this.name);
    await this.container.createIfNotExists();
    return this.container;
  }

  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      this.child.kill('SIGTERM');
      await once(this.child, 'exit');
    }
    if (this.workdir) await rm(this.workdir, { recursive: true, force: true });
  }

  /** A SAS URL for one blob with the given permissions ('cw' to upload, 'r' to download), valid for an hour. */
  signedUrl(blobName: string, permissions: string): string {
    const container = this.container as ContainerClient;
    const sas = generateBlobSASQueryParameters(
      { containerName: this.name, blobName, permissions: BlobSASPermissions.parse(permissions), expiresOn: new Date(Date.now() + 3_600_000) },
      this.credential,
    );
    return `${container.getBlockBlobClient(blobName).url}?${sas.toString()}`;
  }
}
