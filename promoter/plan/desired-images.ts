/**
 * What the image manifests want, per destination repository: the digests (and the source each comes
 * from) and the tags. Pure: derived from a ManifestSet alone.
 */
import type { Digest } from '../domain/digest.js';
import type { SourcePos } from '../domain/finding.js';
import type { ManifestSet } from '../domain/manifest-model.js';
import { normalizeRegistryName, repositoryPath } from '../domain/names.js';

/** The manifest entry that asks for something. */
export interface Origin {
  /** The images file. */
  file: string;
  image: string;
  pos: SourcePos;
}

/** A digest a destination repository should hold. */
export interface DesiredDigest {
  digest: Digest;
  /** The source repository path it is copied from (the first manifest that asks). */
  source: string;
  origin: Origin;
}

/** A tag a destination repository should have. */
export interface DesiredTag {
  tag: string;
  digest: Digest;
  source: string;
  origin: Origin;
}

/** Everything the manifests want in one destination repository. */
export interface DesiredRepo {
  path: string;
  /** The destination registry name it is under (normalized). */
  registry: string;
  image: string;
  digests: Map<Digest, DesiredDigest>;
  tags: Map<string, DesiredTag>;
  /** Tags aimed at more than one digest (overlapping edges): never written. */
  conflicts: Map<string, DesiredTag[]>;
}

/** Destination repository path → what it should hold. */
export function desiredImages(set: ManifestSet): Map<string, DesiredRepo> {
  const out = new Map<string, DesiredRepo>();
  for (const m of set.images) {
    const src = m.registries.find((r) => r.src);
    if (!src) continue;
    const dests = [...new Set(m.registries.filter((r) => !r.src).map((r) => normalizeRegistryName(r.name)))];
    for (const image of m.images) {
      const source = repositoryPath(src.name, image.name);
      for (const registry of dests) {
        const path = repositoryPath(registry, image.name);
        let repo = out.get(path);
        if (!repo) {
          repo = {
            path,
            registry,
            image: image.name,
            digests: new Map(),
            tags: new Map(),
            conflicts: new Map(),
          };
          out.set(path, repo);
        }
        for (const d of image.digests) {
          const origin = { file: m.imagesFile, image: image.name, pos: d.pos };
          if (!repo.digests.has(d.digest)) repo.digests.set(d.digest, { digest: d.digest, source, origin });
          for (const t of d.tags) {
            const want: DesiredTag = {
              tag: t.tag,
              digest: d.digest,
              source,
              origin: { ...origin, pos: t.pos },
            };
            const prior = repo.tags.get(t.tag) ?? repo.conflicts.get(t.tag)?.[0];
            if (!prior) repo.tags.set(t.tag, want);
            else if (prior.digest !== d.digest) {
              const list = repo.conflicts.get(t.tag) ?? [prior];
              list.push(want);
              repo.conflicts.set(t.tag, list);
              repo.tags.delete(t.tag);
            }
          }
        }
      }
    }
  }
  return out;
}

/** Destination registries each images file promotes to (to tell a dropped destination from a removal). */
export function destinationsByFile(set: ManifestSet): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of set.images)
    out.set(
      m.imagesFile,
      new Set(m.registries.filter((r) => !r.src).map((r) => normalizeRegistryName(r.name))),
    );
  return out;
}
