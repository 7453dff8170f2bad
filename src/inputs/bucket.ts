/**
 * The bucket inputs (`result-bucket`, `source-bucket`, `s3-endpoint`,
 * `s3-region`) and the AWS credentials from the environment, parsed into typed
 * values or one InputError. Pure: nothing here talks to a bucket (that is
 * src/bucket/, loaded only when one of these inputs is set).
 */
import { InputError } from '../shared/errors';
import { hasControlCharacters } from '../shared/text';
import { preview } from './values';

/** Where objects go: a bucket and a key prefix (empty, or ending in `/`). */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/** Credentials as `aws-actions/configure-aws-credentials` leaves them in the environment. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials (OIDC, an assumed role): sent as X-Amz-Security-Token. */
  sessionToken?: string;
}

/** How to reach and sign for the store every bucket input names. */
export interface S3Settings {
  /** Origin (and optional path) without a trailing slash; objects are `<endpoint>/<bucket>/<key>`. */
  endpoint: string;
  /** SigV4 signing region (`auto` for R2). */
  region: string;
  credentials: S3Credentials;
}

/** Longest key prefix taken: S3 keys are at most 1024 bytes, and the result name needs room. */
export const MAX_PREFIX_BYTES = 512;

/** A bucket name every S3-compatible store accepts in a path: 3 to 63 lowercase letters, digits, `.`, `-`, `_`. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;

/** Why `name` cannot be a bucket name, or undefined when it can. */
export function bucketNameProblem(name: string): string | undefined {
  if (!BUCKET_NAME.test(name)) return 'must be 3 to 63 lowercase letters, digits, dots, hyphens or underscores, starting and ending with a letter or digit';
  if (name.includes('..')) return 'must not hold two dots in a row';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'must not look like an IP address';
  return undefined;
}

/** Why `prefix` cannot be a key prefix, or undefined when it can. */
export function prefixProblem(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  if (hasControlCharacters(prefix)) return 'holds a line break, tab or another control character';
  if (Buffer.byteLength(prefix) > MAX_PREFIX_BYTES) return `is longer than ${MAX_PREFIX_BYTES} bytes`;
  if (!prefix.endsWith('/')) return 'must end with / (a folder of the bucket)';
  const segments = prefix.slice(0, -1).split('/');
  // An empty, `.` or `..` segment would be rewritten by URL parsing (and read differently by stores): refused, not guessed.
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return 'must not hold empty, . or .. folders (// or /./ or /../)';
  return undefined;
}

/**
 * Parses `s3://bucket/prefix/` (or `s3://bucket` for the bucket's top level)
 * for the input `name`, or throws an InputError saying what is allowed.
 */
export function parseS3Location(name: string, text: string): S3Location {
  const example = `e.g. s3://my-bucket/videos/`;
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/s.exec(text);
  if (!match) throw new InputError(`Input '${name}' must be an s3:// location such as s3://my-bucket/videos/; got ${preview(text)}.`);
  const bucket = match[1] ?? '';
  const prefix = match[2] ?? '';
  const bucketProblem = bucketNameProblem(bucket);
  if (bucketProblem) throw new InputError(`Input '${name}': the bucket name ${bucketProblem} (${example}); got ${preview(text)}.`);
  const problem = prefixProblem(prefix);
  if (problem) throw new InputError(`Input '${name}': the key prefix after the bucket ${problem} (${example}); got ${preview(text)}.`);
  return { bucket, prefix };
}

/** `s3://bucket/key`, as outputs and logs name an object. */
export function objectUri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** The signing region: the input, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1. */
export function resolveRegion(text: string, env: NodeJS.ProcessEnv): string {
  const region = text || env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || 'us-east-1';
  if (!/^[a-z0-9-]{1,64}$/.test(region)) {
    const from = text ? "Input 's3-region'" : env.AWS_REGION?.trim() ? 'AWS_REGION' : 'AWS_DEFAULT_REGION';
    throw new InputError(`${from} must be a region name such as us-east-1 (or auto for Cloudflare R2); got ${preview(region)}.`);
  }
  return region;
}

/** The endpoint: the input (an http(s) origin, optional path), else AWS S3 in `region`. */
export function resolveEndpoint(text: string, region: string): string {
  if (!text) return `https://s3.${region}.amazonaws.com`;
  const allowed = 'it must be an http(s) URL such as https://<account>.r2.cloudflarestorage.com, without credentials, query string or fragment';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(`Input 's3-endpoint' is not a URL (got ${preview(text)}); ${allowed}.`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname || hasControlCharacters(text)) {
    throw new InputError(`Input 's3-endpoint' ${preview(text)} cannot be used: ${allowed}.`);
  }
  if (url.search || url.hash || url.username || url.password || text.includes('?') || text.includes('#')) {
    throw new InputError(`Input 's3-endpoint' ${preview(text)} cannot be used: ${allowed}.`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** A credential value holds no whitespace or non-ASCII character (a stray newline from a pasted secret). */
function checkCredential(variable: string, value: string): void {
  if (/^[\x21-\x7e]+$/.test(value)) return;
  throw new InputError(`${variable} contains a space, line break or non-ASCII character, which no AWS credential has; check the secret's value.`);
}

/** The credentials from the environment, or one InputError naming what is missing and who needs it. */
export function readCredentials(env: NodeJS.ProcessEnv, neededBy: readonly string[]): S3Credentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim() ?? '';
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim() ?? '';
  const sessionToken = env.AWS_SESSION_TOKEN?.trim() || undefined;
  const missing = [accessKeyId ? '' : 'AWS_ACCESS_KEY_ID', secretAccessKey ? '' : 'AWS_SECRET_ACCESS_KEY'].filter(Boolean);
  if (missing.length > 0) {
    const inputs = neededBy.map((name) => `'${name}'`).join(' and ');
    throw new InputError(
      `Input ${inputs} needs AWS credentials in the environment, but ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set: use aws-actions/configure-aws-credentials before this step, or set them from secrets under env:.`,
    );
  }
  checkCredential('AWS_ACCESS_KEY_ID', accessKeyId);
  checkCredential('AWS_SECRET_ACCESS_KEY', secretAccessKey);
  if (sessionToken) checkCredential('AWS_SESSION_TOKEN', sessionToken);
  return { accessKeyId, secretAccessKey, sessionToken };
}

/**
 * The store's settings when a bucket input is set (`neededBy` names them),
 * else undefined. The endpoint and region are checked whenever they are given.
 */
export function parseS3Settings(get: (name: string) => string, env: NodeJS.ProcessEnv, neededBy: readonly string[]): S3Settings | undefined {
  if (neededBy.length === 0) {
    // Not used, but a bad value is still a mistake worth a line (the environment is not looked at).
    if (get('s3-region')) resolveRegion(get('s3-region'), {});
    if (get('s3-endpoint')) resolveEndpoint(get('s3-endpoint'), 'us-east-1');
    return undefined;
  }
  const region = resolveRegion(get('s3-region'), env);
  const endpoint = resolveEndpoint(get('s3-endpoint'), region);
  return { endpoint, region, credentials: readCredentials(env, neededBy) };
}

/** The AWS secrets of the environment, to be masked before anything can print them (whether or not a bucket input is set). */
export function awsSecretsOf(env: NodeJS.ProcessEnv): string[] {
  return [env.AWS_SECRET_ACCESS_KEY?.trim() ?? '', env.AWS_SESSION_TOKEN?.trim() ?? ''].filter(Boolean);
}
