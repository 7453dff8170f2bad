export const id = 80;
export const ids = [80,721];
export const modules = {

/***/ 12721:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  S3Client: () => (/* binding */ S3Client)
});

// UNUSED EXPORTS: BUCKET_RETRY, MAX_SINGLE_PUT_BYTES

// EXTERNAL MODULE: ./src/shared/sha256.ts
var sha256 = __webpack_require__(81510);
;// CONCATENATED MODULE: ./node_modules/aws4fetch/dist/aws4fetch.esm.mjs
/**
 * @license MIT <https://opensource.org/licenses/MIT>
 * @copyright Michael Hart 2024
 */
const encoder = new TextEncoder();
const HOST_SERVICES = {
  appstream2: 'appstream',
  cloudhsmv2: 'cloudhsm',
  email: 'ses',
  marketplace: 'aws-marketplace',
  mobile: 'AWSMobileHubService',
  pinpoint: 'mobiletargeting',
  queue: 'sqs',
  'git-codecommit': 'codecommit',
  'mturk-requester-sandbox': 'mturk-requester',
  'personalize-runtime': 'personalize',
};
const UNSIGNABLE_HEADERS = new Set([
  'authorization',
  'content-type',
  'content-length',
  'user-agent',
  'presigned-expires',
  'expect',
  'x-amzn-trace-id',
  'range',
  'connection',
]);
class AwsClient {
  constructor({ accessKeyId, secretAccessKey, sessionToken, service, region, cache, retries, initRetryMs }) {
    if (accessKeyId == null) throw new TypeError('accessKeyId is a required option')
    if (secretAccessKey == null) throw new TypeError('secretAccessKey is a required option')
    this.accessKeyId = accessKeyId;
    this.secretAccessKey = secretAccessKey;
    this.sessionToken = sessionToken;
    this.service = service;
    this.region = region;
    this.cache = cache || new Map();
    this.retries = retries != null ? retries : 10;
    this.initRetryMs = initRetryMs || 50;
  }
  async sign(input, init) {
    if (input instanceof Request) {
      const { method, url, headers, body } = input;
      init = Object.assign({ method, url, headers }, init);
      if (init.body == null && headers.has('Content-Type')) {
        init.body = body != null && headers.has('X-Amz-Content-Sha256') ? body : await input.clone().arrayBuffer();
      }
      input = url;
    }
    const signer = new AwsV4Signer(Object.assign({ url: input.toString() }, init, this, init && init.aws));
    const signed = Object.assign({}, init, await signer.sign());
    delete signed.aws;
    try {
      return new Request(signed.url.toString(), signed)
    } catch (e) {
      if (e instanceof TypeError) {
        return new Request(signed.url.toString(), Object.assign({ duplex: 'half' }, signed))
      }
      throw e
    }
  }
  async fetch(input, init) {
    for (let i = 0; i <= this.retries; i++) {
      const fetched = fetch(await this.sign(input, init));
      if (i === this.retries) {
        return fetched
      }
      const res = await fetched;
      if (res.status < 500 && res.status !== 429) {
        return res
      }
      await new Promise(resolve => setTimeout(resolve, Math.random() * this.initRetryMs * Math.pow(2, i)));
    }
    throw new Error('An unknown error occurred, ensure retries is not negative')
  }
}
class AwsV4Signer {
  constructor({ method, url, headers, body, accessKeyId, secretAccessKey, sessionToken, service, region, cache, datetime, signQuery, appendSessionToken, allHeaders, singleEncode }) {
    if (url == null) throw new TypeError('url is a required option')
    if (accessKeyId == null) throw new TypeError('accessKeyId is a required option')
    if (secretAccessKey == null) throw new TypeError('secretAccessKey is a required option')
    this.method = method || (body ? 'POST' : 'GET');
    this.url = new URL(url);
    this.headers = new Headers(headers || {});
    this.body = body;
    this.accessKeyId = accessKeyId;
    this.secretAccessKey = secretAccessKey;
    this.sessionToken = sessionToken;
    let guessedService, guessedRegion;
    if (!service || !region) {
[guessedService, guessedRegion] = guessServiceRegion(this.url, this.headers);
    }
    this.service = service || guessedService || '';
    this.region = region || guessedRegion || 'us-east-1';
    this.cache = cache || new Map();
    this.datetime = datetime || new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
    this.signQuery = signQuery;
    this.appendSessionToken = appendSessionToken || this.service === 'iotdevicegateway';
    this.headers.delete('Host');
    if (this.service === 's3' && !this.signQuery && !this.headers.has('X-Amz-Content-Sha256')) {
      this.headers.set('X-Amz-Content-Sha256', 'UNSIGNED-PAYLOAD');
    }
    const params = this.signQuery ? this.url.searchParams : this.headers;
    params.set('X-Amz-Date', this.datetime);
    if (this.sessionToken && !this.appendSessionToken) {
      params.set('X-Amz-Security-Token', this.sessionToken);
    }
    this.signableHeaders = ['host', ...this.headers.keys()]
      .filter(header => allHeaders || !UNSIGNABLE_HEADERS.has(header))
      .sort();
    this.signedHeaders = this.signableHeaders.join(';');
    this.canonicalHeaders = this.signableHeaders
      .map(header => header + ':' + (header === 'host' ? this.url.host : (this.headers.get(header) || '').replace(/\s+/g, ' ')))
      .join('\n');
    this.credentialString = [this.datetime.slice(0, 8), this.region, this.service, 'aws4_request'].join('/');
    if (this.signQuery) {
      if (this.service === 's3' && !params.has('X-Amz-Expires')) {
        params.set('X-Amz-Expires', '86400');
      }
      params.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA256');
      params.set('X-Amz-Credential', this.accessKeyId + '/' + this.credentialString);
      params.set('X-Amz-SignedHeaders', this.signedHeaders);
    }
    if (this.service === 's3') {
      try {
        this.encodedPath = decodeURIComponent(this.url.pathname.replace(/\+/g, ' '));
      } catch (e) {
        this.encodedPath = this.url.pathname;
      }
    } else {
      this.encodedPath = this.url.pathname.replace(/\/+/g, '/');
    }
    if (!singleEncode) {
      this.encodedPath = encodeURIComponent(this.encodedPath).replace(/%2F/g, '/');
    }
    this.encodedPath = encodeRfc3986(this.encodedPath);
    const seenKeys = new Set();
    this.encodedSearch = [...this.url.searchParams]
      .filter(([k]) => {
        if (!k) return false
        if (this.service === 's3') {
          if (seenKeys.has(k)) return false
          seenKeys.add(k);
        }
        return true
      })
      .map(pair => pair.map(p => encodeRfc3986(encodeURIComponent(p))))
      .sort(([k1, v1], [k2, v2]) => k1 < k2 ? -1 : k1 > k2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0)
      .map(pair => pair.join('='))
      .join('&');
  }
  async sign() {
    if (this.signQuery) {
      this.url.searchParams.set('X-Amz-Signature', await this.signature());
      if (this.sessionToken && this.appendSessionToken) {
        this.url.searchParams.set('X-Amz-Security-Token', this.sessionToken);
      }
    } else {
      this.headers.set('Authorization', await this.authHeader());
    }
    return {
      method: this.method,
      url: this.url,
      headers: this.headers,
      body: this.body,
    }
  }
  async authHeader() {
    return [
      'AWS4-HMAC-SHA256 Credential=' + this.accessKeyId + '/' + this.credentialString,
      'SignedHeaders=' + this.signedHeaders,
      'Signature=' + (await this.signature()),
    ].join(', ')
  }
  async signature() {
    const date = this.datetime.slice(0, 8);
    const cacheKey = [this.secretAccessKey, date, this.region, this.service].join();
    let kCredentials = this.cache.get(cacheKey);
    if (!kCredentials) {
      const kDate = await hmac('AWS4' + this.secretAccessKey, date);
      const kRegion = await hmac(kDate, this.region);
      const kService = await hmac(kRegion, this.service);
      kCredentials = await hmac(kService, 'aws4_request');
      this.cache.set(cacheKey, kCredentials);
    }
    return buf2hex(await hmac(kCredentials, await this.stringToSign()))
  }
  async stringToSign() {
    return [
      'AWS4-HMAC-SHA256',
      this.datetime,
      this.credentialString,
      buf2hex(await hash(await this.canonicalString())),
    ].join('\n')
  }
  async canonicalString() {
    return [
      this.method.toUpperCase(),
      this.encodedPath,
      this.encodedSearch,
      this.canonicalHeaders + '\n',
      this.signedHeaders,
      await this.hexBodyHash(),
    ].join('\n')
  }
  async hexBodyHash() {
    let hashHeader = this.headers.get('X-Amz-Content-Sha256') || (this.service === 's3' && this.signQuery ? 'UNSIGNED-PAYLOAD' : null);
    if (hashHeader == null) {
      if (this.body && typeof this.body !== 'string' && !('byteLength' in this.body)) {
        throw new Error('body must be a string, ArrayBuffer or ArrayBufferView, unless you include the X-Amz-Content-Sha256 header')
      }
      hashHeader = buf2hex(await hash(this.body || ''));
    }
    return hashHeader
  }
}
async function hmac(key, string) {
  const cryptoKey = await crypto.subtle.importKey(
    'raw',
    typeof key === 'string' ? encoder.encode(key) : key,
    { name: 'HMAC', hash: { name: 'SHA-256' } },
    false,
    ['sign'],
  );
  return crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(string))
}
async function hash(content) {
  return crypto.subtle.digest('SHA-256', typeof content === 'string' ? encoder.encode(content) : content)
}
const HEX_CHARS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'];
function buf2hex(arrayBuffer) {
  const buffer = new Uint8Array(arrayBuffer);
  let out = '';
  for (let idx = 0; idx < buffer.length; idx++) {
    const n = buffer[idx];
    out += HEX_CHARS[(n >>> 4) & 0xF];
    out += HEX_CHARS[n & 0xF];
  }
  return out
}
function encodeRfc3986(urlEncodedStr) {
  return urlEncodedStr.replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase())
}
function guessServiceRegion(url, headers) {
  const { hostname, pathname } = url;
  if (hostname.endsWith('.on.aws')) {
    const match = hostname.match(/^[^.]{1,63}\.lambda-url\.([^.]{1,63})\.on\.aws$/);
    return match != null ? ['lambda', match[1] || ''] : ['', '']
  }
  if (hostname.endsWith('.r2.cloudflarestorage.com')) {
    return ['s3', 'auto']
  }
  if (hostname.endsWith('.backblazeb2.com')) {
    const match = hostname.match(/^(?:[^.]{1,63}\.)?s3\.([^.]{1,63})\.backblazeb2\.com$/);
    return match != null ? ['s3', match[1] || ''] : ['', '']
  }
  const match = hostname.replace('dualstack.', '').match(/([^.]{1,63})\.(?:([^.]{0,63})\.)?amazonaws\.com(?:\.cn)?$/);
  let service = (match && match[1]) || '';
  let region = match && match[2];
  if (region === 'us-gov') {
    region = 'us-gov-west-1';
  } else if (region === 's3' || region === 's3-accelerate') {
    region = 'us-east-1';
    service = 's3';
  } else if (service === 'iot') {
    if (hostname.startsWith('iot.')) {
      service = 'execute-api';
    } else if (hostname.startsWith('data.jobs.iot.')) {
      service = 'iot-jobs-data';
    } else {
      service = pathname === '/mqtt' ? 'iotdevicegateway' : 'iotdata';
    }
  } else if (service === 'autoscaling') {
    const targetPrefix = (headers.get('X-Amz-Target') || '').split('.')[0];
    if (targetPrefix === 'AnyScaleFrontendService') {
      service = 'application-autoscaling';
    } else if (targetPrefix === 'AnyScaleScalingPlannerFrontendService') {
      service = 'autoscaling-plans';
    }
  } else if (region == null && service.startsWith('s3-')) {
    region = service.slice(3).replace(/^fips-|^external-1/, '');
    service = 's3';
  } else if (service.endsWith('-fips')) {
    service = service.slice(0, -5);
  } else if (region && /-\d$/.test(service) && !/-\d$/.test(region)) {
[service, region] = [region, service];
  }
  return [HOST_SERVICES[service] || service, region || '']
}



