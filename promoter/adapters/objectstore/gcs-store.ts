/**
 * A Google Cloud Storage bucket as an object store, through @google-cloud/storage. Listings carry each
 * object's custom metadata, so planning needs no stat per file. Small writes are buffered, verified and
 * sent in one request; large ones are resumable uploads fed through a hold-back verifier, so the final
 * chunk — which commits the object — is only sent once the whole body matched. `ifGenerationMatch: 0`
 * keeps a write from replacing an object that appeared since planning. Server-side copy is the rewrite
 * API, pinned to the source generation that was read.
 */
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Bucket, File, FileMetadata, Storage } from '@google-cloud/storage';
import { IntegrityError, NotFoundError, UnsupportedError } from '../../errors.js';
import { HoldbackVerifier } from '../../streams/holdback-verifier.js';
import type {
  ObjectInfo,
  ObjectPage,
  ObjectRead,
  ObjectStore,
  ServerSideCopier,
  Sha256Recorder,
  WriteExpectation,
} from './object-store.js';
import { type HashCache, VersionedHashes } from './hash-cache.js';
import type { CallSpec, StoreCalls } from './store-calls.js';
import { gcsError } from './store-errors.js';

const HEX64 = /^[0-9a-f]{64}$/;

/** What a GCS store needs. */
export interface GcsStoreOptions {
  bucket: string;
  storage: Storage;
  /** The API host, for request counts and messages. */
  host: string;
  calls: StoreCalls;
  copyDomain: string;
  /** Above this size, resumable uploads in chunks of this size (default 8 MiB, a multiple of 256 KiB). */
  chunkSize?: number;
  /** Objects per listing page (default 1000). */
  pageSize?: number;
  /** Remembers sha256 values of objects without sha256 metadata that were hashed, by generation. */
  hashes?: HashCache;
}

function info(m: FileMetadata, key: string): ObjectInfo {
  const sha256 = String(m.metadata?.sha256 ?? '').toLowerCase();
  return {
    key,
    size: Number(m.size ?? 0),
    ...(HEX64.test(sha256) ? { sha256 } : {}),
    ...(m.generation !== undefined ? { version: String(m.generation) } : {}),
  };
}

/** One GCS bucket. */
export class GcsObjectStore implements ObjectStore, ServerSideCopier, Sha256Recorder {
  readonly description: string;
  readonly host: string;
  readonly listsMetadata = true;
  readonly copyDomain: string;
  readonly bucketName: string;
  private readonly bucket: Bucket;
  private readonly chunkSize: number;
  private readonly known: VersionedHashes;

  constructor(private readonly opts: GcsStoreOptions) {
    this.bucketName = opts.bucket;
    this.bucket = opts.storage.bucket(opts.bucket);
    this.host = opts.host;
    this.copyDomain = opts.copyDomain;
    this.description = `gcs ${opts.bucket}`;
    this.chunkSize = opts.chunkSize ?? 8 * 1024 * 1024;
    this.known = new VersionedHashes(opts.hashes, `gs://${opts.host}/${opts.bucket}/`);
  }

  private call<T>(spec: CallSpec, what: string, fn: () => Promise<T>): Promise<T> {
    return this.opts.calls.call(
      this.host,
      spec,
      (err) => gcsError(err, `${what} (gs://${this.bucketName})`, this.host),
      fn,
    );
  }

