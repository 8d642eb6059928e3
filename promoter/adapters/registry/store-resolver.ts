/**
 * Picks the image-store adapter for an address (a registry host, or an OCI layout directory) and keeps one
 * instance per address, so stores can be compared (same registry host → blobs can be mounted) and share
 * one transport, one authenticator and one set of request statistics.
 */
import { resolve as resolvePath } from 'node:path';
import { type StoreAddress, storeKey } from '../../domain/reference.js';
import { RequestStats } from '../http/request-stats.js';
import { HttpTransport, type Transport } from '../http/transport.js';
import { Authenticator } from './auth/authenticator.js';
import { ChainCredentials, type CredentialSource, defaultCredentialSources } from './auth/credentials.js';
import type { ImageStore } from './image-store.js';
import { OciLayoutStore } from './oci-layout/layout-store.js';
import { isLoopbackHost, RegistryStore } from './registry-store.js';

/** How stores are built. */
export interface StoreResolverOptions {
  transport?: Transport;
  /** Credentials tried before the Docker/Podman auth files. */
  credentials?: CredentialSource;
  /** Registry hosts that may be reached over plain http although not loopback. */
  insecureHosts?: string[];
  /** Chunked-upload tuning (tests use small values). */
  chunkSize?: number;
  chunkedAbove?: number;
}

/** Builds and caches stores by address. */
export class StoreResolver {
  readonly transport: Transport;
  readonly authenticator: Authenticator;
  private readonly stores = new Map<string, ImageStore>();

  constructor(private readonly opts: StoreResolverOptions = {}) {
    this.transport = opts.transport ?? new HttpTransport({ stats: new RequestStats() });
    const sources = [...(opts.credentials ? [opts.credentials] : []), ...defaultCredentialSources()];
    const insecure = new Set((opts.insecureHosts ?? []).map((h) => h.toLowerCase()));
    this.authenticator = new Authenticator(this.transport, new ChainCredentials(sources), {
      allowPlainHttp: (url) => isLoopbackHost(url.host) || insecure.has(url.host.toLowerCase()),
    });
  }

  /** Request statistics of every store built here. */
  get stats(): RequestStats {
    return this.transport.stats;
  }

  /** The store for an address (the same instance every time). */
  resolve(address: StoreAddress): ImageStore {
    const normal: StoreAddress =
      address.kind === 'oci-layout' ? { kind: 'oci-layout', path: resolvePath(address.path) } : address;
    const key = storeKey(normal);
    let store = this.stores.get(key);
    if (!store) {
      store =
        normal.kind === 'oci-layout'
          ? new OciLayoutStore(normal.path)
          : new RegistryStore({
              host: normal.host,
              transport: this.transport,
              authenticator: this.authenticator,
              insecure: (this.opts.insecureHosts ?? []).includes(normal.host),
              ...(this.opts.chunkSize ? { chunkSize: this.opts.chunkSize } : {}),
              ...(this.opts.chunkedAbove !== undefined ? { chunkedAbove: this.opts.chunkedAbove } : {}),
            });
      this.stores.set(key, store);
    }
    return store;
  }

  /** Closes connections. */
  async close(): Promise<void> {
    const t = this.transport as Partial<HttpTransport>;
    if (typeof t.close === 'function') await t.close();
  }
}
