/**
 * Where an object lives on the wire: path-style `<endpoint>/<bucket>/<key>`,
 * with the key encoded the way SigV4 signs it, and S3's XML error answers
 * read as the untrusted text they are.
 */
import { redact } from '../shared/redact';
import { oneLine, truncate } from '../shared/text';

/** A presigned URL lives 1 s to 7 days (SigV4's limits); here, away from the client, so callers need not load it. */
export const MIN_PRESIGN_SECONDS = 1;
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/**
 * A key as a URL path: each segment RFC 3986-encoded, `/` kept. A raw `+`
 * would be read as a space by S3, and `!'()*` are encoded as SigV4's
 * canonical path encodes them, so the path sent is the path signed.
 */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/** The object's URL, path-style: works with every S3-compatible store and custom endpoints. */
export function objectUrl(endpoint: string, bucket: string, key: string): string {
  return `${endpoint}/${bucket}/${encodeKey(key)}`;
}

/** What an S3 error answer said: its `<Code>` when it is one (letters, digits, dots), and its `<Message>` made fit for a line. */
export interface S3ErrorAnswer {
  code?: string;
  message?: string;
}

const S3_CODE = /^[A-Za-z][A-Za-z0-9.]{0,63}$/;

function element(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]{0,2000})</${name}>`).exec(xml);
  return match?.[1];
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos);/g, (_m, entity: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[entity] ?? '');
}

/**
 * Reads `<Error><Code>…</Code><Message>…</Message></Error>`. The text is
 * untrusted: scrubbed of the run's secrets before it is cut (S3 may echo a
 * credential), a code that is not a plain identifier is dropped rather than
 * printed, and the message is one line of at most 200 characters.
 */
export function parseS3Error(body: string): S3ErrorAnswer {
  const xml = redact(body);
  const rawCode = element(xml, 'Code')?.trim();
  const code = rawCode !== undefined && S3_CODE.test(rawCode) ? rawCode : undefined;
  const rawMessage = element(xml, 'Message');
  const message = rawMessage === undefined ? undefined : truncate(oneLine(redact(unescapeXml(rawMessage))).trim(), 200) || undefined;
  return { code, message };
}
