/** Builds the stores of a promotion from promoter.yaml: endpoints, credentials, per-host limits, retries. */
import { HttpTransport, type Transport } from '../adapters/http/transport.js';
import { ResilientTransport, type ResilientOptions } from '../adapters/http/resilient-transport.js';
import { StoreResolver } from '../adapters/registry/store-resolver.js';
import { EndpointCredentialSource, endpointHost } from '../config/endpoint-credentials.js';
import { insecureHosts, locate } from '../config/endpoints.js';
import type { Endpoint } from '../copy/copy-session.js';
import type { PromoterConfig } from '../domain/manifest-model.js';
import type { Locate } from '../observe/observe-images.js';

/** The resolver and the path → repository function of one promotion run. */
export interface PromotionStores {
  resolver: StoreResolver;
  locate: Locate;
}

/** Options for building stores. */
export interface StoresOptions {
  /** The manifest repository's directory (anchors relative OCI layout paths and password files). */
  dir: string;
  env: NodeJS.ProcessEnv;
  /** The transport under the retry layer (tests put counting or faulty layers here). */
  transport?: Transport;
  /** Retry options (tests shorten the sleeps). */
  retry?: Omit<ResilientOptions, 'limitsFor'>;
}

/** Stores for a config: each registry reached as its endpoint says, with its limits and credentials. */
export function buildStores(config: PromoterConfig, opts: StoresOptions): PromotionStores {
  const limitsFor = (host: string) => {
    const e = config.endpoints.find((x) => !x.url?.startsWith('oci-layout:') && endpointHost(x) === host);
    return {
      concurrency: e?.concurrency ?? 16,
      ...(e?.requestsPerSecond ? { requestsPerSecond: e.requestsPerSecond } : {}),
    };
  };
  const transport = new ResilientTransport(opts.transport ?? new HttpTransport(), {
    ...opts.retry,
    limitsFor,
  });
  const resolver = new StoreResolver({
    transport,
    credentials: new EndpointCredentialSource(config.endpoints, opts.env, opts.dir),
    insecureHosts: insecureHosts(config.endpoints),
  });
  const cache = new Map<string, Endpoint>();
  const locateFn: Locate = (path) => {
    let e = cache.get(path);
    if (!e) {
      const loc = locate(path, config.endpoints, opts.dir);
      e = { store: resolver.resolve(loc.store), repo: loc.repo };
      cache.set(path, e);
    }
    return e;
  };
  return { resolver, locate: locateFn };
}
