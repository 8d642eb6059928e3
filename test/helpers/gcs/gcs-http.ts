/** HTTP plumbing of the test GCS server: route parsing, bodies, multipart, ranges and JSON error answers. */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { GcsError } from './gcs-objects.js';

/** Largest request body (and resumable upload) the server accepts; larger ones get 413. */
export const MAX_BODY_BYTES = 512 * 1024 * 1024;

/** What a request is about, as counted by the server. */
export type RequestKind =
  | 'list'
  | 'get-metadata'
  | 'download'
  | 'upload-multipart'
  | 'upload-media'
  | 'upload-resumable-start'
  | 'upload-resumable-chunk'
  | 'rewrite'
  | 'delete'
  | 'patch'
  | 'other';

/** A request after path parsing; names are decoded. */
export interface ParsedRequest {
  method: string;
  kind: RequestKind;
  /** Path without query, as sent. */
  path: string;
  query: URLSearchParams;
  bucket?: string;
  object?: string;
  /** Rewrite destination. */
  destBucket?: string;
  destObject?: string;
}

const UPLOAD_PATH = /^\/upload\/storage\/v1\/b\/([^/]+)\/o\/?$/;
const LIST_PATH = /^\/b\/([^/]+)\/o\/?$/;
const REWRITE_PATH = /^\/b\/([^/]+)\/o\/(.+?)\/rewriteTo\/b\/([^/]+)\/o\/(.+)$/;
const OBJECT_PATH = /^\/b\/([^/]+)\/o\/(.+)$/;

function decode(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new GcsError(400, 'invalid', `Malformed percent-encoding in path segment: ${segment}`);
  }
}

function uploadKind(method: string, query: URLSearchParams): RequestKind {
  const type = query.get('uploadType');
  if (method === 'PUT' && query.has('upload_id')) return 'upload-resumable-chunk';
  if (method !== 'POST') return 'other';
  if (type === 'multipart') return 'upload-multipart';
  if (type === 'media') return 'upload-media';
  if (type === 'resumable')
    return query.has('upload_id') ? 'upload-resumable-chunk' : 'upload-resumable-start';
  return 'other';
}

function objectKind(method: string, query: URLSearchParams): RequestKind {
  if (method === 'GET') return query.get('alt') === 'media' ? 'download' : 'get-metadata';
  if (method === 'PATCH') return 'patch';
  if (method === 'DELETE') return 'delete';
  return 'other';
}

/** Parses method and raw URL; the `/storage/v1` prefix is optional (STORAGE_EMULATOR_HOST drops it). */
export function parseRequest(method: string, rawUrl: string): ParsedRequest {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
  const base = { method, path, query };
  let m = UPLOAD_PATH.exec(path);
  if (m)
    return {
      ...base,
      kind: uploadKind(method, query),
      bucket: decode(m[1]),
      object: query.get('name') ?? undefined,
    };
  const api = path.startsWith('/storage/v1/') ? path.slice('/storage/v1'.length) : path;
  if ((m = LIST_PATH.exec(api)))
    return { ...base, kind: method === 'GET' ? 'list' : 'other', bucket: decode(m[1]) };
  if ((m = REWRITE_PATH.exec(api)))
    return {
      ...base,
      kind: method === 'POST' ? 'rewrite' : 'other',
      bucket: decode(m[1]),
      object: decode(m[2]),
      destBucket: decode(m[3]),
      destObject: decode(m[4]),
    };
  if ((m = OBJECT_PATH.exec(api)))
    return { ...base, kind: objectKind(method, query), bucket: decode(m[1]), object: decode(m[2]) };
  return { ...base, kind: 'other' };
}

/** Reads a request body; 413 once it exceeds `limit` bytes. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.pause();
        reject(new GcsError(413, 'uploadTooLarge', `test GCS server: request body above ${limit} bytes`));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A JSON object body (empty body: `{}`); 400 for anything else. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new GcsError(400, 'parseError', 'Parse Error: request body is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new GcsError(400, 'invalid', 'Request body must be a JSON object');
  return value as Record<string, unknown>;
}

/** The two parts of a `multipart/related` upload: the JSON resource and the media with its type. */
export interface MultipartUpload {
  resource: Record<string, unknown>;
  media: Buffer;
  mediaType?: string;
}

