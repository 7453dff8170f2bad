import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { collectYoungGarbage, DOWNLOAD_GC_EVERY_BYTES } from '../shared/young-gc';

/** Read buffer: fewer, larger reads; memory stays one buffer whatever the file size. */
const READ_BUFFER_BYTES = 1024 * 1024;

/** SHA-256 (hex) and size of a file on disk (a downloaded result), read as a stream. */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let sinceGc = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: READ_BUFFER_BYTES }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    // Each read is a fresh buffer outside the heap: collect the dead ones as we go, as a download does (young-gc.ts).
    sinceGc += chunk.length;
    if (sinceGc >= DOWNLOAD_GC_EVERY_BYTES) {
      sinceGc = 0;
      collectYoungGarbage();
    }
  }
  return { sha256: hash.digest('hex'), bytes };
}
