/**
 * The one narrow interface every image store implements — an OCI distribution registry over HTTP, or an
 * OCI image layout directory. Each implementation labels its own errors: NotFoundError for missing
 * content, TransientError for what may pass, AuthError, RequestRejectedError. Optional abilities (mounting
 * blobs across repositories, listing referrers) are separate small interfaces with type guards.
 */
import type { Readable } from 'node:stream';
import type { Descriptor } from '../../domain/descriptor.js';
import type { Digest } from '../../domain/digest.js';
import type { ManifestBytes } from '../../domain/manifest-content.js';

/** What a store says about a manifest without sending it. */
export interface ManifestHead {
  digest: Digest;
  mediaType: string;
  size: number;
}

/** A manifest fetched from a store, its digest verified against its bytes. */
export interface FetchedManifest extends ManifestBytes {
  digest: Digest;
}

/** A blob being read: the caller must consume or destroy the stream. */
export interface BlobRead {
  stream: Readable;
  /** The size the store declared, if it did. */
  size: number | undefined;
}

/** Options of a blob upload. */
export interface PutBlobOptions {
  /** Send in chunks (PATCH) even when the store would take one request. */
  chunked?: boolean;
}

/** Reading and writing images in one store. `repo` is a repository path in it ('' for a layout's root). */
export interface ImageStore {
  /** Where this store is, for messages (never with credentials). */
  readonly description: string;
  /** Every tag of a repository (all pages); [] for a repository that does not exist. */
  listTags(repo: string): Promise<string[]>;
  /** A manifest's digest, type and size by tag or digest; undefined when absent. */
  headManifest(repo: string, ref: string): Promise<ManifestHead | undefined>;
  /** A manifest's exact bytes by tag or digest; throws NotFoundError when absent. */
  getManifest(repo: string, ref: string): Promise<FetchedManifest>;
  /** Stores manifest bytes unchanged under a digest or a tag (every referenced blob/child must be present). */
  putManifest(repo: string, ref: string, manifest: ManifestBytes): Promise<void>;
  /** Deletes a manifest by digest (a registry drops every tag on it). */
  deleteManifest(repo: string, digest: Digest): Promise<void>;
  /** Deletes one tag; its digest and the digest's other tags stay. Throws NotFoundError when absent. */
  deleteTag(repo: string, tag: string): Promise<void>;
  /** A blob's size when present, else undefined. */
  headBlob(repo: string, digest: Digest): Promise<number | undefined>;
  /** Streams a blob; throws NotFoundError when absent. The caller verifies the digest while reading. */
  getBlob(repo: string, digest: Digest): Promise<BlobRead>;
  /**
   * Uploads a blob from `body`. The upload commits only if exactly `desc.size` bytes with digest
   * `desc.digest` arrive; a body that errors aborts it and nothing is stored.
   */
  putBlob(repo: string, desc: Descriptor, body: Readable, opts?: PutBlobOptions): Promise<void>;
}

/** Tags of a repository, with digests when the store tells them in the same answer. */
export interface TagListing {
  tags: string[];
  /** Digests with their tags (Google's tag-list `manifest` map, an OCI layout's index). */
  digests?: Map<Digest, { tags: string[]; mediaType?: string }>;
  /** True when `digests` lists every digest of the repository, so an unlisted digest is absent. */
  complete?: boolean;
}

/** Lists tags together with digests where the store can, saving a HEAD per tag. */
export interface TagDigestLister {
  listTagDigests(repo: string): Promise<TagListing>;
}

/** True when the store can list tags with digests. */
export function canListTagDigests(s: ImageStore): s is ImageStore & TagDigestLister {
  return typeof (s as Partial<TagDigestLister>).listTagDigests === 'function';
}

/** Copies a blob between repositories of the same store without sending its bytes. */
export interface BlobMounter {
  /** True when mounted; false when the store declined (the blob must then be uploaded). */
  mountBlob(repo: string, digest: Digest, fromRepo: string): Promise<boolean>;
}

/** Lists manifests that refer to a subject (OCI 1.1 referrers: signatures, SBOMs, attestations). */
export interface ReferrersLister {
  listReferrers(repo: string, subject: Digest, artifactType?: string): Promise<Descriptor[]>;
}

/** Asks a registry's referrers API only (no fallback), to learn whether it has one. */
export interface ReferrersApi {
  /** The referrers of `subject`, or undefined when the registry has no referrers API. */
  referrersApi(repo: string, subject: Digest): Promise<Descriptor[] | undefined>;
}

/** True when the store may have a referrers API. */
export function canListReferrersApi(s: ImageStore): s is ImageStore & ReferrersApi {
  return typeof (s as Partial<ReferrersApi>).referrersApi === 'function';
}

/** True when the store can mount blobs across its repositories. */
export function canMount(s: ImageStore): s is ImageStore & BlobMounter {
  return typeof (s as Partial<BlobMounter>).mountBlob === 'function';
}

/** True when the store can list referrers. */
export function canListReferrers(s: ImageStore): s is ImageStore & ReferrersLister {
  return typeof (s as Partial<ReferrersLister>).listReferrers === 'function';
}

/** The fallback tag under which a registry without the referrers API keeps an index of referrers. */
export function referrersTag(subject: Digest): string {
  return subject.replace(':', '-');
}