// EXTERNAL MODULE: ./node_modules/undici/index.js
var undici = __webpack_require__(46752);
// EXTERNAL MODULE: ./src/inputs/bucket.ts
var inputs_bucket = __webpack_require__(16423);
// EXTERNAL MODULE: ./src/shared/errors.ts
var errors = __webpack_require__(58382);
// EXTERNAL MODULE: ./src/shared/redact.ts
var redact = __webpack_require__(48932);
// EXTERNAL MODULE: ./src/shared/log.ts
var log = __webpack_require__(21827);
// EXTERNAL MODULE: ./src/shared/format.ts
var format = __webpack_require__(36338);
// EXTERNAL MODULE: ./src/http/transport.ts
var transport = __webpack_require__(71517);
// EXTERNAL MODULE: ./src/http/retry.ts
var retry = __webpack_require__(28902);
// EXTERNAL MODULE: ./src/bucket/addressing.ts
var addressing = __webpack_require__(47696);
;// CONCATENATED MODULE: ./src/bucket/client.ts
/**
 * The one client of S3-compatible storage: signed PUT and DELETE of objects
 * and presigned GET URLs, path-style, SigV4 by aws4fetch, bodies streamed by
 * undici. It is the only holder of the AWS credentials on the wire: they go to
 * the endpoint's origin and nowhere else (redirects are not followed). Loaded
 * with a dynamic import() only when a bucket input is set.
 */











