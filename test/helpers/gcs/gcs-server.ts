/** A Google Cloud Storage JSON-API server for tests, in memory, driven by the real `@google-cloud/storage` client. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { serverUrl } from '../oci/free-port.js';
import { GcsHandlers, type UploadSession } from './gcs-handlers.js';
import {
  errorBody,
  MAX_BODY_BYTES,
  type ParsedRequest,
  parseRequest,
  readBody,
  sendError,
  sendJson,
} from './gcs-http.js';
import { compareNames } from './gcs-objects.js';

export type { RequestKind } from './gcs-http.js';

/** A request as the fault hook sees it. */
export interface HookRequest {
  method: string;
  kind: string;
  bucket?: string;
  object?: string;
}

/** A canned answer from the fault hook (body: JSON value, string or Buffer; default a JSON API error). */
export interface HookAnswer {
  status: number;
  body?: unknown;
}

/** Fault hook: undefined passes the request on, an answer replaces it. */
export type GcsHook = (req: HookRequest) => HookAnswer | undefined;

/** A running test server. */
export interface GcsServer {
  /** `http://127.0.0.1:PORT`: pass as `apiEndpoint` or `STORAGE_EMULATOR_HOST`. */
  url: string;
  /** Creates an empty bucket (no-op if it exists). */
  createBucket(name: string): void;
  /** Test-side access: put an object directly (sets md5/crc32c/generation), read one, list names. */
  putObject(bucket: string, name: string, data: Buffer, metadata?: Record<string, string>): void;
  /** The live object, or undefined. */
  getObject(
    bucket: string,
    name: string,
  ): { data: Buffer; metadata: Record<string, string>; generation: string } | undefined;
  /** The object names of a bucket, sorted as GCS lists them (by UTF-8 bytes). */
  objectNames(bucket: string): string[];
  /** Requests seen, counted by `METHOD kind` (e.g. `GET download`, `PUT upload-resumable-chunk`). */
  counts(): Record<string, number>;
  /** Zeroes the counters. */
  resetCounts(): void;
  /** Fault hook: called before routing; return undefined to pass, or {status, body?} to answer with that instead. */
  hook(fn: GcsHook | undefined): void;
  /** Flips one byte of the next `alt=media` body (hash headers unchanged), to prove download validation runs. */
  corruptNextDownload(): void;
  /** Number of resumable upload sessions started but never finalized. */
  openUploadSessions(): number;
  /** Closes the server and all sockets; idempotent. */
  stop(): Promise<void>;
}

/** Server options. */
export interface GcsServerOptions {
  /** Largest request body / resumable upload in bytes (default 512 MiB); above it: 413. */
  maxBodyBytes?: number;
}

/** What the hook sees; chunk PUTs of a resumable session carry its bucket and object. */
function hookRequest(req: ParsedRequest, session: UploadSession | undefined): HookRequest {
  const bucket = session?.bucket ?? req.bucket;
  const object = session?.name ?? req.object;
  return {
    method: req.method,
    kind: req.kind,
    ...(bucket === undefined ? {} : { bucket }),
    ...(object === undefined ? {} : { object }),
  };
}

/** Sends a hook's canned answer (no body: a JSON API error for that status). */
function hookReply(res: ServerResponse, answer: HookAnswer): void {
  const { status, body } = answer;
  if (body === undefined)
    sendJson(res, status, errorBody(status, 'injectedFault', `test GCS server: hook ${status}`));
  else if (typeof body === 'string' || Buffer.isBuffer(body)) {
    res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  } else sendJson(res, status, body);
}

/** Starts a server on a free port of 127.0.0.1. */
export async function startGcsServer(opts: GcsServerOptions = {}): Promise<GcsServer> {
  const maxBody = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  const handlers = new GcsHandlers(maxBody);
  let counts: Record<string, number> = {};
  let hook: GcsHook | undefined;

  const handle = async (raw: IncomingMessage, res: ServerResponse): Promise<void> => {
    const req = parseRequest(raw.method ?? 'GET', raw.url ?? '/');
    const key = `${req.method} ${req.kind}`;
    counts[key] = (counts[key] ?? 0) + 1;
    const body = await readBody(raw, maxBody);
    const answer = hook?.(hookRequest(req, handlers.sessions.get(req.query.get('upload_id') ?? '')));
    if (answer) hookReply(res, answer);
    else handlers.route({ req, raw, body, res });
  };

  const server = createServer((raw, res) => {
    handle(raw, res).catch((err: unknown) => sendError(res, err));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  handlers.origin = serverUrl(server);
  const store = handlers.store;
  let stopping: Promise<void> | undefined;
  return {
    url: handlers.origin,
    createBucket: (name) => store.createBucket(name),
    putObject: (bucket, name, data, metadata = {}) => {
      store.write(bucket, name, Buffer.from(data), {
        contentType: 'application/octet-stream',
        metadata,
        extra: {},
      });
    },
    getObject: (bucket, name) => {
      const obj = store.find(bucket, name);
      return (
        obj && { data: Buffer.from(obj.data), metadata: { ...obj.metadata }, generation: obj.generation }
      );
    },
    objectNames: (bucket) => [...store.bucket(bucket).keys()].sort(compareNames),
    counts: () => ({ ...counts }),
    resetCounts: () => {
      counts = {};
    },
    hook: (fn) => {
      hook = fn;
    },
    corruptNextDownload: () => {
      handlers.corruptNext = true;
    },
    openUploadSessions: () => [...handlers.sessions.values()].filter((s) => s.state === 'open').length,
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}
