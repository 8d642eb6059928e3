/**
 * Builds the object stores a run needs, from filestore bases: one store per bucket or directory, one SDK
 * client per endpoint and credentials (loaded only when a base needs that SDK), all sharing one set of
 * per-host limits, retries and request counts. `prepare` does the asynchronous part (loading SDKs);
 * `locate` is then a lookup.
 */
import type { FilestoreEndpointConfig } from '../../domain/manifest-model.js';
import { type FilestoreLimits, type FilestoreTarget, resolveFilestore } from '../../config/filestores.js';
import { errorMessage } from '../../errors.js';
import type { FileLocation } from '../../observe/observe-files.js';
import { type HashCache } from './hash-cache.js';
import type * as GcsClientModule from './gcs-client.js';
import { LocalObjectStore } from './local-store.js';
import type * as S3ClientModule from './s3-client.js';
import type { ObjectStore } from './object-store.js';
import { type StoreCallOptions, StoreCalls } from './store-calls.js';

/** What the resolver needs. */
export interface FilestoreResolverOptions {
  entries: readonly FilestoreEndpointConfig[];
  env: NodeJS.ProcessEnv;
  /** Anchors relative directories and key files (the manifest repository's root). */
  baseDir: string;
  /** Request counts, retry policy and sleeps for every call; limits come from the entries. */
  calls: Omit<StoreCallOptions, 'limitsFor'>;
  hashes: HashCache;
}

type S3Module = typeof S3ClientModule;
type GcsModule = typeof GcsClientModule;

/** Filestore base → store and key prefix. */
export class FilestoreResolver {
  private readonly stores = new Map<string, ObjectStore>();
  private readonly located = new Map<string, FileLocation | Error>();
  private s3: S3Module | undefined;
  private gcs: GcsModule | undefined;
  private readonly clients: { close(): Promise<void> }[] = [];
  private readonly clientByKey = new Map<string, unknown>();
  private readonly limits = new Map<string, FilestoreLimits>();
  private readonly calls: StoreCalls;

  constructor(private readonly opts: FilestoreResolverOptions) {
    this.calls = new StoreCalls({
      ...opts.calls,
      limitsFor: (host) => {
        const l = this.limits.get(host);
        return {
          concurrency: l?.concurrency ?? 16,
          ...(l?.requestsPerSecond ? { requestsPerSecond: l.requestsPerSecond } : {}),
        };
      },
    });
  }

  /** Resolves `bases`, loading the SDKs they need; errors are kept and thrown by `locate`. */
  async prepare(bases: Iterable<string>): Promise<void> {
    for (const base of bases) {
      if (this.located.has(base)) continue;
      try {
        const t = resolveFilestore(base, this.opts.entries, this.opts.env, this.opts.baseDir);
        this.located.set(base, { store: await this.storeFor(t), prefix: t.prefix });
      } catch (err) {
        this.located.set(base, err instanceof Error ? err : new Error(errorMessage(err)));
      }
    }
  }

  /** Where a prepared base is (throws why it cannot be reached). */
  locate(base: string): FileLocation {
    const at = this.located.get(base);
    if (at === undefined) throw new Error(`filestore ${base} was not prepared`);
    if (at instanceof Error) throw at;
    return at;
  }

  private async storeFor(t: FilestoreTarget): Promise<ObjectStore> {
    const key =
      t.kind === 'local'
        ? `local|${t.root}`
        : t.kind === 's3'
          ? `s3|${t.endpoint ?? 'aws'}|${t.region}|${t.credentialSource}|${t.bucket}`
          : `gcs|${t.endpoint ?? 'google'}|${t.keyFile ?? 'adc'}|${t.bucket}`;
    let store = this.stores.get(key);
    if (store) return store;
    if (t.kind === 'local') store = new LocalObjectStore(t.root, this.opts.hashes);
    else if (t.kind === 's3') {
      this.s3 ??= await import('./s3-client.js');
      store = this.s3.s3Store(t, this.calls, this.clientByKey, this.clients, this.opts.hashes);
    } else {
      this.gcs ??= await import('./gcs-client.js');
      store = this.gcs.gcsStore(t, this.calls, this.clientByKey, this.clients, this.opts.hashes);
    }
    if (t.kind !== 'local' && (t.limits.concurrency || t.limits.requestsPerSecond))
      this.limits.set(store.host, { ...this.limits.get(store.host), ...t.limits });
    this.stores.set(key, store);
    return store;
  }

  /** Closes every client. */
  async close(): Promise<void> {
    await Promise.all([...this.stores.values()].map((s) => s.close()));
    await Promise.all(this.clients.map((c) => c.close()));
  }
}
