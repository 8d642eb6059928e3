/**
 * The referrers tag schema (OCI distribution 1.1): a store without the referrers API keeps, under the tag
 * `sha256-<hex of subject>`, an OCI index listing the manifests that refer to that subject.
 */
import type { Descriptor } from '../../domain/descriptor.js';
import type { Digest } from '../../domain/digest.js';
import { parseManifest } from '../../domain/manifest-content.js';
import { MediaTypes } from '../../domain/media-types.js';
import { NotFoundError } from '../../errors.js';
import { type ImageStore, referrersTag } from './image-store.js';

/** Adds `entry` to the referrers index of `subject` in `repo` (idempotent). Callers serialize per subject. */
export async function updateReferrersIndex(
  store: ImageStore,
  repo: string,
  subject: Digest,
  entry: Descriptor,
): Promise<void> {
  const tag = referrersTag(subject);
  let manifests: Descriptor[] = [];
  try {
    manifests = parseManifest(await store.getManifest(repo, tag)).manifests;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  if (manifests.some((d) => d.digest === entry.digest)) return;
  const index = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [...manifests, entry] };
  await store.putManifest(repo, tag, {
    bytes: Buffer.from(JSON.stringify(index)),
    mediaType: MediaTypes.ociIndex,
  });
}
