/** Builders for planner tests: manifest sets from tiny repositories, inventories from literals. */
import type { Digest } from '../../../promoter/domain/digest.js';
import { DEFAULT_POLICY, type ManifestSet, type Policy } from '../../../promoter/domain/manifest-model.js';
import type { ArtifactTag, RepoInventory, SourceInventory } from '../../../promoter/plan/inventory.js';
import { loadManifests } from '../../../promoter/manifest/load.js';
import { MemoryTree } from '../../fakes/memory-tree.js';
import { digestOf, thinProject } from '../../helpers/manifests.js';

/** A digest from a label. */
export const D = (label: string) => digestOf(label) as Digest;

/** A manifest set with one project: staging → mirror-a and mirror-b, images as in imagesYaml. */
export async function manifestSet(
  images: Record<string, Record<string, string[]>>,
  dests = ['mirror-a.io/p', 'mirror-b.io/p'],
): Promise<ManifestSet> {
  return (await loadManifests(new MemoryTree(thinProject('proj', 'staging.io/p', dests, images)))).set;
}

/** A readable destination inventory. */
export function dest(tags: Record<string, string> = {}, digests: string[] = []): RepoInventory {
  const t = new Map(Object.entries(tags).map(([k, v]) => [k, D(v)]));
  return { readable: true, tags: t, digests: new Set([...digests.map(D), ...t.values()]) };
}

/** A readable source inventory. */
export function source(
  digests: string[],
  artifacts: Record<string, ArtifactTag[]> = {},
  referrers: Record<string, string[]> = {},
): SourceInventory {
  return {
    readable: true,
    digests: new Set(digests.map(D)),
    artifacts: new Map(Object.entries(artifacts).map(([k, v]) => [D(k), v])),
    referrers: new Map(Object.entries(referrers).map(([k, v]) => [D(k), v.map(D)])),
  };
}

/** A policy with overrides. */
export function policy(over: Partial<Policy> = {}): Policy {
  return { ...DEFAULT_POLICY, ...over };
}
