/**
 * Reads what one repository holds of what the manifests care about: its tag list (all pages), then a
 * HEAD for each wanted tag it has and each wanted digest not yet resolved — none when the store's tag list
 * already carries digests (Google's `manifest` map, an OCI layout's index). A failure makes the whole
 * repository unreadable: the planner then skips it rather than guess.
 */
import pLimit from 'p-limit';
import { canListTagDigests, type ImageStore, type TagListing } from '../adapters/registry/image-store.js';
import type { Digest } from '../domain/digest.js';
import { errorMessage } from '../errors.js';
import type { RepoInventory } from '../plan/inventory.js';

/** HEADs in flight per repository read. */
const HEAD_CONCURRENCY = 8;

/** Reads a repository's inventory; never throws (a failure is an unreadable inventory). */
export async function readRepo(
  store: ImageStore,
  repo: string,
  wantTags: Set<string>,
  wantDigests: Set<Digest>,
): Promise<RepoInventory & { tagNames?: Set<string> }> {
  try {
    const listing: TagListing = canListTagDigests(store)
      ? await store.listTagDigests(repo)
      : { tags: await store.listTags(repo) };
    const tags = new Map<string, Digest>();
    const digests = new Set<Digest>();
    const mediaTypes = new Map<Digest, string>();
    for (const [digest, info] of listing.digests ?? []) {
      digests.add(digest);
      if (info.mediaType) mediaTypes.set(digest, info.mediaType);
      for (const t of info.tags) tags.set(t, digest);
    }
    const limit = pLimit(HEAD_CONCURRENCY);
    const names = new Set(listing.tags);
    await Promise.all(
      [...wantTags]
        .filter((t) => names.has(t) && !tags.has(t))
        .map((t) =>
          limit(async () => {
            const head = await store.headManifest(repo, t);
            if (!head) return;
            tags.set(t, head.digest);
            digests.add(head.digest);
            mediaTypes.set(head.digest, head.mediaType);
          }),
        ),
    );
    if (!listing.complete) {
      await Promise.all(
        [...wantDigests]
          .filter((d) => !digests.has(d))
          .map((d) =>
            limit(async () => {
              const head = await store.headManifest(repo, d);
              if (!head) return;
              digests.add(d);
              mediaTypes.set(d, head.mediaType);
            }),
          ),
      );
    }
    return { readable: true, tags, digests, mediaTypes, tagNames: names };
  } catch (err) {
    return { readable: false, error: errorMessage(err) };
  }
}
