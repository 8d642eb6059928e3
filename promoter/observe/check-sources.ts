/**
 * `validate --online`: every newly added digest must exist in its source registry, and be a multi-platform
 * index when policy.requireMultiArch says so. One HEAD per new (source, digest); nothing else is read.
 */
import pLimit from 'p-limit';
import type { Digest } from '../domain/digest.js';
import { type Finding, finding } from '../domain/finding.js';
import type { ManifestSet, Policy } from '../domain/manifest-model.js';
import { isIndexMediaType } from '../domain/media-types.js';
import { errorMessage } from '../errors.js';
import { type DesiredDigest, desiredImages } from '../plan/desired-images.js';
import type { Locate } from './observe-images.js';

/** The digests `head` promotes that `base` did not (all of them without a base), one per source. */
export function newDigests(head: ManifestSet, base: ManifestSet | undefined): DesiredDigest[] {
  const known = new Set<string>();
  if (base)
    for (const repo of desiredImages(base).values())
      for (const d of repo.digests.values()) known.add(`${d.source}@${d.digest}`);
  const out = new Map<string, DesiredDigest>();
  for (const repo of desiredImages(head).values()) {
    for (const d of repo.digests.values()) {
      const key = `${d.source}@${d.digest}`;
      if (!known.has(key) && !out.has(key)) out.set(key, d);
    }
  }
  return [...out.values()];
}

/** Checks new digests against their sources. */
export async function checkSourcesOnline(
  digests: DesiredDigest[],
  policy: Policy,
  locate: Locate,
): Promise<Finding[]> {
  const out: Finding[] = [];
  const unreadable = new Set<string>();
  const limit = pLimit(8);
  await Promise.all(
    digests.map((d) =>
      limit(async () => {
        if (unreadable.has(d.source)) return;
        const at = locate(d.source);
        try {
          const head = await at.store.headManifest(at.repo, d.digest as Digest);
          if (!head) {
            out.push(
              finding(
                'digest-not-in-source',
                d.origin.pos,
                `${d.digest} of image "${d.origin.image}" is not in its source ${d.source}`,
              ),
            );
          } else if (policy.requireMultiArch && !isIndexMediaType(head.mediaType)) {
            out.push(
              finding(
                'not-multi-arch',
                d.origin.pos,
                `${d.digest} of image "${d.origin.image}" is a single-platform ${head.mediaType || 'manifest'}; policy.requireMultiArch wants an index`,
              ),
            );
          }
        } catch (err) {
          unreadable.add(d.source);
          out.push(
            finding('source-unreadable', d.origin.pos, `cannot read ${d.source}: ${errorMessage(err)}`),
          );
        }
      }),
    ),
  );
  return out;
}
