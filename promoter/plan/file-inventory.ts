/** What the observe phase learnt about filestores: the file planner's view of sources and mirrors. */

/** One object under a filestore base. */
export interface FileEntry {
  size: number;
  /** Lowercase hex: from the object's metadata, or computed by reading it; absent when not known. */
  sha256?: string;
  /** How the sha256 was learnt. */
  sha256From?: 'metadata' | 'hashed' | 'cache';
  /** Why the sha256 could not be computed (the object could not be read). */
  hashError?: string;
  /** The store's version token (ETag, generation) for conditional copies. */
  version?: string;
}

/** A filestore base as listed: file name (below the base) → entry. */
export type FileInventory =
  { readable: true; files: Map<string, FileEntry> } | { readable: false; error: string };

/** The `sha256:<hex>` digest form of a file's sha256, as plan actions carry it. */
export function fileDigest(sha256: string): `sha256:${string}` {
  return `sha256:${sha256}`;
}
