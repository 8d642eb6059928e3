/**
 * An S3 bucket (AWS or any S3-protocol server) as an object store. Writes are checked before they
 * commit: a file up to one part is buffered, verified, then PUT; a larger one goes up as a multipart
 * upload whose parts are retried on their own and which is completed only after the whole stream matched
 * its size and sha256 — otherwise it is aborted. The sha256 is recorded as `x-amz-meta-sha256`.
 * Server-side copy is CopyObject (up to 5 GiB) between buckets of the same endpoint and credentials,
 * conditional on the source's ETag.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { IntegrityError, NotFoundError, UnsupportedError } from '../../errors.js';
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
import { s3Error } from './store-errors.js';

/** Most bytes CopyObject copies in one request. */
const COPY_OBJECT_MAX = 5 * 1024 ** 3;
const MAX_PARTS = 10_000;
const HEX64 = /^[0-9a-f]{64}$/;

/** What an S3 store needs. */
export interface S3StoreOptions {
  bucket: string;
  client: S3Client;
  /** The endpoint's host, for request counts and messages. */
  host: string;
  calls: StoreCalls;
  /** Stores with the same domain share endpoint and credentials. */
  copyDomain: string;
  /** Part size for multipart uploads (default 8 MiB; grown for very large files). */
  partSize?: number;
  /** Parts in flight per upload (default 2). */
  partConcurrency?: number;
  /** Keys per listing page (default 1000, the most S3 returns). */
  pageSize?: number;
  /**
   * Remembers sha256 values by ETag (of objects written, stat'ed or hashed), so listings carry them and a
   * re-run needs no HEAD per object.
   */
  hashes?: HashCache;
}

/** Splits a key for a CopySource header: each segment URL-encoded, slashes kept. */
function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** One bucket of an S3 endpoint. */
export class S3ObjectStore implements ObjectStore, ServerSideCopier, Sha256Recorder {
  readonly description: string;
  readonly host: string;
  readonly listsMetadata = false;
  readonly copyDomain: string;
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly partSize: number;
  private readonly partConcurrency: number;
  private readonly known: VersionedHashes;

  constructor(private readonly opts: S3StoreOptions) {
    this.bucket = opts.bucket;
    this.client = opts.client;
    this.host = opts.host;
    this.copyDomain = opts.copyDomain;
    this.description = `s3 ${opts.host}/${opts.bucket}`;
    this.partSize = opts.partSize ?? 8 * 1024 * 1024;
    this.partConcurrency = opts.partConcurrency ?? 2;
    this.known = new VersionedHashes(opts.hashes, `s3://${opts.host}/${opts.bucket}/`);
  }

  private call<T>(spec: CallSpec, what: string, fn: () => Promise<T>): Promise<T> {
    return this.opts.calls.call(
      this.host,
      spec,
      (err) => s3Error(err, `${what} (s3://${this.bucket})`, this.host),
      fn,
    );
  }

