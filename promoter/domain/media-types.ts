/** Manifest and blob media types of the OCI image spec and Docker's v2 schema 2, and how to tell them apart. */

/** Media types promoter reads and writes. */
export const MediaTypes = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociArtifact: 'application/vnd.oci.artifact.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

/** Every manifest type a registry may serve, for `Accept` headers (registries answer 404 without one). */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaTypes.ociIndex,
  MediaTypes.ociManifest,
  MediaTypes.dockerList,
  MediaTypes.dockerManifest,
  MediaTypes.ociArtifact,
];

/** True for a list of manifests (OCI index, Docker manifest list). */
export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MediaTypes.ociIndex || mediaType === MediaTypes.dockerList;
}

/** True for any manifest type promoter can copy. */
export function isManifestMediaType(mediaType: string): boolean {
  return MANIFEST_MEDIA_TYPES.includes(mediaType);
}

/** True for Docker's retired schema 1 (signed JSON that cannot be copied digest-preserving across registries). */
export function isSchema1MediaType(mediaType: string): boolean {
  return mediaType === MediaTypes.dockerSchema1 || mediaType === MediaTypes.dockerSchema1Signed;
}