/** A store's hiccup (5xx, 429, a reset) is tried again a few times; each try resends the whole body. */
const BUCKET_RETRY = { maxAttempts: 4, baseMs: 1000, capMs: 10_000, retryAfterCapMs: 30_000, maxFormatErrors: 0 };
/** A single PUT takes up to 5 GB; more needs a multipart upload, which this client does not do. */
const MAX_SINGLE_PUT_BYTES = 5 * 1000 ** 3;
/** Longest wait for S3's answer once the last byte is sent, and longest silence while it arrives. */
const ANSWER_TIMEOUT_MS = 120_000;
const BODY_TIMEOUT_MS = 60_000;
/** S3 error answers are small XML documents. */
const MAX_ERROR_BYTES = 64 * 1024;
class S3Client {
    options;
    log;
    constructor(options) {
        this.options = options;
        this.log = options.log ?? log/* SILENT */.q;
    }
    /** Stores an object (replacing one with the same key), retrying transient failures. */
    async put(object) {
        const { bucket, key, contentType } = object;
        await this.retried(`Storing ${(0,inputs_bucket/* objectUri */.WE)(bucket, key)}`, async () => {
            const body = await object.open();
            const length = Buffer.isBuffer(body) ? body.length : body.length;
            if (length > MAX_SINGLE_PUT_BYTES) {
                if (!Buffer.isBuffer(body))
                    body.stream.destroy();
                throw new errors/* BucketError */.PI(`${(0,inputs_bucket/* objectUri */.WE)(bucket, key)} would be ${length} bytes; a single PUT takes at most 5 GB.`);
            }
            const payloadHash = Buffer.isBuffer(body) ? (0,sha256/* sha256Hex */.f)(body) : 'UNSIGNED-PAYLOAD';
            const headers = { 'content-type': contentType, 'content-length': String(length), 'x-amz-content-sha256': payloadHash };
            await this.send('PUT', bucket, key, headers, Buffer.isBuffer(body) ? body : body.stream);
        });
    }
    /** Deletes an object (S3 answers 204 whether or not it existed). */
    async delete(bucket, key) {
        await this.retried(`Deleting ${(0,inputs_bucket/* objectUri */.WE)(bucket, key)}`, () => this.send('DELETE', bucket, key, { 'x-amz-content-sha256': EMPTY_SHA256 }));
    }
    /**
     * A GET URL anyone can use until it expires (query-string SigV4, no headers
     * needed). Its signature is a bearer credential: it is registered with the
     * run's redactor (and masked) before the URL is returned.
     */
    async presignGet(bucket, key, expiresSeconds) {
        const expires = Math.round(expiresSeconds);
        if (!(expires >= addressing/* MIN_PRESIGN_SECONDS */.yL && expires <= addressing/* MAX_PRESIGN_SECONDS */.mU)) {
            throw new RangeError(`A presigned URL lives ${addressing/* MIN_PRESIGN_SECONDS */.yL} s to ${addressing/* MAX_PRESIGN_SECONDS */.mU} s; asked for ${expiresSeconds}.`);
        }
        const url = new URL((0,addressing/* objectUrl */.bC)(this.options.settings.endpoint, bucket, key));
        url.searchParams.set('X-Amz-Expires', String(expires));
        const signed = await this.signer('GET', url, {}, true).sign();
        const signature = signed.url.searchParams.get('X-Amz-Signature') ?? '';
        (0,redact/* registerSecret */.cl)(signature);
        return signed.url.toString();
    }
    signer(method, url, headers, signQuery = false) {
        const { credentials, region } = this.options.settings;
        return new AwsV4Signer({ method, url: url.toString(), headers, ...credentials, service: 's3', region, signQuery });
    }
    /** One signed request; a non-2xx answer becomes a BucketError with S3's code. */
    async send(method, bucket, key, headers, body) {
        const { signal } = this.options;
        const url = new URL((0,addressing/* objectUrl */.bC)(this.options.settings.endpoint, bucket, key));
        const signed = await this.signer(method, url, headers).sign();
        const sent = { 'user-agent': transport/* USER_AGENT */._O };
        signed.headers.forEach((value, name) => (sent[name] = value));
        let response;
        try {
            response = await (0,undici.request)(signed.url, {
                method,
                headers: sent,
                body,
                dispatcher: (0,transport/* getDispatcher */.wo)(),
                signal,
                headersTimeout: ANSWER_TIMEOUT_MS,
                bodyTimeout: BODY_TIMEOUT_MS,
            });
        }
        catch (error) {
            if (body && !Buffer.isBuffer(body))
                body.destroy();
            // The body's own failure (the result host broke off, or sent no video) is told as it is, not as the store's.
            if (error instanceof errors/* DownloadError */.nV)
                throw error;
            throw (0,transport/* toNetworkError */.Ur)(error, `The request to ${url.origin}`, signal);
        }
        const { statusCode } = response;
        let text = '';
        try {
            text = await (0,transport/* readLimitedText */.gw)(response.body, MAX_ERROR_BYTES);
        }
        catch {
            // An unreadable or huge answer: the status alone says it.
        }
        if (statusCode >= 200 && statusCode < 300)
            return;
        const { code, message } = (0,addressing/* parseS3Error */.mK)(text);
        const transient = statusCode >= 500 || statusCode === 429 || statusCode === 408;
        const said = `S3 answered HTTP ${statusCode}${code ? ` ${code}` : ''}${message ? ` (${message})` : ''}`;
        throw new errors/* BucketError */.PI(`${said}.`, statusCode, code, transient, (0,transport/* parseRetryAfter */.mu)(response.headers['retry-after']));
    }
    /** Runs one operation through the one retry loop: transient store answers, network failures and transient result-host failures. */
    retried(what, attempt) {
        const policy = this.options.retry ?? BUCKET_RETRY;
        return (0,retry/* withRetries */.LH)(attempt, {
            policy,
            signal: this.options.signal,
            random: this.options.random,
            sleep: this.options.sleep,
            retryable: (error) => !(error instanceof errors/* CancelledError */.cc) &&
                ((error instanceof errors/* BucketError */.PI && error.transient) || error instanceof errors/* NetworkError */.Dr || (error instanceof errors/* DownloadError */.nV && error.transient)),
            retryAfterMs: (error) => (error instanceof errors/* BucketError */.PI || error instanceof errors/* DownloadError */.nV ? error.retryAfterMs : undefined),
            onRetry: (error, delayMs, next) => this.log.info(`${what} failed (${(0,errors/* errorClause */.Y7)(error)}); trying again in ${(0,format/* formatSeconds */.Xo)(delayMs / 1000)} s (attempt ${next} of ${policy.maxAttempts}).`),
        });
    }
}
/** SHA-256 of no bytes: the payload hash of a DELETE. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';


/***/ }),