  async listPage(prefix: string, next?: string): Promise<ObjectPage> {
    const [files, nextQuery] = await this.call(
      { method: 'GET', kind: 'list', retry: true },
      `listing ${prefix}`,
      () =>
        this.bucket.getFiles({
          prefix,
          autoPaginate: false,
          maxResults: this.opts.pageSize ?? 1000,
          ...(next ? { pageToken: next } : {}),
        }),
    );
    const token = (nextQuery as { pageToken?: string } | null)?.pageToken;
    return {
      objects: files.map((f) => this.known.fill(info(f.metadata, f.name))),
      ...(token ? { next: token } : {}),
    };
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const [m] = await this.call({ method: 'GET', kind: 'stat', retry: true }, `reading ${key}`, () =>
        this.bucket.file(key).getMetadata(),
      );
      return this.known.fill(info(m, key));
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async read(key: string): Promise<ObjectRead> {
    return this.call({ method: 'GET', kind: 'read', retry: true }, `reading ${key}`, () => {
      const body = this.bucket.file(key).createReadStream({ validation: 'crc32c' });
      // Resolve once the response has arrived (errors such as 404 arrive as stream errors).
      return new Promise<ObjectRead>((resolve, reject) => {
        body.once('error', reject);
        body.once(
          'response',
          (res: { statusCode?: number; headers?: Record<string, string | undefined> }) => {
            // A failed response is followed by the stream's 'error', which rejects.
            if ((res.statusCode ?? 200) >= 300) return;
            body.off('error', reject);
            const generation = res.headers?.['x-goog-generation'];
            const contentType = res.headers?.['content-type'];
            resolve({
              body: body as unknown as Readable,
              ...(contentType ? { contentType } : {}),
              ...(generation ? { version: generation } : {}),
            });
          },
        );
        // The client sends the request when the stream is first read from.
        body.read(0);
      });
    });
  }

  async write(key: string, body: Readable, expect: WriteExpectation): Promise<void> {
    const file = this.bucket.file(key);
    const options = {
      metadata: {
        metadata: { sha256: expect.sha256 },
        ...(expect.contentType ? { contentType: expect.contentType } : {}),
      },
      ...(expect.overwrite ? {} : { preconditionOpts: { ifGenerationMatch: 0 } }),
    };
    if (expect.size <= this.chunkSize) {
      const data = await this.readAll(key, body, expect);
      await this.call(
        { method: 'POST', kind: 'write', retry: true, bytesSent: data.length },
        `writing ${key}`,
        () => file.save(data, { ...options, resumable: false, validation: 'crc32c' }),
      );
      return;
    }
    await this.call(
      { method: 'PUT', kind: 'write', retry: false, bytesSent: expect.size },
      `writing ${key}`,
      () =>
        pipeline(
          body,
          new HoldbackVerifier(expect.size, expect.sha256, `writing ${key} to ${this.description}`),
          file.createWriteStream({
            ...options,
            resumable: true,
            chunkSize: this.chunkSize,
            validation: 'crc32c',
          }),
        ),
    );
  }

  private async readAll(key: string, body: Readable, expect: WriteExpectation): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > expect.size) break;
      chunks.push(chunk);
    }
    const data = Buffer.concat(chunks);
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (size !== expect.size || sha256 !== expect.sha256)
      throw new IntegrityError(
        `writing ${key} to ${this.description}: got ${size} bytes with sha256 ${sha256}, expected ${expect.size} bytes with ${expect.sha256}; nothing was written`,
      );
    return data;
  }

  async copyFrom(
    source: ObjectStore,
    from: ObjectInfo,
    key: string,
    expect: WriteExpectation,
  ): Promise<void> {
    if (!(source instanceof GcsObjectStore) || source.copyDomain !== this.copyDomain)
      throw new UnsupportedError(`${this.description} cannot copy server-side from ${source.description}`);
    const src: File = source.bucket.file(from.key, from.version ? { generation: Number(from.version) } : {});
    await this.call({ method: 'POST', kind: 'copy', retry: true }, `copying ${from.key} to ${key}`, () =>
      src.copy(this.bucket.file(key), {
        metadata: { sha256: expect.sha256 },
        ...(expect.contentType ? { contentType: expect.contentType } : {}),
        ...(expect.overwrite ? {} : { preconditionOpts: { ifGenerationMatch: 0 } }),
      }),
    );
  }

  async delete(key: string): Promise<void> {
    await this.call({ method: 'DELETE', kind: 'delete', retry: true }, `deleting ${key}`, () =>
      this.bucket.file(key).delete(),
    );
    this.known.forget(key);
  }

  /** Remembers a sha256 computed by reading the object at generation `info.version`. */
  async recordSha256(info: ObjectInfo, sha256: string): Promise<void> {
    this.known.record(info.key, info.size, info.version, sha256);
  }

  async close(): Promise<void> {
    // The Storage client is shared by the buckets of one endpoint.
  }
}
