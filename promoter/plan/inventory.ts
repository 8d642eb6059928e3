/** What the observe phase learnt about repositories: the planner's view of the registries. */
import type { Digest } from '../domain/digest.js';
import type { ArtifactRole } from '../domain/plan.js';

/** A destination repository as read: tags (tag → digest) and digests known to be present. */
export type RepoInventory =
  | { readable: true; tags: Map<string, Digest>; digests: Set<Digest>; mediaTypes?: Map<Digest, string> }
  | { readable: false; error: string };

/** A tag in the source that travels with a promoted digest (cosign `.sig`/`.att`/`.sbom`, referrers index). */
export interface ArtifactTag {
  tag: string;
  digest: Digest;
  role: ArtifactRole;
}

/** A source repository as read. */
export type SourceInventory =
  | {
      readable: true;
      /** Digests known to exist in the source. */
      digests: Set<Digest>;
      /** Per promoted digest, the artifact tags that travel with it. */
      artifacts: Map<Digest, ArtifactTag[]>;
      /** Per promoted digest, referrer manifests found through the referrers API. */
      referrers: Map<Digest, Digest[]>;
    }
  | { readable: false; error: string };

/** The tag under which cosign (`.sig`, `.att`, `.sbom`) or the referrers fallback keeps artifacts of `digest`. */
export function artifactTagRole(tag: string, digest: Digest): ArtifactRole | undefined {
  const base = digest.replace(':', '-');
  if (tag === base) return 'referrers-index';
  if (tag === `${base}.sig`) return 'signature';
  if (tag === `${base}.att`) return 'attestation';
  if (tag === `${base}.sbom`) return 'sbom';
  return undefined;
}

/** The digest an artifact tag belongs to (`sha256-<hex>[.sig|.att|.sbom]`), if it is one. */
export function artifactTagSubject(tag: string): Digest | undefined {
  const m = /^sha256-([0-9a-f]{64})(?:\.(?:sig|att|sbom))?$/.exec(tag);
  return m ? (`sha256:${m[1]}` as Digest) : undefined;
}
