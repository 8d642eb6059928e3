/**
 * Copies one file to every destination that lacks it, reading the source once: the bytes stream to each
 * destination at the pace of the slowest, checked for size and sha256 as they pass, the last chunk held
 * back until they match (so no destination ever commits a mismatch). Destinations on the source's own
 * service get a server-side copy instead — after the same read has verified the source, and conditional
 * on the version that was read — checked afterwards by a stat; one the service refuses falls back to the
 * stream. A destination that failed transiently is retried (re-reading the source) within the shared
 * retry budget; a corrupt source is never retried.
 */
import type { Readable } from 'node:stream';
import { serverSideCopier, type WriteExpectation } from '../adapters/objectstore/object-store.js';
import {
  DEFAULT_RETRY,
  isRetryable,
  type RetryPolicy,
  retryDelayMs,
  sleep as realSleep,
} from '../adapters/http/retry-policy.js';
import type { Digest } from '../domain/digest.js';
import {
  AuthError,
  errorMessage,
  SourceCorruptError,
  findError,
  IntegrityError,
  NotFoundError,
  RequestRejectedError,
  TransientError,
  UnsupportedError,
} from '../errors.js';
import type { FileLocation } from '../observe/observe-files.js';
import { fanOutBlob, type FanoutTarget } from './blob-fanout.js';

/** The file to copy, as the source listed it. */
export interface FileSource {
  at: FileLocation;
  name: string;
  size: number;
  /** Lowercase hex, from the manifest. */
  sha256: string;
  /** The version the listing saw (ETag, generation), for conditional server-side copies. */
  version?: string;
}

/** One destination of a file copy. */
export interface FileTarget {
  /** Identifies the target in the outcomes (the destination base). */
  id: string;
  at: FileLocation;
  /** Replace what is there (policy allowed an overwrite). */
  overwrite: boolean;
}

/** How one destination fared. */
export interface FileOutcome {
  id: string;
  error?: unknown;
  serverSide: boolean;
}

/** What file copies moved, for reports and metrics. */
export interface FileTotals {
  filesCopied: number;
  serverSideCopies: number;
  /** Bytes written to destinations (server-side copies move none through us). */
  bytesUploaded: number;
  sourceFilesRead: number;
  sourceBytesRead: number;
  /** Destinations tried again after a transient failure. */
  retries: number;
}

/** Options of the copier. */
export interface FileCopierOptions {
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  /** Told of bytes written to a destination (for progress). */
  onUploaded?: (bytes: number) => void;
}

/**
 * A refusal that a plain streamed copy may get past: the service cannot or may not copy (this pair of
 * buckets, these credentials, this size), or cannot find by copy source what was just read.
 */
function serverSideRefused(err: unknown): boolean {
  if (findError(err, UnsupportedError) || findError(err, AuthError) || findError(err, NotFoundError))
    return true;
  const rejected = findError(err, RequestRejectedError);
  return rejected !== undefined && rejected.status !== 412;
}

