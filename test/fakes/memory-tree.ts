/** An in-memory TreeReader for loader and validator unit tests: paths → file contents. */
import { FileTooLargeError, InputError, PathNotFoundError } from '../../promoter/errors.js';
import type { TreeEntry, TreeReader } from '../../promoter/manifest/tree.js';

/** A file's content, `{ symlink: target }` for a symbolic link, or `{ error }` for a file that fails to read. */
export type MemoryFile = string | Buffer | { symlink: string } | { error: string };

/** Builds a tree from `{ 'dir/file.yaml': 'content' }`. */
export class MemoryTree implements TreeReader {
  readonly description = 'memory tree';
  readonly reads: string[] = [];

  constructor(private readonly files: Record<string, MemoryFile>) {}

  private dirs(): Set<string> {
    const out = new Set<string>(['']);
    for (const path of Object.keys(this.files)) {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) out.add(parts.slice(0, i).join('/'));
    }
    return out;
  }

  private entry(path: string): TreeEntry | undefined {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const f = this.files[path];
    if (f === undefined) return this.dirs().has(path) ? { name, kind: 'dir' } : undefined;
    if (typeof f === 'object' && !Buffer.isBuffer(f))
      return 'symlink' in f ? { name, kind: 'symlink' } : { name, kind: 'file', size: 1 };
    return { name, kind: 'file', size: Buffer.byteLength(f) };
  }

  async list(dir: string): Promise<TreeEntry[] | undefined> {
    if (!this.dirs().has(dir)) return undefined;
    const prefix = dir === '' ? '' : `${dir}/`;
    const names = new Set<string>();
    for (const p of [...Object.keys(this.files), ...this.dirs()]) {
      if (p === dir || !p.startsWith(prefix)) continue;
      names.add(p.slice(prefix.length).split('/')[0]!);
    }
    return [...names].sort().map((n) => this.entry(prefix + n)!);
  }

  async stat(path: string): Promise<TreeEntry | undefined> {
    return this.entry(path);
  }

  async read(path: string, maxBytes: number): Promise<Buffer> {
    const f = this.files[path];
    if (f !== undefined && typeof f === 'object' && 'error' in f)
      throw new InputError(`reading ${path}: ${f.error}`);
    if (f === undefined || (typeof f === 'object' && !Buffer.isBuffer(f)))
      throw new PathNotFoundError(`${path} does not exist`);
    const buf = Buffer.isBuffer(f) ? f : Buffer.from(f);
    if (buf.length > maxBytes)
      throw new FileTooLargeError(`${path} too large`, { size: buf.length, limit: maxBytes });
    this.reads.push(path);
    return buf;
  }
}
