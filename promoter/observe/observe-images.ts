/**
 * The observe phase for images: reads only the repositories the manifests touch. First the sources (tag
 * lists, to find the signatures, attestations and referrers indexes that travel with promoted digests),
 * then every destination (tags and digests wanted or to be deleted), then the source digests some
 * destination lacks (HEAD), and for repositories with deletions, the children of wanted indexes (kept).
 */
import pLimit from 'p-limit';
import { canListReferrersApi } from '../adapters/registry/image-store.js';
import type { Endpoint } from '../copy/copy-session.js';
import type { Digest } from '../domain/digest.js';
import { isIndexMediaType } from '../domain/media-types.js';
import { parseManifest } from '../domain/manifest-content.js';
import { errorMessage } from '../errors.js';
import type { DesiredRepo } from '../plan/desired-images.js';
import {
  type ArtifactTag,
  artifactTagRole,
  type RepoInventory,
  type SourceInventory,
} from '../plan/inventory.js';
import type { Removal } from '../plan/plan-deletions.js';
import { readRepo } from './read-repo.js';

/** Where a repository path is reached. */
export type Locate = (path: string) => Endpoint;

/** What the observe phase learnt. */
export interface ImageObservation {
  destinations: Map<string, RepoInventory>;
  sources: Map<string, SourceInventory>;
  protectedDigests: Map<string, Set<Digest>>;
}

/** Options of observation. */
export interface ObserveOptions {
  /** Repositories read at once (default 8). */
  concurrency?: number;
}

const SUFFIXES = ['', '.sig', '.att', '.sbom'];

/** Reads a source repository: artifact tags of the digests it provides, and referrers through the API. */
async function readSource(at: Endpoint, digests: Digest[]): Promise<SourceInventory> {
  try {
    const inv = await readRepo(
      at.store,
      at.repo,
      new Set(digests.flatMap((d) => SUFFIXES.map((s) => `${d.replace(':', '-')}${s}`))),
      new Set(),
    );
    if (!inv.readable) return inv;
    const artifacts = new Map<Digest, ArtifactTag[]>();
    for (const d of digests) {
      const list: ArtifactTag[] = [];
      for (const s of SUFFIXES) {
        const tag = `${d.replace(':', '-')}${s}`;
        const digest = inv.tags.get(tag);
        const role = artifactTagRole(tag, d);
        if (digest && role) list.push({ tag, digest, role });
      }
      if (list.length > 0) artifacts.set(d, list);
    }
    return { readable: true, digests: new Set(inv.digests), artifacts, referrers: new Map() };
  } catch (err) {
    return { readable: false, error: errorMessage(err) };
  }
}

/** Observes everything `desired` and `removals` touch. */
export async function observeImages(
  desired: Map<string, DesiredRepo>,
  removals: Removal[],
  locate: Locate,
  opts: ObserveOptions = {},
): Promise<ImageObservation> {
  const limit = pLimit(opts.concurrency ?? 8);
  // 1. Sources: which digests each provides, and what travels with them.
  const bySource = new Map<string, Set<Digest>>();
  for (const repo of desired.values()) {
    for (const d of repo.digests.values()) {
      const set = bySource.get(d.source) ?? new Set<Digest>();
      set.add(d.digest);
      bySource.set(d.source, set);
    }
  }
  const sources = new Map<string, SourceInventory>();
  await Promise.all(
    [...bySource].map(([path, digests]) =>
      limit(async () => sources.set(path, await readSource(locate(path), [...digests]))),
    ),
  );

  // 2. Destinations: wanted and removed tags and digests, and the artifacts that travel along.
  const destinations = new Map<string, RepoInventory>();
  const paths = new Set([...desired.keys(), ...removals.map((r) => r.dest)]);
  await Promise.all(
    [...paths].map((path) =>
      limit(async () => {
        const repo = desired.get(path);
        const tags = new Set<string>([...(repo?.tags.keys() ?? []), ...(repo?.conflicts.keys() ?? [])]);
        const digests = new Set<Digest>(repo?.digests.keys() ?? []);
        for (const r of removals.filter((x) => x.dest === path)) {
          if (r.tag) tags.add(r.tag);
          else digests.add(r.digest);
        }
        for (const d of repo?.digests.values() ?? []) {
          const src = sources.get(d.source);
          if (!src?.readable) continue;
          for (const a of src.artifacts.get(d.digest) ?? []) {
            tags.add(a.tag);
            digests.add(a.digest);
          }
        }
        const at = locate(path);
        destinations.set(path, await readRepo(at.store, at.repo, tags, digests));
      }),
    ),
  );

  // 3. Source digests that some destination lacks: are they really in the source? And their referrers.
  const needed = new Map<string, Set<Digest>>();
  for (const repo of desired.values()) {
    const inv = destinations.get(repo.path);
    if (!inv?.readable) continue;
    for (const d of repo.digests.values()) {
      if (inv.digests.has(d.digest)) continue;
      const set = needed.get(d.source) ?? new Set<Digest>();
      set.add(d.digest);
      needed.set(d.source, set);
    }
  }
  await Promise.all(
    [...needed].map(([path, digests]) =>
      limit(async () => {
        const src = sources.get(path);
        if (!src?.readable) return;
        const at = locate(path);
        try {
          for (const d of digests) {
            if (src.digests.has(d)) continue;
            if (await at.store.headManifest(at.repo, d)) src.digests.add(d);
          }
          if (canListReferrersApi(at.store)) {
            for (const d of digests) {
              if (!src.digests.has(d)) continue;
              const refs = await at.store.referrersApi(at.repo, d);
              if (refs === undefined) break; // no referrers API: the fallback tag travels as an artifact tag
              if (refs.length > 0)
                src.referrers.set(
                  d,
                  refs.map((r) => r.digest),
                );
            }
          }
        } catch (err) {
          sources.set(path, { readable: false, error: errorMessage(err) });
        }
      }),
    ),
  );

  // 4. Where digests are to be deleted, keep those a wanted index still references.
  const protectedDigests = new Map<string, Set<Digest>>();
  for (const path of new Set(removals.filter((r) => !r.tag).map((r) => r.dest))) {
    const inv = destinations.get(path);
    const repo = desired.get(path);
    if (!inv?.readable || !repo) continue;
    const kept = new Set<Digest>();
    const at = locate(path);
    for (const d of repo.digests.keys()) {
      if (!inv.digests.has(d)) continue;
      const type = inv.mediaTypes?.get(d);
      if (type !== undefined && !isIndexMediaType(type)) continue;
      try {
        const content = parseManifest(await at.store.getManifest(at.repo, d));
        for (const child of content.manifests) kept.add(child.digest);
      } catch (err) {
        destinations.set(path, {
          readable: false,
          error: `reading ${d} to protect its children: ${errorMessage(err)}`,
        });
        break;
      }
    }
    protectedDigests.set(path, kept);
  }
  return { destinations, sources, protectedDigests };
}