/** Copies files, verifying every byte. */
export class FileCopier {
  readonly totals: FileTotals = {
    filesCopied: 0,
    serverSideCopies: 0,
    bytesUploaded: 0,
    sourceFilesRead: 0,
    sourceBytesRead: 0,
    retries: 0,
  };
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: FileCopierOptions = {}) {
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.sleep = opts.sleep ?? realSleep;
  }

  /** Copies `src` to every target; one outcome per target, in order. */
  async copy(src: FileSource, targets: FileTarget[]): Promise<FileOutcome[]> {
    const results = new Map<string, FileOutcome>();
    let pending = targets;
    let streamOnly = new Set<string>();
    for (let attempt = 0; pending.length > 0;) {
      const failed = await this.attempt(src, pending, streamOnly, results);
      // Destinations whose service refused a server-side copy get the stream at once, not as a retry.
      const fallback = failed.filter((f) => f.serverSide && serverSideRefused(f.error));
      streamOnly = new Set([...streamOnly, ...fallback.map((f) => f.id)]);
      const retryable = failed.filter((f) => !fallback.includes(f) && isRetryable(f.error));
      for (const f of failed) if (!fallback.includes(f) && !retryable.includes(f)) results.set(f.id, f);
      if (retryable.length > 0 && attempt + 1 >= this.retry.attempts) {
        for (const f of retryable) results.set(f.id, f);
        retryable.length = 0;
      }
      if (retryable.length > 0) {
        this.totals.retries += retryable.length;
        const after = retryable
          .map((f) => findError(f.error, TransientError)?.retryAfterMs)
          .find((ms) => ms !== undefined);
        await this.sleep(retryDelayMs(attempt, this.retry, after));
        attempt++;
      }
      const again = new Set([...fallback, ...retryable].map((f) => f.id));
      pending = pending.filter((t) => again.has(t.id));
    }
    return targets.map((t) => results.get(t.id)!);
  }

  /** One read of the source: streams to some targets, verifies, then copies server-side to the others. */
  private async attempt(
    src: FileSource,
    targets: FileTarget[],
    streamOnly: Set<string>,
    results: Map<string, FileOutcome>,
  ): Promise<FileOutcome[]> {
    const copier = serverSideCopier(src.at.store);
    const serverSide = targets.filter(
      (t) =>
        !streamOnly.has(t.id) && copier && serverSideCopier(t.at.store)?.copyDomain === copier.copyDomain,
    );
    const streamed = targets.filter((t) => !serverSide.includes(t));
    // Learnt from the read: what the copies are served as, and the exact version that was verified.
    let contentType: string | undefined;
    let version: string | undefined;
    const expect = (t: FileTarget): WriteExpectation => ({
      size: src.size,
      sha256: src.sha256,
      overwrite: t.overwrite,
      ...(contentType ? { contentType } : {}),
    });
    const lanes: FanoutTarget[] = streamed.map((t) => ({
      key: t.id,
      upload: (body: Readable) => t.at.store.write(t.at.prefix + src.name, body, expect(t)),
    }));
    // A lane that only consumes: the read verifies the source for the server-side copies.
    if (serverSide.length > 0)
      lanes.push({
        key: '\0verify',
        upload: async (body) => {
          for await (const _ of body as AsyncIterable<Buffer>);
        },
      });
    const failed: FileOutcome[] = [];
    let verified = false;
    try {
      const read = await src.at.store.read(src.at.prefix + src.name);
      const body = read.body;
      contentType = read.contentType;
      version = read.version ?? src.version;
      const desc = {
        mediaType: 'application/octet-stream',
        digest: `sha256:${src.sha256}` as Digest,
        size: src.size,
      };
      const fan = await fanOutBlob(
        body,
        desc,
        lanes,
        `${src.at.store.description}/${src.at.prefix}${src.name}`,
      );
      this.totals.sourceFilesRead++;
      this.totals.sourceBytesRead += fan.bytesRead;
      for (const o of fan.outcomes) {
        // The fan-out only passes verified bytes on, so an integrity failure is the source's.
        if (findError(o.error, IntegrityError))
          o.error = new SourceCorruptError(errorMessage(o.error), { cause: o.error });
        if (o.key === '\0verify') {
          verified = !o.error;
          if (o.error)
            for (const t of serverSide) failed.push({ id: t.id, error: o.error, serverSide: false });
        } else if (o.error) failed.push({ id: o.key, error: o.error, serverSide: false });
        else this.done(results, o.key, false, src.size);
      }
    } catch (err) {
      return targets.map((t) => ({ id: t.id, error: err, serverSide: false }));
    }
    if (!verified) return failed;
    for (const t of serverSide) {
      try {
        await this.copyServerSide({ ...src, ...(version ? { version } : {}) }, t, expect(t));
        this.done(results, t.id, true, src.size);
      } catch (err) {
        failed.push({ id: t.id, error: err, serverSide: true });
      }
    }
    return failed;
  }

  private async copyServerSide(src: FileSource, t: FileTarget, expect: WriteExpectation): Promise<void> {
    const key = t.at.prefix + src.name;
    const from = {
      key: src.at.prefix + src.name,
      size: src.size,
      ...(src.version ? { version: src.version } : {}),
    };
    await serverSideCopier(t.at.store)!.copyFrom(src.at.store, from, key, expect);
    const info = await t.at.store.stat(key);
    if (info?.size !== src.size || info.sha256 !== src.sha256) {
      await t.at.store.delete(key).catch(() => undefined);
      throw new IntegrityError(
        `server-side copy to ${t.at.store.description}/${key}: holds ${info?.size ?? 'no'} bytes with sha256 ${info?.sha256 ?? 'unknown'}, expected ${src.size} bytes with ${src.sha256}; removed`,
      );
    }
  }

  private done(results: Map<string, FileOutcome>, id: string, serverSide: boolean, size: number): void {
    results.set(id, { id, serverSide });
    this.totals.filesCopied++;
    if (serverSide) {
      this.totals.serverSideCopies++;
      return;
    }
    this.totals.bytesUploaded += size;
    this.opts.onUploaded?.(size);
  }
}
