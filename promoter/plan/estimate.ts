/**
 * What a plan will cost, per store: copies, tags, deletions and refusals, the bytes to upload (at most:
 * blobs a mirror already holds are skipped; files count in full), and the requests each registry or
 * filestore will be charged (also an upper bound). Pure: from the plan and the size of each copied image
 * graph (file copies carry their size).
 */
import type { Digest } from '../domain/digest.js';
import type { PlannedAction } from '../domain/plan.js';

/** The content of an image graph: its manifests and its blobs with their sizes. */
export interface GraphSize {
  manifests: number;
  blobs: Map<Digest, number>;
}

/** The cost of a plan at one store. */
export interface StoreEstimate {
  copies: number;
  tags: number;
  deletes: number;
  refused: number;
  skipped: number;
  /** Blob bytes to upload, at most. */
  bytes: number;
  /** Requests this store will answer, at most. */
  requests: number;
}

/** A plan's cost, by store description (`registry host`, `oci-layout dir`). */
export interface PlanEstimate {
  stores: Map<string, StoreEstimate>;
  totalBytes: number;
}

/** Estimates a plan; `storeOf` names the store of a repository path, `graphOf` sizes a copied digest. */
export function estimatePlan(
  actions: PlannedAction[],
  storeOf: (path: string) => string,
  graphOf: (source: string, digest: Digest) => GraphSize | undefined,
): PlanEstimate {
  const stores = new Map<string, StoreEstimate>();
  const at = (name: string) => {
    let e = stores.get(name);
    if (!e) {
      e = { copies: 0, tags: 0, deletes: 0, refused: 0, skipped: 0, bytes: 0, requests: 0 };
      stores.set(name, e);
    }
    return e;
  };
  const sourceRead = new Set<string>();
  const PART = 8 * 1024 * 1024;
  let totalBytes = 0;
  for (const a of actions) {
    const dest = at(storeOf(a.dest));
    if (a.outcome === 'refused') dest.refused++;
    if (a.outcome === 'skipped') dest.skipped++;
    if (a.outcome !== 'apply') continue;
    if (a.kind === 'copy-file') {
      dest.copies++;
      const bytes = a.size ?? 0;
      dest.bytes += bytes;
      totalBytes += bytes;
      // One PUT up to a part (or a multipart upload of 8 MiB parts), and a verification stat.
      dest.requests += (bytes <= PART ? 1 : 2 + Math.ceil(bytes / PART)) + 1;
      const readKey = `${a.source}${a.file}@${a.digest}`;
      if (!sourceRead.has(readKey)) {
        sourceRead.add(readKey);
        at(storeOf(a.source!)).requests += 1;
      }
    } else if (a.kind === 'copy') {
      dest.copies++;
      const g = graphOf(a.source!, a.digest);
      const blobBytes = g ? [...g.blobs.values()].reduce((n, s) => n + s, 0) : 0;
      dest.bytes += blobBytes;
      totalBytes += blobBytes;
      // HEAD + PUT per manifest, HEAD + POST + PUT per blob, and a verification HEAD.
      dest.requests += (g ? g.manifests * 2 + g.blobs.size * 3 : 2) + 1;
      const src = at(storeOf(a.source!));
      const readKey = `${a.source}@${a.digest}`;
      if (!sourceRead.has(readKey)) {
        sourceRead.add(readKey);
        src.requests += g ? g.manifests + g.blobs.size : 1;
      }
    } else if (a.kind === 'tag') {
      dest.tags++;
      dest.requests += 2;
    } else {
      dest.deletes++;
      dest.requests += a.kind === 'delete-tag' ? 5 : 1;
    }
  }
  return { stores, totalBytes };
}
