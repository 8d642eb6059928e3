/** Request handlers of the test GCS server: object reads and writes, uploads (multipart, media, resumable), rewrite. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  parseContentRange,
  parseGoogHash,
  parseJsonObject,
  parseMultipart,
  parseRange,
  type ParsedRequest,
  type RequestKind,
  sendJson,
} from './gcs-http.js';
import {
  assertClientHashes,
  checkPreconditions,
  GcsError,
  type ObjectFields,
  objectFields,
  objectResource,
  ObjectStore,
  patchedFields,
  type StoredObject,
} from './gcs-objects.js';

/** A resumable upload session: what it will create and the bytes received so far. */
export interface UploadSession {
  bucket: string;
  name: string;
  fields: ObjectFields;
  params: URLSearchParams;
  chunks: Buffer[];
  received: number;
  state: 'open' | 'done' | 'failed';
  result?: StoredObject;
}

/** One request being answered. */
export interface Ctx {
  req: ParsedRequest;
  raw: IncomingMessage;
  body: Buffer;
  res: ServerResponse;
}

const UNSUPPORTED_LIST_PARAMS = ['versions', 'matchGlob', 'softDeleted', 'includeFoldersAsPrefixes'];

/** Answers 308 "Resume Incomplete" with the range received so far (none: no Range header). */
function incomplete(res: ServerResponse, received: number): void {
  res.writeHead(308, {
    ...(received > 0 ? { range: `bytes=0-${received - 1}` } : {}),
    'content-length': '0',
  });
  res.end();
}

/** Request handlers over one store; `origin` is set once the server listens. */
export class GcsHandlers {
  readonly store = new ObjectStore();
  readonly sessions = new Map<string, UploadSession>();
  origin = '';
  corruptNext = false;

  private readonly routes: Partial<Record<RequestKind, (ctx: Ctx) => void>> = {
    list: (c) => this.list(c),
    'get-metadata': (c) => sendJson(c.res, 200, objectResource(this.readable(c.req))),
    download: (c) => this.download(c),
    'upload-multipart': (c) => this.multipart(c),
    'upload-media': (c) => this.media(c),
    'upload-resumable-start': (c) => this.resumableStart(c),
    'upload-resumable-chunk': (c) => this.resumableChunk(c),
    rewrite: (c) => this.rewrite(c),
    delete: (c) => this.delete(c),
    patch: (c) => this.patch(c),
  };

  constructor(private readonly maxBody: number) {}

  /** Dispatches a parsed request to its handler; 404 for routes the server does not know. */
  route(ctx: Ctx): void {
    const handler = this.routes[ctx.req.kind];
    if (!handler)
      throw new GcsError(404, 'notFound', `test GCS server: no route for ${ctx.req.method} ${ctx.req.path}`);
    handler(ctx);
  }

  private readable({ bucket, object, query }: ParsedRequest): StoredObject {
    const obj = this.store.require(bucket!, object!, query.get('generation'));
    checkPreconditions(query, obj);
    return obj;
  }

  private list({ req, res }: Ctx): void {
    const q = req.query;
    const bad = UNSUPPORTED_LIST_PARAMS.find((p) => q.has(p) && q.get(p) !== 'false');
    if (bad) throw new GcsError(400, 'invalid', `test GCS server: list parameter ${bad} is not supported`);
    const maxResults = Number(q.get('maxResults') ?? 1000);
    if (!Number.isInteger(maxResults) || maxResults < 1)
      throw new GcsError(400, 'invalid', `Invalid maxResults: ${q.get('maxResults')}`);
    const page = this.store.list(req.bucket!, {
      prefix: q.get('prefix') ?? '',
      delimiter: q.get('delimiter') ?? '',
      maxResults: Math.min(maxResults, 1000),
      ...(q.get('pageToken') ? { pageToken: q.get('pageToken')! } : {}),
      ...(q.get('startOffset') ? { startOffset: q.get('startOffset')! } : {}),
      ...(q.get('endOffset') ? { endOffset: q.get('endOffset')! } : {}),
    });
    sendJson(res, 200, {
      kind: 'storage#objects',
      items: page.items.map(objectResource),
      ...(page.prefixes.length > 0 ? { prefixes: page.prefixes } : {}),
      ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
    });
  }

