/**
 * The object-store interface: one bucket (or local directory) addressed by keys. List, stat, read, write,
 * delete; server-side copy is an optional ability with its own guard. Implementations label their own
 * not-found, auth and transient errors with the catalogue's classes.
 */
import type { Readable } from 'node:stream';

/** What a store knows of one object without reading it. */
export interface ObjectInfo {
  key: string;
  size: number;
  /** The sha256 recorded in the object's metadata (lowercase hex), when it has one. */
  sha256?: string;
  /** True when `sha256` comes from the hash cache (promoter read or wrote this version) rather than metadata. */
  sha256Cached?: true;
  /** A version token for conditional copies (an S3 ETag, a GCS generation). */
  version?: string;
}

/** A page of a listing. */
export interface ObjectPage {
  objects: ObjectInfo[];
  /** Absent on the last page. */
  next?: string;
}

/** An object being read: its bytes and what the response said about them. */
export interface ObjectRead {
  body: Readable;
  /** The content type the store serves it with. */
  contentType?: string;
  /** The version read (ETag, generation), for copies conditional on exactly these bytes. */
  version?: string;
}

/** What a write must satisfy before it is committed. */
export interface WriteExpectation {
  size: number;
  /** Lowercase hex; also recorded in the object's metadata. */
  sha256: string;
  /** Replace an existing object (false: fail rather than overwrite, where the store can tell). */
  overwrite: boolean;
  /** The content type to serve it with (the source's); the store's default when absent. */
  contentType?: string;
}

/** One bucket or directory. */
export interface ObjectStore {
  /** For reports: `s3 127.0.0.1:9000/bucket`, `gcs bucket`, `local /srv/mirror`. */
  readonly description: string;
  /** The host requests go to, for request statistics (`local` for directories). */
  readonly host: string;
  /** True when a listing already carries each object's sha256 metadata (no stat needed). */
  readonly listsMetadata: boolean;
  /** One page of the objects whose keys start with `prefix`, in key order. */
  listPage(prefix: string, next?: string): Promise<ObjectPage>;
  /** The object at `key`, or undefined when there is none. */
  stat(key: string): Promise<ObjectInfo | undefined>;
  /** The object's bytes (NotFoundError when absent). */
  read(key: string): Promise<ObjectRead>;
  /**
   * Writes `body` to `key`, committing only when the stream ends cleanly with exactly the expected size
   * and sha256: a failed or mismatched body leaves nothing behind (an aborted multipart upload, a deleted
   * temp file). Records the sha256 in the object's metadata.
   */
  write(key: string, body: Readable, expect: WriteExpectation): Promise<void>;
  /** Deletes the object; NotFoundError when it was already gone. */
  delete(key: string): Promise<void>;
  /** Releases clients and sockets. */
  close(): Promise<void>;
}

/** A store that can copy from another store of the same service without moving bytes through us. */
export interface ServerSideCopier {
  /** An identity: stores with the same one may copy between each other server-side. */
  readonly copyDomain: string;
  /**
   * Copies `from.key` of `source` to `key` here, recording `expect.sha256` in the metadata, and only when the
   * source still has `from.version` where the service can check it. Does not verify content.
   */
  copyFrom(source: ObjectStore, from: ObjectInfo, key: string, expect: WriteExpectation): Promise<void>;
}

/** The server-side copy ability, when the store has it. */
export function serverSideCopier(store: ObjectStore): (ObjectStore & ServerSideCopier) | undefined {
  const s = store as Partial<ServerSideCopier>;
  return typeof s.copyFrom === 'function' && typeof s.copyDomain === 'string'
    ? (store as ObjectStore & ServerSideCopier)
    : undefined;
}

/** Every object under `prefix`, page by page. */
export async function* listAll(store: ObjectStore, prefix: string): AsyncGenerator<ObjectInfo> {
  let next: string | undefined;
  do {
    const page = await store.listPage(prefix, next);
    yield* page.objects;
    next = page.next;
  } while (next !== undefined);
}

/** A store without sha256 metadata that can remember a sha256 computed by reading an object. */
export interface Sha256Recorder {
  recordSha256(info: ObjectInfo, sha256: string): Promise<void>;
}

/** The sha256-recording ability, when the store has it. */
export function sha256Recorder(store: ObjectStore): (ObjectStore & Sha256Recorder) | undefined {
  return typeof (store as Partial<Sha256Recorder>).recordSha256 === 'function'
    ? (store as ObjectStore & Sha256Recorder)
    : undefined;
}
