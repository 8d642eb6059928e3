/**
 * The one HTTP layer every remote call goes through (Node's http/https with kept-alive connections): it
 * follows redirects without leaking credentials across origins, turns network failures into
 * TransientError, counts every request in RequestStats, and never prints a credential or a signed URL.
 * Retries and rate limits wrap it.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errorMessage, findError, PromoterError, RemoteError, TransientError } from '../../errors.js';
import { RequestStats } from './request-stats.js';
import { sanitizeUrl } from './sanitize.js';

/** Response headers (lowercase names). */
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

/** A response body: a stream the caller must consume, or discard with `dump()`. */
export type ResponseBody = Readable & {
  /** Reads the body to the end as text. */
  text(): Promise<string>;
  /** Discards the rest of the body. */
  dump(): Promise<void>;
};

/** A response whose body the caller must consume or discard. */
export interface HttpResponse {
  status: number;
  headers: Headers;
  body: ResponseBody;
  /** Set by the retry layer when this failure is what remained after its whole retry budget. */
  exhausted?: boolean;
  /** The URL that answered (after redirects). */
  url: string;
}

/** Anything that sends requests: the transport itself, or a layer wrapped around it (retries, limits). */
export interface Transport {
  request(req: HttpRequest): Promise<HttpResponse>;
  readonly stats: RequestStats;
}

/** The first value of a response header (name in any case). */
export function header(headers: Headers, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENOTFOUND',
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

/** Adds `text()` and `dump()` to a response stream. */
function asBody(stream: Readable): ResponseBody {
  const body = stream as ResponseBody;
  body.text = async () => {
    const chunks: Buffer[] = [];
    for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
    return Buffer.concat(chunks).toString('utf8');
  };
  body.dump = async () => {
    if (stream.readableEnded || stream.destroyed) return;
    stream.resume();
    await new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
  };
  return body;
}

/** Options of the transport. */
export interface TransportOptions {
  /** Milliseconds a connection may stay silent (waiting for headers, or mid-body) before failing (default 120 s). */
  idleTimeoutMs?: number;
  /** Connections per origin (default 16). */
  connections?: number;
  stats?: RequestStats;
}

/** The transport over Node's http and https modules. */
export class HttpTransport implements Transport {
  readonly stats: RequestStats;
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly idleTimeoutMs: number;

  constructor(opts: TransportOptions = {}) {
    this.stats = opts.stats ?? new RequestStats();
    const agentOpts = { keepAlive: true, maxSockets: opts.connections ?? 16, keepAliveMsecs: 30_000 };
    this.agents = { http: new http.Agent(agentOpts), https: new https.Agent(agentOpts) };
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 120_000;
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
      } else if (body instanceof Readable) {
        throw new TransientError(`${method} ${sanitizeUrl(url)} was redirected after its body was sent`, {
          host: url.host,
        });
      }
      url = next;
    }
  }

  private send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: HttpRequest['body'],
    kind: string,
  ): Promise<HttpResponse> {
    const host = url.host;
    const sent = bodyLength(body, headers);
    const what = `${method} ${sanitizeUrl(url)}`;
    const isHttps = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        this.stats.record({ host, method, kind, status: 'error', bytesSent: 0, bytesReceived: 0 });
        // An error of ours (a body stream that failed its digest check) passes through unchanged.
        const own = findError(err, PromoterError);
        if (own) return reject(own);
        if (isNetworkError(err))
          return reject(new TransientError(`${what}: ${errorMessage(err)}`, { cause: err, host }));
        reject(new RemoteError(`${what}: ${errorMessage(err)}`, { cause: err, host }));
      };
      const options = { method, headers, agent: isHttps ? this.agents.https : this.agents.http };
      const request = (isHttps ? https : http).request(url, options, (res: IncomingMessage) => {
        if (settled) return void res.resume();
        settled = true;
        const status = res.statusCode ?? 0;
        const received = Number(res.headers['content-length'] ?? 0);
        this.stats.record({ host, method, kind, status, bytesSent: sent, bytesReceived: received });
        resolve({ status, headers: res.headers, body: asBody(res), url: url.toString() });
      });
      request.setTimeout(this.idleTimeoutMs, () => {
        const err = Object.assign(new Error(`no data for ${this.idleTimeoutMs} ms`), { code: 'ETIMEDOUT' });
        request.destroy(err);
      });
      request.on('error', fail);
      if (body instanceof Readable) {
        pipeline(body, request).catch((err: unknown) => {
          request.destroy(err as Error);
          fail(err);
        });
      } else {
        request.end(body);
      }
    });
  }

  /** Closes idle connections. */
  async close(): Promise<void> {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