/***/ 23080:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   proveBucketWrites: () => (/* binding */ proveBucketWrites),
/* harmony export */   storeResults: () => (/* binding */ storeResults)
/* harmony export */ });
/* unused harmony export RESULT_CONTENT_TYPE */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(48161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_5___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_5__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(46466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_6___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_6__);
/* harmony import */ var undici__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(46752);
/* harmony import */ var _bucket_client__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(12721);
/* harmony import */ var _inputs_bucket__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(16423);
/* harmony import */ var _shared_errors__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(58382);
/* harmony import */ var _http_transport__WEBPACK_IMPORTED_MODULE_11__ = __webpack_require__(71517);
/* harmony import */ var _shared_wording__WEBPACK_IMPORTED_MODULE_12__ = __webpack_require__(8273);
/* harmony import */ var _download__WEBPACK_IMPORTED_MODULE_13__ = __webpack_require__(31862);
/**
 * result-bucket: each result stored in the user's S3-compatible bucket as
 * `<prefix><result name>` (the names downloads use), streamed from the result
 * host straight into one PUT, or from the saved file when `download` kept it.
 * Writes are proven before anything is paid for. Loaded with import() only
 * when result-bucket is set, since it loads the S3 client.
 */














const RESULT_CONTENT_TYPE = 'video/mp4';
/** Longest wait for the result host's headers, and longest silence while its body streams. */
const RESULT_STALL_TIMEOUT_MS = 60_000;
/**
 * Proves the bucket takes writes before anything is paid for: a zero-byte
 * marker under the prefix (a name no result has), then deleted. A refused
 * PUT stops the run unpaid, naming the location and S3's answer; a refused
 * DELETE only warns (the marker stays).
 */
async function proveBucketWrites(settings, location, log, signal) {
    const client = new _bucket_client__WEBPACK_IMPORTED_MODULE_8__.S3Client({ settings, signal, log });
    const { bucket, prefix } = location;
    const key = `${prefix}.reapi-write-check-${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(8).toString('hex')}`;
    try {
        await client.put({ bucket, key, contentType: 'application/octet-stream', open: () => Buffer.alloc(0) });
    }
    catch (error) {
        if (error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .CancelledError */ .cc || !(error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .ActionError */ .lZ))
            throw error;
        const status = error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .BucketError */ .PI ? error.status : undefined;
        const code = error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .BucketError */ .PI ? error.code : undefined;
        throw new _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .BucketError */ .PI((0,_shared_wording__WEBPACK_IMPORTED_MODULE_12__/* .notSubmitted */ .tb)(`Input 'result-bucket': ${(0,_inputs_bucket__WEBPACK_IMPORTED_MODULE_9__/* .objectUri */ .WE)(bucket, prefix)} did not accept a test write: ${(0,_shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .errorClause */ .Y7)(error)}.`), status, code);
    }
    try {
        await client.delete(bucket, key);
    }
    catch (error) {
        if (error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .CancelledError */ .cc || !(error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .ActionError */ .lZ))
            throw error;
        log.warning(`Could not delete the write check ${(0,_inputs_bucket__WEBPACK_IMPORTED_MODULE_9__/* .objectUri */ .WE)(bucket, key)} (${(0,_shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .errorClause */ .Y7)(error)}); delete it yourself, or allow deletes under the prefix.`);
    }
    log.info(`Result bucket ${(0,_inputs_bucket__WEBPACK_IMPORTED_MODULE_9__/* .objectUri */ .WE)(bucket, prefix)} accepts writes.`);
}
/**
 * Stores a clip's results, in order: from the saved file when there is one,
 * else streamed from the result host (a retry fetches it again). A failure
 * names the object and S3's answer; the caller adds the task id.
 */
async function storeResults(settings, location, clip, options) {
    const { signal, log } = options;
    const client = new _bucket_client__WEBPACK_IMPORTED_MODULE_8__.S3Client({ settings, signal, log });
    const stored = [];
    for (const [index, url] of clip.videoUrls.entries()) {
        const file = clip.files[index];
        // The saved file's name, else the name it would have been saved under (the same rule).
        const name = file?.name ?? clip.names[index] ?? '';
        const key = `${location.prefix}${name}`;
        const uri = (0,_inputs_bucket__WEBPACK_IMPORTED_MODULE_9__/* .objectUri */ .WE)(location.bucket, key);
        const spooled = [];
        let bytes = 0;
        const open = async () => {
            const body = file ? { stream: (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.createReadStream)(file.path), length: (await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.stat)(file.path)).size } : await openResult(url, log, signal, spooled);
            bytes = body.length;
            return body;
        };
        try {
            await client.put({ bucket: location.bucket, key, contentType: RESULT_CONTENT_TYPE, open });
        }
        catch (error) {
            if (error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .CancelledError */ .cc || !(error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .ActionError */ .lZ))
                throw error;
            const status = error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .BucketError */ .PI ? error.status : undefined;
            throw new _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .BucketError */ .PI(`Storing the result as ${uri} failed: ${(0,_shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .errorClause */ .Y7)(error)}.`, status, error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .BucketError */ .PI ? error.code : undefined);
        }
        finally {
            await Promise.all(spooled.map((path) => (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rm)(path, { force: true })));
        }
        const object = { uri, bytes };
        stored.push(object);
        options.onStored?.(object);
    }
    return stored;
}
/**
 * One fetch of the result (redirects followed, no credentials on any hop),
 * as a stream with its length. A host that declares no length is spooled to
 * a temporary file first (S3 needs the length before the first byte); its
 * path goes into `spooled` for the caller to remove.
 */
