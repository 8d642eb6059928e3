/** OCI and Docker media types and the shapes of images built in tests. */

/** Media types the builders write. */
export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** Every manifest media type, as an `Accept` header value (distribution 404s OCI manifests without it). */
export const MANIFEST_ACCEPT = [
  MEDIA.ociManifest,
  MEDIA.ociIndex,
  MEDIA.dockerManifest,
  MEDIA.dockerList,
].join(', ');

/** An image platform. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** A single-platform image (or artifact): manifest bytes plus every blob it names. */
export interface BuiltImage {
  kind: 'image';
  /** The config blob's bytes. */
  config: Buffer;
  /** The manifest's exact bytes. */
  manifest: Buffer;
  /** `sha256:` digest of `manifest`. */
  digest: string;
  mediaType: string;
  size: number;
  /** Config and layer blobs by digest. */
  blobs: Map<string, Buffer>;
  /** The platform an index lists it under. */
  platform?: Platform;
  /** The artifactType, for artifacts. */
  artifactType?: string;
  /** The manifest's descriptor (with platform/artifactType when set). */
  descriptor: Descriptor;
}

/** A multi-platform index (OCI index or Docker manifest list) and its children. */
export interface BuiltIndex {
  kind: 'index';
  manifest: Buffer;
  digest: string;
  mediaType: string;
  size: number;
  /** Every child's config and layer blobs by digest. */
  blobs: Map<string, Buffer>;
  children: BuiltImage[];
  descriptor: Descriptor;
}

/** Anything `pushImage` and `writeOciLayout` accept. */
export type Built = BuiltImage | BuiltIndex;