  async listPage(prefix: string, next?: string): Promise<ObjectPage> {
    const out = await this.call({ method: 'GET', kind: 'list', retry: true }, `listing ${prefix}`, () =>
      this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          MaxKeys: this.opts.pageSize ?? 1000,
          ...(next ? { ContinuationToken: next } : {}),
        }),
      ),
    );
    const objects = (out.Contents ?? []).map((o) =>
      this.known.fill({ key: o.Key!, size: o.Size ?? 0, ...(o.ETag ? { version: o.ETag } : {}) }),
    );
    return {
      objects,
      ...(out.IsTruncated && out.NextContinuationToken ? { next: out.NextContinuationToken } : {}),
    };
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await this.call({ method: 'HEAD', kind: 'stat', retry: true }, `reading ${key}`, () =>
        this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })),
      );
      const sha256 = out.Metadata?.sha256?.toLowerCase();
      const size = out.ContentLength ?? 0;
      if (sha256 && HEX64.test(sha256)) {
        this.known.record(key, size, out.ETag, sha256);
        return { key, size, sha256, ...(out.ETag ? { version: out.ETag } : {}) };
      }
      return this.known.fill({ key, size, ...(out.ETag ? { version: out.ETag } : {}) });
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async read(key: string): Promise<ObjectRead> {
    const out = await this.call({ method: 'GET', kind: 'read', retry: true }, `reading ${key}`, () =>
      this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })),
    );
    return {
      body: out.Body as Readable,
      ...(out.ContentType ? { contentType: out.ContentType } : {}),
      ...(out.ETag ? { version: out.ETag } : {}),
    };
  }

  async write(key: string, body: Readable, expect: WriteExpectation): Promise<void> {
    const partSize = Math.max(this.partSize, Math.ceil(expect.size / (MAX_PARTS - 1)));
    if (expect.size <= partSize) return this.putWhole(key, body, expect);
    return this.putParts(key, body, expect, partSize);
  }

  /** Buffers the whole (small) body, verifies it, then PUTs it: a retryable request. */
  private async putWhole(key: string, body: Readable, expect: WriteExpectation): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > expect.size) throw this.mismatch(key, expect, size, undefined);
      chunks.push(chunk);
    }
    const data = Buffer.concat(chunks, size);
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (size !== expect.size || sha256 !== expect.sha256) throw this.mismatch(key, expect, size, sha256);
    const out = await this.call(
      { method: 'PUT', kind: 'write', retry: true, bytesSent: size },
      `writing ${key}`,
      () =>
        this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: data,
            ContentLength: size,
            ContentMD5: createHash('md5').update(data).digest('base64'),
            Metadata: { sha256 },
            ...(expect.contentType ? { ContentType: expect.contentType } : {}),
            ...(expect.overwrite ? {} : { IfNoneMatch: '*' }),
          }),
        ),
    );
    this.known.record(key, size, out.ETag, sha256);
  }

  /** A multipart upload, completed only once the whole body matched; aborted on any failure. */
  private async putParts(
    key: string,
    body: Readable,
    expect: WriteExpectation,
    partSize: number,
  ): Promise<void> {
    const created = await this.call(
      { method: 'POST', kind: 'write-start', retry: true },
      `writing ${key}`,
      () =>
        this.client.send(
          new CreateMultipartUploadCommand({
            Bucket: this.bucket,
            Key: key,
            Metadata: { sha256: expect.sha256 },
          }),
        ),
    );
    const uploadId = created.UploadId!;
    const etags: string[] = [];
    const inflight = new Set<Promise<void>>();
    let failed: unknown;
    const send = (n: number, data: Buffer) => {
      const p = this.call(
        { method: 'PUT', kind: 'part', retry: true, bytesSent: data.length },
        `writing ${key}`,
        () =>
          this.client.send(
            new UploadPartCommand({
              Bucket: this.bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: n,
              Body: data,
              ContentLength: data.length,
            }),
          ),
      ).then(
        (out) => {
          etags[n - 1] = out.ETag!;
        },
        (err: unknown) => {
          failed ??= err;
        },
      );
      const tracked = p.finally(() => inflight.delete(tracked));
      inflight.add(tracked);
    };
    try {
      const hash = createHash('sha256');
      let size = 0;
      let part: Buffer[] = [];
      let partBytes = 0;
      let n = 0;
      for await (const chunk of body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > expect.size) throw this.mismatch(key, expect, size, undefined);
        hash.update(chunk);
        part.push(chunk);
        partBytes += chunk.length;
        while (partBytes >= partSize) {
          const all = Buffer.concat(part, partBytes);
          send(++n, all.subarray(0, partSize));
          part = [all.subarray(partSize)];
          partBytes -= partSize;
          while (inflight.size >= this.partConcurrency) await Promise.race(inflight);
          if (failed) throw failed;
        }
      }
      const sha256 = hash.digest('hex');
      if (size !== expect.size || sha256 !== expect.sha256) throw this.mismatch(key, expect, size, sha256);
      if (partBytes > 0) send(++n, Buffer.concat(part, partBytes));
      await Promise.all(inflight);
      if (failed) throw failed;
      const done = await this.call(
        { method: 'POST', kind: 'write-complete', retry: true },
        `writing ${key}`,
        () =>
          this.client.send(
            new CompleteMultipartUploadCommand({
              Bucket: this.bucket,
              Key: key,
              UploadId: uploadId,
              MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
              ...(expect.overwrite ? {} : { IfNoneMatch: '*' }),
            }),
          ),
      );
      this.known.record(key, size, done.ETag, sha256);
    } catch (err) {
      await Promise.allSettled(inflight);
      await this.call({ method: 'DELETE', kind: 'write-abort', retry: true }, `aborting ${key}`, () =>
        this.client.send(
          new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }),
        ),
      ).catch(() => undefined);
      throw err;
    }
  }

  async copyFrom(
    source: ObjectStore,
    from: ObjectInfo,
    key: string,
    expect: WriteExpectation,
  ): Promise<void> {
    if (!(source instanceof S3ObjectStore) || source.copyDomain !== this.copyDomain)
      throw new UnsupportedError(`${this.description} cannot copy server-side from ${source.description}`);
    if (from.size > COPY_OBJECT_MAX)
      throw new UnsupportedError(`${from.key} is larger than one CopyObject request copies (5 GiB)`);
    const out = await this.call(
      { method: 'PUT', kind: 'copy', retry: true },
      `copying ${from.key} to ${key}`,
      () =>
        this.client.send(
          new CopyObjectCommand({
            Bucket: this.bucket,
            Key: key,
            CopySource: `${source.bucket}/${encodeKey(from.key)}`,
            MetadataDirective: 'REPLACE',
            Metadata: { sha256: expect.sha256 },
            ...(expect.contentType ? { ContentType: expect.contentType } : {}),
            ...(from.version ? { CopySourceIfMatch: from.version } : {}),
            ...(expect.overwrite ? {} : { IfNoneMatch: '*' }),
          }),
        ),
    );
    this.known.record(key, from.size, out.CopyObjectResult?.ETag, expect.sha256);
  }

  /** Remembers a sha256 computed by reading the object at `info.version`. */
  async recordSha256(info: ObjectInfo, sha256: string): Promise<void> {
    this.known.record(info.key, info.size, info.version, sha256);
  }

  async delete(key: string): Promise<void> {
    await this.call({ method: 'DELETE', kind: 'delete', retry: true }, `deleting ${key}`, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
    );
    this.known.forget(key);
  }

  async close(): Promise<void> {
    // The client is shared by the buckets of one endpoint; the resolver destroys it.
  }

  private mismatch(
    key: string,
    expect: WriteExpectation,
    size: number,
    sha256: string | undefined,
  ): IntegrityError {
    return new IntegrityError(
      `writing ${key} to ${this.description}: got ${size}${sha256 ? '' : '+'} bytes${sha256 ? ` with sha256 ${sha256}` : ''}, expected ${expect.size} bytes with sha256 ${expect.sha256}; nothing was written`,
    );
  }
}