async function openResult(url, log, signal, spooled) {
    let current = url;
    for (let hop = 0;; hop++) {
        let response;
        try {
            response = await (0,undici__WEBPACK_IMPORTED_MODULE_7__.request)(current, {
                method: 'GET',
                dispatcher: (0,_http_transport__WEBPACK_IMPORTED_MODULE_11__/* .getDispatcher */ .wo)(),
                signal,
                headersTimeout: RESULT_STALL_TIMEOUT_MS,
                bodyTimeout: RESULT_STALL_TIMEOUT_MS,
                // Built here, from nothing: neither the API key nor AWS credentials go to the result host.
                headers: { 'user-agent': _http_transport__WEBPACK_IMPORTED_MODULE_11__/* .USER_AGENT */ ._O, accept: 'video/mp4, */*', 'accept-encoding': 'identity' },
            });
        }
        catch (error) {
            throw (0,_http_transport__WEBPACK_IMPORTED_MODULE_11__/* .toNetworkError */ .Ur)(error, `Fetching the result ${current}`, signal);
        }
        const { statusCode, headers } = response;
        if (_http_transport__WEBPACK_IMPORTED_MODULE_11__/* .REDIRECT_STATUSES */ .aq.has(statusCode)) {
            await response.body.dump();
            const location = (0,_http_transport__WEBPACK_IMPORTED_MODULE_11__/* .header */ .wx)(headers, 'location');
            if (!location || hop >= _http_transport__WEBPACK_IMPORTED_MODULE_11__/* .MAX_REDIRECTS */ .NX)
                throw new _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .DownloadError */ .nV(`The result host answered HTTP ${statusCode} for ${current} and no usable redirect.`, false);
            const next = new URL(location, current);
            if (next.protocol !== 'https:' && next.protocol !== 'http:')
                throw new _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .DownloadError */ .nV(`The result host redirected to a ${next.protocol} URL.`, false);
            const downgrade = (0,_download__WEBPACK_IMPORTED_MODULE_13__/* .downgradeWarning */ .oF)(new URL(current), next);
            if (downgrade)
                log.warning(downgrade);
            current = next.href;
            continue;
        }
        if (statusCode !== 200) {
            await response.body.dump().catch(() => undefined);
            const transient = statusCode >= 500 || statusCode === 408 || statusCode === 429;
            throw new _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .DownloadError */ .nV(`The result host answered HTTP ${statusCode} for ${current}.`, transient, (0,_http_transport__WEBPACK_IMPORTED_MODULE_11__/* .parseRetryAfter */ .mu)(headers['retry-after']));
        }
        const declared = (0,_http_transport__WEBPACK_IMPORTED_MODULE_11__/* .header */ .wx)(headers, 'content-length');
        const length = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
        const inspector = new _download__WEBPACK_IMPORTED_MODULE_13__/* .Mp4Inspector */ .dA((0,_http_transport__WEBPACK_IMPORTED_MODULE_11__/* .header */ .wx)(headers, 'content-type'), length, log);
        // Errors travel down the chain: a result host that breaks off fails the PUT that reads it.
        const stream = (0,node_stream__WEBPACK_IMPORTED_MODULE_5__.pipeline)(response.body, inspector, () => undefined);
        if (length !== undefined)
            return { stream, length };
        const path = (0,node_path__WEBPACK_IMPORTED_MODULE_4__.join)(process.env.RUNNER_TEMP || (0,node_os__WEBPACK_IMPORTED_MODULE_3__.tmpdir)(), `.reapi-result-${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(6).toString('hex')}.part`);
        spooled.push(path);
        try {
            await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_6__.pipeline)(stream, (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.createWriteStream)(path), { signal });
        }
        catch (error) {
            if (signal?.aborted)
                throw new _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .CancelledError */ .cc('Storing the result was cancelled.');
            if (error instanceof _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .DownloadError */ .nV)
                throw error;
            throw new _shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .DownloadError */ .nV(`Fetching the result ${current} broke off (${(0,_shared_errors__WEBPACK_IMPORTED_MODULE_10__/* .errorClause */ .Y7)(error)}).`, true);
        }
        return { stream: (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.createReadStream)(path), length: (await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.stat)(path)).size };
    }
}


/***/ }),

/***/ 21827:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   q: () => (/* binding */ SILENT)
/* harmony export */ });
/** A log that drops everything: for callers that have nothing to say to the user. */
const SILENT = {
    info: () => undefined,
    warning: () => undefined,
    debug: () => undefined,
    group: (_title, work) => work(),
};


/***/ })

};
