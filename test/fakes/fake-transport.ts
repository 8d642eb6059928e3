/** A Transport for unit tests: answers from a function and records every request. */
import { Readable } from 'node:stream';
import { RequestStats } from '../../promoter/adapters/http/request-stats.js';
import type { HttpRequest, HttpResponse, Transport } from '../../promoter/adapters/http/transport.js';

/** What a handler answers. */
export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Records requests; `handler` decides the answers. */
export class FakeTransport implements Transport {
  readonly stats = new RequestStats();
  readonly requests: (HttpRequest & { url: string })[] = [];

  constructor(private readonly handler: (req: HttpRequest & { url: string }) => FakeAnswer) {}

  async request(req: HttpRequest): Promise<HttpResponse> {
    const r = { ...req, url: req.url.toString() };
    this.requests.push(r);
    const a = this.handler(r);
    const stream = Readable.from(a.body === undefined ? [] : [Buffer.from(a.body)]);
    const consume = async () => {
      const chunks: Buffer[] = [];
      for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
      return Buffer.concat(chunks).toString('utf8');
    };
    const body = Object.assign(stream, { text: consume, dump: async () => void (await consume()) });
    const headers = Object.fromEntries(Object.entries(a.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    this.stats.record({
      host: new URL(r.url).host,
      method: r.method,
      kind: r.kind,
      status: a.status,
      bytesSent: 0,
      bytesReceived: 0,
    });
    return { status: a.status, headers, body, url: r.url };
  }
}
