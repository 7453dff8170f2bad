import { describe, expect, it } from 'vitest';
import { encodeKey, objectUrl, parseS3Error } from '../../src/bucket/addressing';
import { bucketNameProblem, parseS3Location, readCredentials, resolveEndpoint, resolveRegion } from '../../src/inputs/bucket';
import { parseInputs } from '../../src/inputs/parse';
import { InputError } from '../../src/shared/errors';
import { registerSecret } from '../../src/shared/redact';

describe('encodeKey', () => {
  it.each([
    ['videos/clip-2x.mp4', 'videos/clip-2x.mp4'],
    // A raw + is a space to S3: always %2B.
    ['a+b.mp4', 'a%2Bb.mp4'],
    ['my clip.mp4', 'my%20clip.mp4'],
    ["it's (final)*!.mp4", 'it%27s%20%28final%29%2A%21.mp4'],
    ['été/ü.mp4', '%C3%A9t%C3%A9/%C3%BC.mp4'],
    ['a%2Fb?x#y&z=1.mp4', 'a%252Fb%3Fx%23y%26z%3D1.mp4'],
    ['keep-._~/x', 'keep-._~/x'],
  ])('%j → %j', (key, encoded) => expect(encodeKey(key)).toBe(encoded));

  it('builds path-style URLs', () => {
    expect(objectUrl('https://acc.r2.cloudflarestorage.com', 'media', 'out/a+b.mp4')).toBe('https://acc.r2.cloudflarestorage.com/media/out/a%2Bb.mp4');
  });
});

describe('parseS3Location', () => {
  it.each([
    ['s3://my-bucket/videos/', { bucket: 'my-bucket', prefix: 'videos/' }],
    ['s3://my-bucket/', { bucket: 'my-bucket', prefix: '' }],
    ['s3://my-bucket', { bucket: 'my-bucket', prefix: '' }],
    ['s3://media.example.com/a/b c/', { bucket: 'media.example.com', prefix: 'a/b c/' }],
    ['s3://gcs_bucket_1/x+y/', { bucket: 'gcs_bucket_1', prefix: 'x+y/' }],
  ])('%j', (text, location) => expect(parseS3Location('result-bucket', text)).toEqual(location));

  it.each([
    ['my-bucket/videos/', /must be an s3:\/\/ location/],
    ['https://my-bucket/videos/', /must be an s3:\/\/ location/],
    ['s3://My-Bucket/', /bucket name must be 3 to 63 lowercase/],
    ['s3://ab/', /bucket name must be 3 to 63/],
    ['s3:///videos/', /bucket name/],
    ['s3://a..b/', /two dots/],
    ['s3://192.168.1.10/', /IP address/],
    ['s3://bucket/videos', /must end with \//],
    ['s3://bucket//', /empty, \. or \.\. folders/],
    ['s3://bucket/a/../b/', /empty, \. or \.\. folders/],
    ['s3://bucket/./', /empty, \. or \.\. folders/],
    ['s3://bucket/a\nb/', /control character/],
    [`s3://bucket/${'x'.repeat(600)}/`, /longer than 512 bytes/],
  ])('refuses %j', (text, reason) => {
    expect(() => parseS3Location('result-bucket', text)).toThrow(InputError);
    expect(() => parseS3Location('result-bucket', text)).toThrow(reason);
  });

  it('names the input', () => expect(() => parseS3Location('source-bucket', 'x')).toThrow(/^Input 'source-bucket'/));
  it('accepts the boundary names', () => {
    expect(bucketNameProblem('abc')).toBeUndefined();
    expect(bucketNameProblem('a'.repeat(63))).toBeUndefined();
    expect(bucketNameProblem('a'.repeat(64))).toBeDefined();
    expect(bucketNameProblem('abc-')).toBeDefined();
  });
});

describe('parseS3Error', () => {
  it('reads the code and message', () => {
    const xml = '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Access &amp; denied</Message></Error>';
    expect(parseS3Error(xml)).toEqual({ code: 'AccessDenied', message: 'Access & denied' });
  });

  it('drops a code that is not a plain identifier and makes the message one short line', () => {
    const xml = `<Error><Code>Bad code\n::warning::x</Code><Message>line1\n::error::line2 ${'x'.repeat(500)}</Message></Error>`;
    const answer = parseS3Error(xml);
    expect(answer.code).toBeUndefined();
    expect(answer.message).not.toContain('\n');
    expect(answer.message!.length).toBeLessThanOrEqual(201); // 200 and the ellipsis
  });

  it('is empty for an answer that is not S3 XML', () => {
    expect(parseS3Error('<html>502 Bad Gateway</html>')).toEqual({ code: undefined, message: undefined });
    expect(parseS3Error('')).toEqual({ code: undefined, message: undefined });
  });

  it('scrubs a registered secret S3 echoes, as sent, URL-encoded and JSON-escaped', () => {
    const secret = 'uNiT+sEcReT/"for-parse-error"';
    registerSecret(secret);
    const echoed = [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)].join(' | ').replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const answer = parseS3Error(`<Error><Code>InternalError</Code><Message>saw ${echoed}</Message></Error>`);
    expect(answer.message).not.toContain('sEcReT');
    expect(answer.message).toContain('***');
  });
});

