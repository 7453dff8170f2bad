import { createHash } from 'node:crypto';

/** SHA-256 of a string (UTF-8) or bytes, in hex: keys, identities and payload hashes all use this one. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
