/** Writes built images into an OCI image layout directory (what `skopeo copy oci:DIR:tag` reads). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Built, type Descriptor, MEDIA } from './oci-types.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

function writeBlob(dir: string, digest: string, data: Buffer): void {
  const path = join(dir, 'blobs', ...digest.split(':'));
  if (!existsSync(path)) writeFileSync(path, data);
}

/**
 * Adds `built` (blobs, manifests, and an index.json entry named `tag`) to the layout in `dir`, creating it.
 * skopeo 1.9 only sees index.json entries with OCI media types: a Docker image or list written here is
 * "no descriptor found for reference".
 */
export function writeOciLayout(dir: string, built: Built, tag: string): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const [digest, data] of built.blobs) writeBlob(dir, digest, data);
  if (built.kind === 'index') for (const c of built.children) writeBlob(dir, c.digest, c.manifest);
  writeBlob(dir, built.digest, built.manifest);
  const indexFile = join(dir, 'index.json');
  const index = existsSync(indexFile)
    ? (JSON.parse(readFileSync(indexFile, 'utf8')) as { manifests: Descriptor[] })
    : { manifests: [] };
  const manifests = index.manifests.filter((d) => d.annotations?.[REF_NAME] !== tag);
  const { mediaType, digest, size } = built;
  manifests.push({ mediaType, digest, size, annotations: { [REF_NAME]: tag } });
  writeFileSync(
    indexFile,
    JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests }, null, 2),
  );
}
