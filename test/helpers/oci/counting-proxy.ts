/** A counting (and optionally misbehaving) HTTP reverse proxy in front of a registry. */
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request,
  type ServerResponse,
} from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { serverUrl } from './free-port.js';

/** What a request is about, from its path. */
export type RequestKind = 'ping' | 'tags' | 'manifest' | 'blob' | 'upload' | 'referrers' | 'token' | 'other';

/** A request as a hook sees it. */
export interface ProxiedRequest {
  method: string;
  /** Path and query. */
  url: string;
  kind: RequestKind;
  headers: IncomingHttpHeaders;
}

/** A canned answer a hook returns instead of forwarding. */
export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Forward the request, but break the connection after so many body bytes (a reset mid-transfer). */
export interface CutConnection {
  /** Response body bytes to send before resetting. */
  cutResponseAfter?: number;
  /** Request body bytes to accept before resetting. */
  cutRequestAfter?: number;
}

/** Decides per request: forward it (`'pass'`), answer it with a fake response, or forward and cut it. */
export type ProxyHook = (
  req: ProxiedRequest,
) => 'pass' | FakeResponse | CutConnection | Promise<'pass' | FakeResponse | CutConnection>;

/** Proxy options. */
export interface CountingProxyOptions {
  /** Flip one byte in the middle of every `GET …/blobs/<digest>` response body (length kept). */
  corruptBlobs?: boolean;
  /** Fault injection: see ProxyHook. */
  hook?: ProxyHook;
  /** Forward the client's Host header unchanged (needed by servers that check request signatures over it). */
  preserveHost?: boolean;
}

/** Counters since start or the last reset. */
export interface ProxyCounts {
  /** By `METHOD kind`, e.g. `GET blob`, `HEAD manifest`, `PUT upload`. */
  requests: Record<string, number>;
  /** Response body bytes by kind. */
  bytesOut: Record<string, number>;
  /** Request body bytes by kind. */
  bytesIn: Record<string, number>;
  /** All requests. */
  total: number;
}

/** A running proxy. */
export interface CountingProxy {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** A copy of the counters. */
  counts(): ProxyCounts;
  /** Zeroes the counters. */
  reset(): void;
  /** Closes the proxy and every connection through it; idempotent. */
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The kind of a registry request path. */
export function requestKind(path: string): RequestKind {
  const p = path.split('?')[0]!;
  if (p === '/v2' || p === '/v2/') return 'ping';
  if (/\/token\/?$/.test(p) || p.startsWith('/token')) return 'token';
  if (!p.startsWith('/v2/')) return 'other';
  if (/\/tags\/list$/.test(p)) return 'tags';
  if (/\/blobs\/uploads(\/|$)/.test(p)) return 'upload';
  if (/\/manifests\/[^/]+$/.test(p)) return 'manifest';
  if (/\/blobs\/[^/]+$/.test(p)) return 'blob';
  if (/\/referrers\/[^/]+$/.test(p)) return 'referrers';
  return 'other';
}

function emptyCounts(): ProxyCounts {
  return { requests: {}, bytesOut: {}, bytesIn: {}, total: 0 };
}

function bump(map: Record<string, number>, key: string, n: number): void {
  map[key] = (map[key] ?? 0) + n;
}

/** Flips the byte at `at` of a stream, counting offsets across chunks. */
function corrupter(at: number): Transform {
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      if (at >= offset && at < offset + chunk.length) {
        const copy = Buffer.from(chunk);
        copy[at - offset] = copy[at - offset]! ^ 0xff;
        chunk = copy;
      }
      offset += chunk.length;
      done(null, chunk);
    },
  });
}

/** Starts a proxy on a free port of 127.0.0.1 forwarding to `targetUrl` (e.g. a registry's url). */
export async function startCountingProxy(
  targetUrl: string,
  opts: CountingProxyOptions = {},
): Promise<CountingProxy> {
  const target = new URL(targetUrl);
  const agent = new Agent({ keepAlive: true });
  let counts = emptyCounts();
  let proxyOrigin = '';

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    kind: RequestKind,
    cut: CutConnection = {},
  ): void => {
    const headers: OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers))
      if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
    if (!opts.preserveHost) headers.host = target.host;
    const upstream = request(
      {
        protocol: target.protocol,
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
        agent,
      },
      (up) => {
        const out: OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(up.headers))
          if (!HOP_BY_HOP.has(k) && v !== undefined) out[k] = v;
        const location = up.headers.location;
        if (location?.startsWith(target.origin))
          out.location = proxyOrigin + location.slice(target.origin.length);
        res.writeHead(up.statusCode ?? 502, up.statusMessage, out);
        up.on('data', (c: Buffer) => bump(counts.bytesOut, kind, c.length));
        if (cut.cutResponseAfter !== undefined) {
          let sent = 0;
          up.on('data', (c: Buffer) => {
            sent += c.length;
            if (sent > cut.cutResponseAfter!) {
              up.destroy();
              res.socket?.destroy();
            }
          });
        }
        const length = Number(up.headers['content-length'] ?? NaN);
        const corrupt = opts.corruptBlobs && req.method === 'GET' && kind === 'blob' && up.statusCode === 200;
        if (corrupt && length > 0) up.pipe(corrupter(Math.floor(length / 2))).pipe(res);
        else if (corrupt) {
          const chunks: Buffer[] = [];
          up.on('data', (c: Buffer) => chunks.push(c));
          up.on('end', () => {
            const body = Buffer.concat(chunks);
            if (body.length > 0) body[body.length >> 1] = body[body.length >> 1]! ^ 0xff;
            res.end(body);
          });
        } else up.pipe(res);
        up.on('error', () => res.destroy());
      },
    );
    upstream.on('error', (err) => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${err.message}`);
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    let received = 0;
    req
      .pipe(
        new Transform({
          transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
            bump(counts.bytesIn, kind, chunk.length);
            received += chunk.length;
            if (cut.cutRequestAfter !== undefined && received > cut.cutRequestAfter) {
              upstream.destroy();
              req.socket.destroy();
              return;
            }
            done(null, chunk);
          },
        }),
      )
      .pipe(upstream);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const kind = requestKind(req.url ?? '/');
    counts.total++;
    bump(counts.requests, `${req.method} ${kind}`, 1);
    const verdict = opts.hook
      ? await opts.hook({ method: req.method ?? 'GET', url: req.url ?? '/', kind, headers: req.headers })
      : 'pass';
    if (verdict === 'pass') {
      forward(req, res, kind);
      return;
    }
    if (!('status' in verdict)) {
      forward(req, res, kind, verdict);
      return;
    }
    req.on('data', (c: Buffer) => bump(counts.bytesIn, kind, c.length));
    const body = verdict.body === undefined ? Buffer.alloc(0) : Buffer.from(verdict.body);
    bump(counts.bytesOut, kind, body.length);
    res.writeHead(verdict.status, { 'content-length': String(body.length), ...verdict.headers });
    res.end(body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`proxy hook failed: ${String(err)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  proxyOrigin = serverUrl(server);
  let stopping: Promise<void> | undefined;
  return {
    host: new URL(proxyOrigin).host,
    url: proxyOrigin,
    counts: () => structuredClone(counts),
    reset: () => {
      counts = emptyCounts();
    },
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      });
      return stopping;
    },
  };
}
