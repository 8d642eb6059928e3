/**
 * The content of image manifests and indexes: parsed from their exact bytes (which are copied unchanged), to
 * find what they reference — children of an index, config and layers of an image, and a subject.
 */
import { createHash } from 'node:crypto';
import { InvalidManifestError, UnsupportedError } from '../errors.js';
import type { Descriptor } from './descriptor.js';
import { type Digest, isDigest } from './digest.js';
import { isIndexMediaType, isManifestMediaType, isSchema1MediaType, MediaTypes } from './media-types.js';

/** A manifest as bytes plus the media type it is served or stored with. */
export interface ManifestBytes {
  bytes: Buffer;
  mediaType: string;
}

/** What a manifest references. */
export interface ManifestContent {
  mediaType: string;
  kind: 'index' | 'image';
  /** Child manifests (index only). */
  manifests: Descriptor[];
  /** Config blob (image only; artifacts may use the empty config). */
  config: Descriptor | undefined;
  /** Layer blobs (image) or blobs (OCI artifact manifest). */
  layers: Descriptor[];
  subject: Descriptor | undefined;
  artifactType: string | undefined;
}

/** The sha256 digest of exact bytes. */
export function digestOf(bytes: Buffer | string): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function descriptor(value: unknown, where: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (
    !d ||
    typeof d !== 'object' ||
    typeof d.mediaType !== 'string' ||
    !isDigest(d.digest) ||
    typeof d.size !== 'number'
  ) {
    throw new InvalidManifestError(`${where} is not a valid descriptor (mediaType, sha256 digest and size)`);
  }
  if (!Number.isSafeInteger(d.size) || d.size < 0)
    throw new InvalidManifestError(`${where} has an invalid size ${d.size}`);
  return d as Descriptor;
}

/** Parses manifest bytes; `mediaType` is the type the registry or layout reported, when the JSON omits it. */
export function parseManifest(m: ManifestBytes): ManifestContent {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(m.bytes.toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new InvalidManifestError('manifest is not valid JSON', { cause: err });
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new InvalidManifestError('manifest is not a JSON object');
  const mediaType = typeof json.mediaType === 'string' ? json.mediaType : m.mediaType;
  if (isSchema1MediaType(mediaType) || json.schemaVersion === 1) {
    throw new UnsupportedError(
      'Docker schema 1 manifests cannot be copied digest-preserving; rebuild the image',
    );
  }
  if (!isManifestMediaType(mediaType))
    throw new UnsupportedError(`unsupported manifest media type "${mediaType}"`);
  const list = (key: string): Descriptor[] => {
    const v = json[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new InvalidManifestError(`manifest field "${key}" is not a list`);
    return v.map((d, i) => descriptor(d, `${key}[${i}]`));
  };
  const subject = json.subject === undefined ? undefined : descriptor(json.subject, 'subject');
  const artifactType = typeof json.artifactType === 'string' ? json.artifactType : undefined;
  if (isIndexMediaType(mediaType)) {
    return {
      mediaType,
      kind: 'index',
      manifests: list('manifests'),
      config: undefined,
      layers: [],
      subject,
      artifactType,
    };
  }
  if (mediaType === MediaTypes.ociArtifact) {
    return {
      mediaType,
      kind: 'image',
      manifests: [],
      config: undefined,
      layers: list('blobs'),
      subject,
      artifactType,
    };
  }
  const config = json.config === undefined ? undefined : descriptor(json.config, 'config');
  if (!config) throw new InvalidManifestError('image manifest has no config');
  return { mediaType, kind: 'image', manifests: [], config, layers: list('layers'), subject, artifactType };
}

/**
 * The blobs a registry must hold before it accepts the manifest: config and layers, except layers that are
 * not distributable (they carry `urls` and live elsewhere).
 */
export function requiredBlobs(c: ManifestContent): Descriptor[] {
  const out: Descriptor[] = [];
  if (c.config) out.push(c.config);
  for (const l of c.layers) if (!(l.urls && l.urls.length > 0)) out.push(l);
  return out;
}
