/**
 * The one HTTP layer every remote call goes through (undici, kept-alive connections): it follows redirects
 * without leaking credentials across origins, turns network failures into TransientError, counts every
 * request in RequestStats, and never prints a credential or a signed URL. Retries and rate limits wrap it.
 */
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher, request } from 'undici';
import { errorMessage, findError, PromoterError, RemoteError, TransientError } from '../../errors.js';
import { RequestStats } from './request-stats.js';
import { sanitizeUrl } from './sanitize.js';

/** Response headers as undici gives them. */
export type Headers = Record<string, string | string[] | undefined>;

/** A request: where, how, and what it is for (a label for the statistics). */
export interface HttpRequest {
  method: string;
  url: string | URL;
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
  /** Statistics label: manifest, blob, upload, tags, token, ping… */
  kind: string;
  /** Redirects to follow (default 5; 0 returns the 3xx response). */
  maxRedirects?: number;
}

/** A response whose body the caller must consume or discard (`body.dump()`). */
export interface HttpResponse {
  status: number;
  headers: Headers;
  body: Dispatcher.ResponseData['body'];
  /** The URL that answered (after redirects). */
  url: string;
}

/** Anything that sends requests: the transport itself, or a layer wrapped around it (retries, limits). */
export interface Transport {
  request(req: HttpRequest): Promise<HttpResponse>;
  readonly stats: RequestStats;
}

/** The first value of a response header, lowercased name. */
export function header(headers: Headers, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** True for a failure of the connection rather than of the request. */
export function isNetworkError(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 5 && e instanceof Error; i++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code && NETWORK_CODES.has(code)) return true;
    e = e.cause;
  }
  return false;
}

function bodyLength(body: HttpRequest['body'], headers: Record<string, string>): number {
  if (body === undefined) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (Buffer.isBuffer(body)) return body.length;
  return Number(headers['content-length'] ?? 0);
}

/** Options of the transport. */
export interface TransportOptions {
  /** Milliseconds to wait for response headers (default 60 s). */
  headersTimeoutMs?: number;
  /** Milliseconds of silence allowed while a body streams (default 120 s). */
  bodyTimeoutMs?: number;
  /** Connections per origin (default 16). */
  connections?: number;
  stats?: RequestStats;
}

/** The undici-backed transport. */
export class HttpTransport implements Transport {
  readonly stats: RequestStats;
  private readonly agent: Agent;

  constructor(opts: TransportOptions = {}) {
    this.stats = opts.stats ?? new RequestStats();
    this.agent = new Agent({
      connections: opts.connections ?? 16,
      headersTimeout: opts.headersTimeoutMs ?? 60_000,
      bodyTimeout: opts.bodyTimeoutMs ?? 120_000,
      connect: { timeout: 10_000 },
      keepAliveTimeout: 30_000,
    });
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    let url = new URL(req.url.toString());
    let method = req.method;
    let headers = { ...req.headers };
    let body = req.body;
    for (let hops = 0; ; hops++) {
      const res = await this.send(url, method, headers, body, req.kind);
      const location = header(res.headers, 'location');
      const redirect = [301, 302, 303, 307, 308].includes(res.status) && location !== undefined;
      if (!redirect || hops >= (req.maxRedirects ?? 5)) return res;
      await res.body.dump();
      const next = new URL(location, url);
      if (next.origin !== url.origin) {
        // Credentials are for the registry, never for the storage it redirects to (signed URLs carry their own).
        const { authorization: _a, ...rest } = headers;
        headers = rest;
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      } else if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) {
        throw new TransientError(`${method} ${sanitizeUrl(url)} was redirected after its body was sent`, {
          host: url.host,
        });
      }
      url = next;
    }
  }

  private async send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: HttpRequest['body'],
    kind: string,
  ) {
    const host = url.host;
    const sent = bodyLength(body, headers);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body,
        dispatcher: this.agent,
      });
    } catch (err) {
      this.stats.record({ host, method, kind, status: 'error', bytesSent: 0, bytesReceived: 0 });
      // An error of ours (a body stream that failed its digest check) passes through unchanged.
      const own = findError(err, PromoterError);
      if (own) throw own;
      const what = `${method} ${sanitizeUrl(url)}`;
      if (isNetworkError(err))
        throw new TransientError(`${what}: ${errorMessage(err)}`, { cause: err, host });
      throw new RemoteError(`${what}: ${errorMessage(err)}`, { cause: err, host });
    }
    const received = Number(header(res.headers, 'content-length') ?? 0);
    this.stats.record({
      host,
      method,
      kind,
      status: res.statusCode,
      bytesSent: sent,
      bytesReceived: received,
    });
    return { status: res.statusCode, headers: res.headers, body: res.body, url: url.toString() };
  }

  /** Closes idle connections. */
  async close(): Promise<void> {
    await this.agent.close();
  }
}
