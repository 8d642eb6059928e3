/**
 * The promotion manifests as loaded: the kpromo formats (thin, plain, file) and our promoter.yaml, each
 * value carrying the place it was written so every later check can point at it.
 */
import type { Digest } from './digest.js';
import type { SourcePos } from './finding.js';

/** A registry in a `registries:` list. */
export interface RegistrySpec {
  name: string;
  src: boolean;
  serviceAccount?: string;
  pos: SourcePos;
}

/** A tag as listed for a digest. */
export interface TagSpec {
  tag: string;
  pos: SourcePos;
}

/** One digest of an image and the tags it should carry (none: promote by digest only). */
export interface DigestSpec {
  digest: Digest;
  tags: TagSpec[];
  pos: SourcePos;
}

/** An image entry (`name` + `dmap`). The same name may appear in several entries of a file. */
export interface ImageSpec {
  name: string;
  digests: DigestSpec[];
  pos: SourcePos;
}

/** One image promotion manifest: a source registry, destinations and the images to copy. */
export interface ImageManifest {
  kind: 'images';
  /** `thin`: manifests/<p>/promoter-manifest.yaml + images/<p>/images.yaml; `plain`: one file. */
  format: 'thin' | 'plain';
  /** The project name (thin: the directory name; plain: the file name without extension). */
  project: string;
  /** The file holding `registries:`. */
  file: string;
  /** The file holding the images (the same file for plain manifests). */
  imagesFile: string;
  registries: RegistrySpec[];
  /** Where the `registries:` key is, for findings about the whole block. */
  registriesPos: SourcePos;
  images: ImageSpec[];
}

/** A filestore in a `filestores:` list. */
export interface FilestoreSpec {
  base: string;
  src: boolean;
  serviceAccount?: string;
  pos: SourcePos;
}

/** A file to promote: its path relative to every filestore base and its sha256 (lowercase hex). */
export interface FileSpec {
  name: string;
  sha256: string;
  pos: SourcePos;
}

/** One file promotion project: filestores plus the file lists merged in sorted order. */
export interface FileManifest {
  kind: 'files';
  project: string;
  /** The file holding `filestores:`; undefined when the file lists have no filestores manifest. */
  file: string | undefined;
  filestores: FilestoreSpec[];
  filestoresPos: SourcePos | undefined;
  /** The file lists (`files:`) in the order they were merged. */
  fileLists: string[];
  files: FileSpec[];
}

/** Repository policy from promoter.yaml; every field has a safe default. */
export interface Policy {
  /** Destination prefixes (`*` matches within one path segment); empty allows every destination. */
  allowedDestinations: string[];
  deletions: { allowed: boolean; maxDeletes: number };
  allowTagMoves: boolean;
  requireMultiArch: boolean;
  allowFileOverwrite: boolean;
}

/** The policy that applies when promoter.yaml is absent or silent. */
export const DEFAULT_POLICY: Policy = {
  allowedDestinations: [],
  deletions: { allowed: false, maxDeletes: 0 },
  allowTagMoves: false,
  requireMultiArch: false,
  allowFileOverwrite: false,
};

/** Where to find the secret of an endpoint: names of environment variables or a file, never the secret. */
export interface EndpointCredentials {
  username?: string;
  usernameEnv?: string;
  passwordEnv?: string;
  passwordFile?: string;
}

/** How registries whose names start with `prefix` are reached (promoter.yaml `endpoints:`). */
export interface EndpointConfig {
  prefix: string;
  /** `http(s)://host[:port][/path]` or `oci-layout:DIR`; absent: the prefix's own host over https. */
  url?: string;
  insecure: boolean;
  credentials?: EndpointCredentials;
  concurrency?: number;
  requestsPerSecond?: number;
  pos: SourcePos;
}

/** Where a filestore's secrets are: names of environment variables or a key file, never the secret. */
export interface FilestoreCredentials {
  /** S3: the variables holding the access key id, secret key and (optional) session token. */
  accessKeyIdEnv?: string;
  secretAccessKeyEnv?: string;
  sessionTokenEnv?: string;
  /** GCS: a service-account key file. */
  keyFile?: string;
}

/** How filestore bases starting with `prefix` are reached (promoter.yaml `filestores:`). */
export interface FilestoreEndpointConfig {
  /** A base prefix as manifests write it (`s3://bucket/`, `gs://bucket/dir/`, `file:///srv/`), ending in `/`. */
  prefix: string;
  /** A local directory standing in for the prefix (relative paths are relative to promoter.yaml). */
  directory?: string;
  /** The S3 or GCS API endpoint (`http(s)://host[:port]`); S3 uses path-style addressing with it. */
  endpoint?: string;
  /** S3 region (default: AWS_REGION, else us-east-1). */
  region?: string;
  credentials?: FilestoreCredentials;
  concurrency?: number;
  requestsPerSecond?: number;
  pos: SourcePos;
}

/** How promotion runs (promoter.yaml `promotion:`). */
export interface PromotionSettings {
  /** Images copied at once. */
  concurrency: number;
  /** Blob transfers at once. */
  blobConcurrency: number;
}

/** Promotion settings when promoter.yaml is silent. */
export const DEFAULT_PROMOTION: PromotionSettings = { concurrency: 8, blobConcurrency: 6 };

/** The parsed promoter.yaml. */
export interface PromoterConfig {
  /** The file it came from; undefined when the repository has none. */
  file: string | undefined;
  policy: Policy;
  /** Where the `policy:` block is, for findings about it. */
  policyPos: SourcePos | undefined;
  /** Manifest roots to read instead of detecting them (tree-relative directories or files). */
  manifestRoots: { path: string; pos: SourcePos }[] | undefined;
  endpoints: EndpointConfig[];
  filestores: FilestoreEndpointConfig[];
  promotion: PromotionSettings;
}

/** Everything loaded from one manifest repository. */
export interface ManifestSet {
  config: PromoterConfig;
  images: ImageManifest[];
  files: FileManifest[];
  /** Every manifest file read, tree-relative. */
  filesRead: string[];
}