describe('bucket settings', () => {
  const env = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret/key+1' };

  it('takes the region from the input, then AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1', () => {
    expect(resolveRegion('auto', { AWS_REGION: 'eu-west-1' })).toBe('auto');
    expect(resolveRegion('', { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2' })).toBe('eu-west-1');
    expect(resolveRegion('', { AWS_DEFAULT_REGION: 'us-west-2' })).toBe('us-west-2');
    expect(resolveRegion('', {})).toBe('us-east-1');
    expect(() => resolveRegion('EU West', {})).toThrow(/Input 's3-region' must be a region name/);
    expect(() => resolveRegion('', { AWS_REGION: 'x y' })).toThrow(/^AWS_REGION must be/);
  });

  it('uses AWS S3 for an empty endpoint, and refuses what is not a plain http(s) URL', () => {
    expect(resolveEndpoint('', 'eu-west-1')).toBe('https://s3.eu-west-1.amazonaws.com');
    expect(resolveEndpoint('https://acc.r2.cloudflarestorage.com/', 'auto')).toBe('https://acc.r2.cloudflarestorage.com');
    expect(resolveEndpoint('http://127.0.0.1:9000/minio', 'us-east-1')).toBe('http://127.0.0.1:9000/minio');
    for (const bad of ['ftp://x.example', 'https://u:p@x.example', 'https://x.example/?a=1', 'https://x.example/#f', 'x.example', 'https:///']) {
      expect(() => resolveEndpoint(bad, 'us-east-1'), bad).toThrow(/^Input 's3-endpoint'/);
    }
  });

  it('names the missing credential variables', () => {
    expect(() => readCredentials({}, ['result-bucket'])).toThrow(
      /^Input 'result-bucket' needs AWS credentials in the environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set/,
    );
    expect(() => readCredentials({ AWS_ACCESS_KEY_ID: 'AKIA' }, ['result-bucket'])).toThrow(/but AWS_SECRET_ACCESS_KEY is not set/);
    expect(() => readCredentials({ ...env, AWS_SECRET_ACCESS_KEY: 'has space' }, ['result-bucket'])).toThrow(/^AWS_SECRET_ACCESS_KEY contains a space/);
    expect(readCredentials({ ...env, AWS_SESSION_TOKEN: 'tok' }, ['result-bucket'])).toEqual({
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'secret/key+1',
      sessionToken: 'tok',
    });
  });

  const inputs = (values: Record<string, string>, environment: NodeJS.ProcessEnv = env) => parseInputs((name) => values[name] ?? '', environment);

  it('parses result-bucket into the typed inputs, with the store settings', () => {
    const parsed = inputs({ 'api-key': 'rk', 'video-url': 'https://cdn.example.com/a.mp4', 'result-bucket': 's3://media/out/', 's3-region': 'auto' });
    expect(parsed.resultBucket).toEqual({ bucket: 'media', prefix: 'out/' });
    expect(parsed.s3).toEqual({
      endpoint: 'https://s3.auto.amazonaws.com',
      region: 'auto',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret/key+1', sessionToken: undefined },
    });
  });

  it('needs no credentials without a bucket input, and refuses a bucket input without them', () => {
    const base = { 'api-key': 'rk', 'video-url': 'https://cdn.example.com/a.mp4' };
    expect(inputs(base, {}).s3).toBeUndefined();
    expect(() => inputs({ ...base, 's3-endpoint': 'ftp://x' }, {})).toThrow(/Input 's3-endpoint'/);
    expect(() => inputs({ ...base, 'result-bucket': 's3://media/' }, {})).toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set/);
    expect(() => inputs({ ...base, 'result-bucket': 's3://media/', wait: 'false' })).toThrow(/Input 'result-bucket' needs wait: true/);
  });
});
