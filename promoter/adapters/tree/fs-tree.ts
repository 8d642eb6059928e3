/** TreeReader over a directory on the local disk. */
import { constants, type Dirent } from 'node:fs';
import { type FileHandle, lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FileTooLargeError, InputError, PathNotFoundError } from '../../errors.js';
import type { TreeEntry, TreeEntryKind, TreeReader } from '../../manifest/tree.js';

function kindOf(stats: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}): TreeEntryKind {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  return 'other';
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Reads a directory tree rooted at `root` (an absolute or cwd-relative path). */
export class FsTree implements TreeReader {
  readonly description: string;

  constructor(private readonly root: string) {
    this.description = `directory ${root}`;
  }

  private abs(path: string): string {
    return path === '' ? this.root : join(this.root, ...path.split('/'));
  }

  async list(dir: string): Promise<TreeEntry[] | undefined> {
    let dirents: Dirent[];
    try {
      dirents = await readdir(this.abs(dir), { withFileTypes: true });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new InputError(`listing ${this.abs(dir)}: ${(err as Error).message}`, { cause: err });
    }
    return dirents
      .map((d) => ({ name: d.name, kind: kindOf(d) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async stat(path: string): Promise<TreeEntry | undefined> {
    try {
      const s = await lstat(this.abs(path));
      return { name: path.slice(path.lastIndexOf('/') + 1), kind: kindOf(s), size: s.size };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new InputError(`reading ${this.abs(path)}: ${(err as Error).message}`, { cause: err });
    }
  }

  async read(path: string, maxBytes: number): Promise<Buffer> {
    const abs = this.abs(path);
    let handle: FileHandle;
    try {
      // O_NOFOLLOW: a manifest that is a symbolic link is never read through.
      handle = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      if (isNotFound(err)) throw new PathNotFoundError(`${abs} does not exist`, { cause: err });
      if ((err as NodeJS.ErrnoException).code === 'ELOOP')
        throw new InputError(`${abs} is a symbolic link`, { cause: err });
      throw new InputError(`opening ${abs}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const { size } = await handle.stat();
      if (size > maxBytes) {
        throw new FileTooLargeError(`${abs} is ${size} bytes, over the ${maxBytes}-byte limit`, {
          size,
          limit: maxBytes,
        });
      }
      // Read in chunks up to maxBytes + 1, so a file that grows while it is read is still caught.
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const chunk = Buffer.alloc(Math.min(Math.max(size - total, 0) + 1, maxBytes + 1 - total, 1 << 20));
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, total);
        if (bytesRead === 0) break;
        chunks.push(chunk.subarray(0, bytesRead));
        total += bytesRead;
        if (total > maxBytes) {
          throw new FileTooLargeError(`${abs} is over the ${maxBytes}-byte limit`, {
            size: total,
            limit: maxBytes,
          });
        }
      }
      return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(`reading ${abs}: ${(err as Error).message}`, { cause: err });
    } finally {
      await handle.close();
    }
  }
}
