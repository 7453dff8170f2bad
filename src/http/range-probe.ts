/**
 * The HTTP requests of one source probe: timeouts, redirects, and what they
 * cost. They go to the user's host and never carry the API key.
 */
import { request, type Dispatcher } from 'undici';
import { CancelledError, PreflightDeadlineError, PreflightError, RangesNotSupportedError } from '../shared/errors';
import { MAX_REDIRECTS, REDIRECT_STATUSES, USER_AGENT, getDispatcher, header, toNetworkError } from './transport';
import type { Deadline } from '../inputs/parse';

/** Longest time for one request, start to end of body. */
export const REQUEST_TIMEOUT_MS = 15_000;

export interface SessionOptions {
  /** Cancels the probe (the step is stopping). */
  signal?: AbortSignal;
  /** Longest time for one request (default 15 s). */
  requestTimeoutMs?: number;
  /**
   * The step's deadline (`timeout`): each request gets at most the time left,
   * none starts after it, and a request cut short by it ends the probe with
   * PreflightDeadlineError.
   */
  deadline?: Deadline;
  /** Redirects followed per request (default 5). */
  maxRedirects?: number;
}

export function contentLength(headers: Dispatcher.ResponseData['headers']): number | undefined {
  const value = header(headers, 'content-length');
  return value && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

/** `bytes 0-99/1234` → { start: 0, total: 1234 }; total is undefined for `*`. */
export function parseContentRange(value: string | undefined): { start: number; total?: number } | undefined {
  const match = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(value ?? '');
  if (!match) return undefined;
  return { start: Number(match[1]), total: match[3] === '*' ? undefined : Number(match[3]) };
}

export interface Opened {
  status: number;
  headers: Dispatcher.ResponseData['headers'];
  body: Dispatcher.ResponseData['body'];
  /** The URL that answered, after redirects. */
  url: string;
  /** True once the step's deadline, not the request's own limit, cut this request short. */
  cutByDeadline: () => boolean;
}

/** The requests of one probe: timeouts, redirects, and what they cost. */
export class ProbeSession {
  bytesFetched = 0;
  requests = 0;
  private readonly timeoutMs: number;
  private readonly maxRedirects: number;

  constructor(
    private readonly url: string,
    private readonly source: string,
    private readonly options: SessionOptions,
  ) {
    this.timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
  }

  private deadlineError(): PreflightDeadlineError {
    return new PreflightDeadlineError(`${this.source} did not answer before the timeout ran out.`, this.url);
  }

  /** Time the next request may take: its own limit, or less when the step's deadline is nearer. Throws when no time is left. */
  private limitMs(): { ms: number; byDeadline: boolean } {
    const { deadline } = this.options;
    const left = deadline === undefined ? Infinity : deadline.at - Date.now();
    if (left <= 0) throw this.deadlineError();
    return left < this.timeoutMs ? { ms: Math.max(1, Math.ceil(left)), byDeadline: true } : { ms: this.timeoutMs, byDeadline: false };
  }

  /** What a failed request or body read becomes: a cancellation, the deadline, or a network error (a warning). */
  private failure(error: unknown, what: string, cutByDeadline: () => boolean): Error {
    const { signal, deadline } = this.options;
    // Preflight requests go to the source host, never to reApi: a cancelled one cannot have billed anything.
    if (signal?.aborted) return new CancelledError();
    if (error instanceof PreflightError || error instanceof PreflightDeadlineError) return error;
    if (cutByDeadline() || (deadline !== undefined && Date.now() >= deadline.at)) return this.deadlineError();
    return toNetworkError(error, what, signal);
  }

  /** Sends a HEAD or GET (with an optional byte range [start, end)), following redirects. The caller reads or dumps the body. */
  async open(method: 'HEAD' | 'GET', url: string, range?: { start: number; end: number }): Promise<Opened> {
    const { signal } = this.options;
    let target = url;
    for (let redirects = 0; ; redirects++) {
      if (signal?.aborted) throw new CancelledError();
      const limit = this.limitMs();
      const timeout = AbortSignal.timeout(limit.ms);
      const cutByDeadline = () => limit.byDeadline && timeout.aborted;
      this.requests++;
      let response: Dispatcher.ResponseData;
      try {
        response = await request(target, {
          method,
          dispatcher: getDispatcher(),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          headersTimeout: limit.ms,
          bodyTimeout: limit.ms,
          // Only these headers: the source lives on the user's host, which must never see the API key.
          headers: { 'user-agent': `${USER_AGENT} (preflight)`, accept: '*/*', ...(range ? { range: `bytes=${range.start}-${range.end - 1}` } : {}) },
        });
      } catch (error) {
        throw this.failure(error, `${method} ${this.source}`, cutByDeadline);
      }
      const location = header(response.headers, 'location');
      if (!REDIRECT_STATUSES.has(response.statusCode) || !location)
        return { status: response.statusCode, headers: response.headers, body: response.body, url: target, cutByDeadline };
      await this.discard(response.body);
      if (redirects >= this.maxRedirects) {
        throw new PreflightError(`${this.source} redirects more than ${this.maxRedirects} times; check video-url.`, url, response.statusCode);
      }
      const next = new URL(location, target);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new PreflightError(
          `${this.source} redirects to a ${next.protocol} URL, which the upscaler cannot fetch; check video-url.`,
          url,
          response.statusCode,
        );
      }
      target = next.href;
    }
  }

  /** Reads at most `limit` bytes of a body and drops the rest of it. */
  async read(opened: Opened, limit: number): Promise<Uint8Array> {
    const chunks: Buffer[] = [];
    let length = 0;
    try {
      for await (const chunk of opened.body as AsyncIterable<Buffer>) {
        this.bytesFetched += chunk.length;
        chunks.push(chunk);
        length += chunk.length;
        // Leaving the loop destroys the body, so a host that ignores Range does not send the whole file.
        if (length >= limit) break;
      }
    } catch (error) {
      throw this.failure(error, `GET ${this.source}`, opened.cutByDeadline);
    }
    return Buffer.concat(chunks).subarray(0, limit);
  }

  /**
   * Reads bytes [start, end) of `url` with a range request: fewer when the file
   * ends first, none past its end. A host that answers with the whole file
   * (ignoring Range) gives RangesNotSupportedError.
   */
  async readRange(url: string, start: number, end: number): Promise<Uint8Array> {
    const answer = await this.open('GET', url, { start, end });
    if (answer.status === 206) {
      const answered = parseContentRange(header(answer.headers, 'content-range'));
      if (answered && answered.start !== start) {
        answer.body.destroy();
        throw new Error(`the host answered a range request for byte ${start} with bytes from ${answered.start}`);
      }
      return this.read(answer, end - start);
    }
    if (answer.status === 416) {
      await this.discard(answer.body);
      return new Uint8Array(0);
    }
    if (answer.status === 200) {
      answer.body.destroy();
      throw new RangesNotSupportedError();
    }
    await this.discard(answer.body);
    throw new Error(`a range request was answered with HTTP ${answer.status}`);
  }

  /** Drops a body that is not needed (a HEAD answer, an error page, a redirect). */
  async discard(body: Opened['body']): Promise<void> {
    await body.dump({ limit: 64 * 1024 }).catch(() => undefined);
  }
}
