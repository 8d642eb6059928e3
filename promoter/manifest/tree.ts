/**
 * A read-only view of a manifest repository: a directory on disk, or a git revision. The loader sees only
 * this, so the same code validates a working tree, a base revision and (in the daemon) a fetched commit.
 */

/** What a path in the tree is. Symlinks are reported, never followed. */
export type TreeEntryKind = 'file' | 'dir' | 'symlink' | 'other';

/** One entry of a directory listing. */
export interface TreeEntry {
  name: string;
  kind: TreeEntryKind;
  /** Size in bytes, for files. */
  size?: number;
}

/** Read access to a tree of files addressed by POSIX paths relative to its root ('' is the root). */
export interface TreeReader {
  /** A short description for messages, e.g. `directory k8s.io` or `git main:registry.k8s.io`. */
  readonly description: string;
  /** The entries of a directory, sorted by name; undefined when `dir` is not a directory. */
  list(dir: string): Promise<TreeEntry[] | undefined>;
  /** What `path` is, or undefined when it does not exist. */
  stat(path: string): Promise<TreeEntry | undefined>;
  /** The bytes of a file; throws FileTooLargeError above `maxBytes`, PathNotFoundError when missing. */
  read(path: string, maxBytes: number): Promise<Buffer>;
  /** Releases what the reader holds open (a git process); safe to call twice. */
  close?(): Promise<void>;
}

/** Joins tree-relative POSIX path segments, skipping empty ones. */
export function joinTreePath(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

/** The last segment of a tree path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