  private download({ req, raw, res }: Ctx): void {
    const obj = this.readable(req);
    const range = parseRange(raw.headers.range, obj.data.length);
    let data = range ? obj.data.subarray(range.start, range.end + 1) : obj.data;
    if (this.corruptNext && data.length > 0) {
      this.corruptNext = false;
      data = Buffer.from(data);
      data[data.length >> 1] = data[data.length >> 1]! ^ 0xff;
    }
    res.writeHead(range ? 206 : 200, {
      'content-type': obj.contentType,
      'content-length': String(data.length),
      'x-goog-hash': `crc32c=${obj.crc32c},md5=${obj.md5Hash}`,
      'x-goog-generation': obj.generation,
      'x-goog-metageneration': String(obj.metageneration),
      'x-goog-stored-content-length': String(obj.data.length),
      'x-goog-stored-content-encoding': 'identity',
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${range.start}-${range.end}/${obj.data.length}` } : {}),
    });
    res.end(data);
  }

  /** Stores an upload after checking preconditions and the hashes the client claims. */
  private commit(
    bucket: string,
    name: string,
    data: Buffer,
    fields: ObjectFields,
    params: URLSearchParams,
    claimed: { md5?: string; crc32c?: string },
  ): StoredObject {
    checkPreconditions(params, this.store.find(bucket, name));
    assertClientHashes(data, claimed);
    return this.store.write(bucket, name, data, fields);
  }

  private uploadName(req: ParsedRequest, resource: Record<string, unknown>): string {
    const name = req.query.get('name') ?? (typeof resource.name === 'string' ? resource.name : '');
    if (!name) throw new GcsError(400, 'required', 'Required: object name (name= or resource.name)');
    return name;
  }

  private multipart({ req, raw, body, res }: Ctx): void {
    this.store.bucket(req.bucket!);
    const { resource, media, mediaType } = parseMultipart(body, raw.headers['content-type']);
    const fields = objectFields(resource, mediaType ? { contentType: mediaType } : {});
    const claimed = {
      ...(typeof resource.md5Hash === 'string' ? { md5: resource.md5Hash } : {}),
      ...(typeof resource.crc32c === 'string' ? { crc32c: resource.crc32c } : {}),
    };
    const obj = this.commit(req.bucket!, this.uploadName(req, resource), media, fields, req.query, claimed);
    sendJson(res, 200, objectResource(obj));
  }

  private media({ req, raw, body, res }: Ctx): void {
    this.store.bucket(req.bucket!);
    const type = raw.headers['content-type'];
    const fields = objectFields(type ? { contentType: type } : {});
    const obj = this.commit(req.bucket!, this.uploadName(req, {}), body, fields, req.query, {});
    sendJson(res, 200, objectResource(obj));
  }

  private resumableStart({ req, raw, body, res }: Ctx): void {
    this.store.bucket(req.bucket!);
    const resource = parseJsonObject(body);
    const name = this.uploadName(req, resource);
    const headerType = raw.headers['x-upload-content-type'];
    const fields = objectFields(resource, typeof headerType === 'string' ? { contentType: headerType } : {});
    checkPreconditions(req.query, this.store.find(req.bucket!, name));
    const id = randomUUID();
    const params = new URLSearchParams(req.query);
    this.sessions.set(id, {
      bucket: req.bucket!,
      name,
      fields,
      params,
      chunks: [],
      received: 0,
      state: 'open',
    });
    const location =
      `${this.origin}/upload/storage/v1/b/${encodeURIComponent(req.bucket!)}/o` +
      `?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`;
    res.writeHead(200, { location, 'x-guploader-uploadid': id, 'content-length': '0' });
    res.end();
  }

  private resumableChunk({ req, raw, body, res }: Ctx): void {
    const session = this.sessions.get(req.query.get('upload_id') ?? '');
    if (!session) throw new GcsError(404, 'notFound', 'No such resumable upload session');
    if (session.state === 'failed') throw new GcsError(410, 'gone', 'This upload session has failed');
    if (session.state === 'open') {
      const range = parseContentRange(raw.headers['content-range']);
      this.append(session, range.first, range.last, body);
      const total = range.total ?? (range.last === 'open' ? session.received : undefined);
      if (total !== undefined && session.received > total)
        throw new GcsError(
          400,
          'invalid',
          `Received ${session.received} bytes, more than the total ${total}`,
        );
      if (total === undefined || session.received < total) return incomplete(res, session.received);
      this.finishSession(session, parseGoogHash(raw.headers['x-goog-hash']));
    }
    sendJson(res, 200, objectResource(session.result!));
  }

  /** Adds the bytes of one chunk request that the session does not have yet. */
  private append(
    s: UploadSession,
    first: number | undefined,
    last: number | 'open' | undefined,
    body: Buffer,
  ): void {
    if (first === undefined) {
      if (body.length > 0) throw new GcsError(400, 'invalid', 'Content-Range "bytes */…" with a body');
      return;
    }
    if (first > s.received)
      throw new GcsError(
        400,
        'invalid',
        `Chunk starts at byte ${first} but only ${s.received} were received`,
      );
    const length = last === 'open' || last === undefined ? body.length : last - first + 1;
    if (length !== body.length)
      throw new GcsError(400, 'invalid', `Content-Range announces ${length} bytes, body has ${body.length}`);
    const fresh = body.subarray(Math.min(body.length, s.received - first));
    if (s.received + fresh.length > this.maxBody)
      throw new GcsError(413, 'uploadTooLarge', `test GCS server: upload above ${this.maxBody} bytes`);
    s.chunks.push(fresh);
    s.received += fresh.length;
  }

  private finishSession(s: UploadSession, claimed: { md5?: string; crc32c?: string }): void {
    try {
      const data = Buffer.concat(s.chunks);
      s.result = this.commit(s.bucket, s.name, data, s.fields, s.params, claimed);
      s.state = 'done';
    } catch (err) {
      s.state = 'failed';
      throw err;
    } finally {
      s.chunks = [];
    }
  }

  private rewrite({ req, body, res }: Ctx): void {
    const src = this.store.require(req.bucket!, req.object!, req.query.get('sourceGeneration'));
    checkPreconditions(req.query, src, true);
    this.store.bucket(req.destBucket!);
    const fields = objectFields(parseJsonObject(body), src);
    const obj = this.commit(req.destBucket!, req.destObject!, src.data, fields, req.query, {});
    const size = String(obj.data.length);
    sendJson(res, 200, {
      kind: 'storage#rewriteResponse',
      totalBytesRewritten: size,
      objectSize: size,
      done: true,
      resource: objectResource(obj),
    });
  }

  private delete({ req, res }: Ctx): void {
    const obj = this.readable(req);
    this.store.delete(obj.bucket, obj.name);
    res.writeHead(204);
    res.end();
  }

  private patch({ req, body, res }: Ctx): void {
    const obj = this.readable(req);
    sendJson(res, 200, objectResource(this.store.update(obj, patchedFields(obj, parseJsonObject(body)))));
  }
}