function splitPart(part: Buffer): { headers: string; content: Buffer } {
  const sep = part.indexOf('\r\n\r\n');
  if (sep < 0) throw new GcsError(400, 'invalid', 'Malformed multipart body: part without headers');
  return { headers: part.subarray(0, sep).toString('latin1'), content: part.subarray(sep + 4) };
}

/** Parses a `multipart/related; boundary=…` body of exactly two parts (JSON metadata, then media). */
export function parseMultipart(body: Buffer, contentType: string | undefined): MultipartUpload {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (!boundary) throw new GcsError(400, 'invalid', 'Multipart upload without a boundary in Content-Type');
  const delim = `--${boundary[1] ?? boundary[2]}`;
  const first = body.indexOf(`${delim}\r\n`);
  const second = body.indexOf(`\r\n${delim}\r\n`, first + 1);
  const end = body.lastIndexOf(`\r\n${delim}--`);
  if (first < 0 || second < 0 || end < second)
    throw new GcsError(400, 'invalid', 'Malformed multipart body: expected a metadata part and a media part');
  const meta = splitPart(body.subarray(first + delim.length + 2, second));
  const media = splitPart(body.subarray(second + delim.length + 4, end));
  const type = /^content-type:\s*(.+)$/im.exec(media.headers)?.[1]?.trim();
  return {
    resource: parseJsonObject(meta.content),
    media: media.content,
    ...(type ? { mediaType: type } : {}),
  };
}

/** A resumable `Content-Range`: `bytes first-last/total`, `last` may be open (`*`), first absent for `*`. */
export interface ContentRange {
  first?: number;
  last?: number | 'open';
  total?: number;
}

/** Parses `bytes a-b/N`, `bytes a-b/*`, `bytes a-*\/N|*`, `bytes *\/N|*`; absent header: one final request. */
export function parseContentRange(header: string | undefined): ContentRange {
  if (header === undefined) return { first: 0, last: 'open' };
  const m = /^bytes (?:\*|(\d+)-(\d+|\*))\/(\d+|\*)$/.exec(header.trim());
  if (!m) throw new GcsError(400, 'invalid', `Malformed Content-Range: ${header}`);
  const range: ContentRange = {};
  if (m[1] !== undefined) range.first = Number(m[1]);
  if (m[2] !== undefined) range.last = m[2] === '*' ? 'open' : Number(m[2]);
  if (m[3] !== '*') range.total = Number(m[3]);
  return range;
}

/** Parses a download `Range: bytes=a-b | a- | -n` against a size; undefined when absent or ignorable. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const range =
    m[1] === ''
      ? { start: Math.max(0, size - Number(m[2])), end: size - 1 }
      : { start: Number(m[1]), end: m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1) };
  if (range.start >= size || range.start > range.end)
    throw new GcsError(
      416,
      'requestedRangeNotSatisfiable',
      `Range ${header} is not satisfiable for ${size} bytes`,
    );
  return range;
}

/** Parses `x-goog-hash: crc32c=…,md5=…`. */
export function parseGoogHash(header: string | string[] | undefined): { md5?: string; crc32c?: string } {
  const out: { md5?: string; crc32c?: string } = {};
  for (const pair of [header ?? []].flat().join(',').split(',')) {
    const eq = pair.indexOf('=');
    const [key, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
    if (key === 'md5' || key === 'crc32c') out[key] = value;
  }
  return out;
}

/** Sends a JSON body. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': String(data.length),
    ...headers,
  });
  res.end(data);
}

/** The JSON API error body. */
export function errorBody(status: number, reason: string, message: string): unknown {
  return { error: { code: status, message, errors: [{ reason, message, domain: 'global' }] } };
}

/** Answers with an error (500 for anything that is not a GcsError); breaks the connection if too late. */
export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const e =
    err instanceof GcsError ? err : new GcsError(500, 'backendError', `test GCS server: ${String(err)}`);
  sendJson(
    res,
    e.status,
    errorBody(e.status, e.reason, e.message),
    e.status === 413 ? { connection: 'close' } : {},
  );
}
