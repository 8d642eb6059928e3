/**
 * Deleting one tag from a registry that deletes manifests by digest only: point the tag at a placeholder
 * manifest made for this purpose (an empty OCI artifact with a unique annotation, so no other tag can
 * share its digest), then delete the placeholder by digest. The original digest and its other tags stay.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { digestOf } from '../../domain/manifest-content.js';
import { MediaTypes } from '../../domain/media-types.js';
import type { ImageStore } from './image-store.js';

const EMPTY = Buffer.from('{}');

/** Deletes `tag` from `repo` with the placeholder swap. */
export async function deleteTagByPlaceholder(store: ImageStore, repo: string, tag: string): Promise<void> {
  const config = { mediaType: MediaTypes.ociEmpty, digest: digestOf(EMPTY), size: EMPTY.length };
  if ((await store.headBlob(repo, config.digest)) === undefined)
    await store.putBlob(repo, config, Readable.from([EMPTY]));
  const placeholder = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      artifactType: 'application/vnd.promoter.deleted-tag',
      config,
      layers: [],
      annotations: { 'dev.promoter.deleted-tag': tag, 'dev.promoter.nonce': randomBytes(16).toString('hex') },
    }),
  );
  await store.putManifest(repo, tag, { bytes: placeholder, mediaType: MediaTypes.ociManifest });
  await store.deleteManifest(repo, digestOf(placeholder));
}
