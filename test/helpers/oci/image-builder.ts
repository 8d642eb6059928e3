/** Builds OCI and Docker images, indexes and artifacts from random bytes, with no network and no tools. */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { type BuiltImage, type BuiltIndex, type Descriptor, MEDIA, type Platform } from './oci-types.js';

export * from './oci-types.js';
export { pushBlob, pushImage, pushManifest, type PushAuth, type PushResult } from './image-push.js';
export { writeOciLayout } from './oci-layout.js';

/** `sha256:<hex>` of exact bytes. */
export function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** `size` random bytes; the same `seed` always gives the same bytes (AES-256-CTR keystream). */
export function randomBlob(size: number, seed?: string | number): Buffer {
  if (seed === undefined) return randomBytes(size);
  const key = createHash('sha256')
    .update(`promoter-test-blob:${String(seed)}`)
    .digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

/** The canonical empty OCI config `{}`. */
export const EMPTY_CONFIG = Buffer.from('{}');

/** What an image is made of. */
export interface ImageSpec {
  /** Layer blobs, stored as given (not really gzip, though labelled so). */
  layers: Buffer[];
  /** linux/amd64 unless given. */
  platform?: Platform;
  annotations?: Record<string, string>;
}

/** The descriptor of `data`. */
function descriptorOf(mediaType: string, data: Buffer, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType, digest: sha256(data), size: data.length, ...extra };
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function image(
  manifestType: string,
  configType: string,
  layerType: string,
  spec: ImageSpec,
  docker: boolean,
): BuiltImage {
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const layers = spec.layers.map((l) => descriptorOf(layerType, l));
  const config = json({
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
  });
  const manifest = json({
    schemaVersion: 2,
    mediaType: manifestType,
    config: descriptorOf(configType, config),
    layers,
    ...(spec.annotations && !docker ? { annotations: spec.annotations } : {}),
  });
  const blobs = new Map<string, Buffer>([[sha256(config), config]]);
  for (const l of spec.layers) blobs.set(sha256(l), l);
  const descriptor = descriptorOf(manifestType, manifest, { platform });
  return { kind: 'image', config, manifest, blobs, platform, descriptor, ...sizes(descriptor) };
}

function sizes(d: Descriptor): { digest: string; mediaType: string; size: number } {
  return { digest: d.digest, mediaType: d.mediaType, size: d.size };
}

function index(listType: string, images: BuiltImage[], annotations?: Record<string, string>): BuiltIndex {
  const manifest = json({
    schemaVersion: 2,
    mediaType: listType,
    manifests: images.map((i) => i.descriptor),
    ...(annotations ? { annotations } : {}),
  });
  const blobs = new Map<string, Buffer>();
  for (const i of images) for (const [d, b] of i.blobs) blobs.set(d, b);
  const descriptor = descriptorOf(listType, manifest);
  return { kind: 'index', manifest, blobs, children: images, descriptor, ...sizes(descriptor) };
}

/** An OCI image manifest with a config naming the platform and the layers' diff_ids. */
export function buildImage(spec: ImageSpec): BuiltImage {
  return image(MEDIA.ociManifest, MEDIA.ociConfig, MEDIA.ociLayer, spec, false);
}

/** A Docker v2 schema 2 image manifest (annotations are not part of that format and are dropped). */
export function buildDockerImage(spec: ImageSpec): BuiltImage {
  return image(MEDIA.dockerManifest, MEDIA.dockerConfig, MEDIA.dockerLayer, spec, true);
}

/** An OCI image index over `images`, each listed with its platform. */
export function buildIndex(images: BuiltImage[], annotations?: Record<string, string>): BuiltIndex {
  return index(MEDIA.ociIndex, images, annotations);
}

/** A Docker manifest list over Docker `images` (skopeo cannot copy it to `oci:` with --preserve-digests). */
export function buildDockerList(images: BuiltImage[]): BuiltIndex {
  return index(MEDIA.dockerList, images);
}

/** What an artifact (a signature, an SBOM…) is made of. */
export interface ArtifactSpec {
  /** The manifest it refers to (`subject`). */
  subject: Descriptor;
  artifactType: string;
  /** The one layer's bytes. */
  payload: Buffer;
  /** The layer's media type; `application/octet-stream` unless given. */
  payloadMediaType?: string;
  annotations?: Record<string, string>;
}

/** An OCI image manifest with `artifactType`, the empty config and a `subject`. */
export function buildArtifact(spec: ArtifactSpec): BuiltImage {
  const { mediaType, digest, size } = spec.subject;
  const config = descriptorOf(MEDIA.ociEmpty, EMPTY_CONFIG);
  const layer = descriptorOf(spec.payloadMediaType ?? 'application/octet-stream', spec.payload);
  const manifest = json({
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    artifactType: spec.artifactType,
    config,
    layers: [layer],
    subject: { mediaType, digest, size },
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  });
  const blobs = new Map<string, Buffer>([
    [config.digest, EMPTY_CONFIG],
    [layer.digest, spec.payload],
  ]);
  const descriptor = descriptorOf(MEDIA.ociManifest, manifest, { artifactType: spec.artifactType });
  return {
    kind: 'image',
    config: EMPTY_CONFIG,
    manifest,
    blobs,
    artifactType: spec.artifactType,
    descriptor,
    ...sizes(descriptor),
  };
}

/** The referrers fallback tag of a digest: `sha256-<hex>`. */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-');
}
