/** OCI content descriptors: what a manifest says about each thing it references. */
import type { Digest } from './digest.js';

/** The platform of an index entry. */
export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

/** A reference to content by digest, with its media type and size. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
}

/** A short human description of a platform: `linux/arm64/v8`. */
export function platformString(p: Platform | undefined): string {
  if (!p) return 'unknown';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}
