/** Builds the filestores of a promotion from promoter.yaml: locations, per-host limits, retries, counts. */
import { FilestoreResolver } from '../adapters/objectstore/filestore-resolver.js';
import { HashCache } from '../adapters/objectstore/hash-cache.js';
import type { RequestStats } from '../adapters/http/request-stats.js';
import type { ResilientOptions } from '../adapters/http/resilient-transport.js';
import type { PromoterConfig } from '../domain/manifest-model.js';

/** Options for building filestores. */
export interface FilestoresOptions {
  /** The manifest repository's directory (anchors relative directories and key files). */
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Where requests are counted (shared with the registries). */
  stats: RequestStats;
  /** Retry policy and sleeps (tests shorten them). */
  retry?: Omit<ResilientOptions, 'limitsFor'>;
  /** Known sha256 values of local files (default: in memory for this run). */
  hashes?: HashCache;
}

/** A resolver for the filestore bases of a run, prepared for `bases`. */
export async function buildFilestores(
  config: PromoterConfig,
  bases: Iterable<string>,
  opts: FilestoresOptions,
): Promise<FilestoreResolver> {
  const resolver = new FilestoreResolver({
    entries: config.filestores,
    env: opts.env,
    baseDir: opts.dir,
    calls: {
      stats: opts.stats,
      ...(opts.retry?.policy ? { policy: opts.retry.policy } : {}),
      ...(opts.retry?.sleep ? { sleep: opts.retry.sleep } : {}),
      ...(opts.retry?.random ? { random: opts.retry.random } : {}),
    },
    hashes: opts.hashes ?? new HashCache(),
  });
  await resolver.prepare(bases);
  return resolver;
}
