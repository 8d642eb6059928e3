/** TreeReader over one git revision, read with `git ls-tree` and `git cat-file --batch` (no checkout). */
import {
  FileTooLargeError,
  GitError,
  GitRefError,
  NotAGitRepositoryError,
  PathNotFoundError,
} from '../../errors.js';
import type { TreeEntry, TreeEntryKind, TreeReader } from '../../manifest/tree.js';
import { CatFileBatch } from './cat-file-batch.js';
import { runGit } from './git.js';

interface Blob {
  oid: string;
  kind: TreeEntryKind;
  size: number;
}

/** Where a directory sits in its git repository. */
export interface RepoLocation {
  /** The work tree's top-level directory. */
  top: string;
  /** The directory's path below `top`, POSIX, without a trailing slash ('' at the top). */
  prefix: string;
}

/** Finds the git work tree that holds `dir`; throws NotAGitRepositoryError outside one. */
export async function locateRepository(dir: string): Promise<RepoLocation> {
  try {
    const out = await runGit(dir, ['rev-parse', '--show-toplevel', '--show-prefix']);
    const [top = '', prefix = ''] = out.stdout.toString('utf8').split('\n');
    return { top, prefix: prefix.replace(/\/$/, '') };
  } catch (err) {
    throw new NotAGitRepositoryError(`${dir} is not inside a git work tree`, { cause: err });
  }
}

/** Resolves `ref` to a commit id; throws GitRefError when it names no commit. */
export async function resolveCommit(top: string, ref: string): Promise<string> {
  if (ref.startsWith('-')) throw new GitRefError(`"${ref}" is not a git revision`);
  try {
    const out = await runGit(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return out.stdout.toString('utf8').trim();
  } catch (err) {
    throw new GitRefError(`"${ref}" does not name a commit in ${top}`, { cause: err });
  }
}

function modeKind(mode: string, type: string): TreeEntryKind {
  if (type !== 'blob') return 'other';
  if (mode === '120000') return 'symlink';
  return 'file';
}

/** The files below `prefix` at one commit, addressed relative to `prefix`. */
export class GitTree implements TreeReader {
  readonly description: string;
  private readonly dirs = new Map<string, Map<string, TreeEntry>>();
  private readonly blobs = new Map<string, Blob>();
  private readonly reader: CatFileBatch;

  private constructor(
    private readonly loc: RepoLocation,
    readonly commit: string,
    ref: string,
  ) {
    this.description = `git ${ref}:${loc.prefix || '.'}`;
    this.reader = new CatFileBatch(loc.top);
    this.dirs.set('', new Map());
  }

  /** Opens `ref` of the repository that holds `dir`, viewing the tree at `dir`'s place in it. */
  static async open(dir: string, ref: string): Promise<GitTree> {
    const loc = await locateRepository(dir);
    const commit = await resolveCommit(loc.top, ref);
    const tree = new GitTree(loc, commit, ref);
    await tree.index();
    return tree;
  }

  private async index(): Promise<void> {
    const args = ['ls-tree', '-r', '-l', '-z', '--full-tree', this.commit];
    if (this.loc.prefix) args.push('--', `${this.loc.prefix}/`);
    const out = await runGit(this.loc.top, args);
    const strip = this.loc.prefix ? this.loc.prefix.length + 1 : 0;
    for (const record of out.stdout.toString('utf8').split('\0')) {
      if (!record) continue;
      const tab = record.indexOf('\t');
      const [mode = '', type = '', oid = '', size = ''] = record.slice(0, tab).split(/ +/);
      const path = record.slice(tab + 1).slice(strip);
      const kind = modeKind(mode, type);
      this.blobs.set(path, { oid, kind, size: Number(size) || 0 });
      this.addPath(path, kind, Number(size) || 0);
    }
  }

  private addPath(path: string, kind: TreeEntryKind, size: number): void {
    const parts = path.split('/');
    let dir = '';
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const isLeaf = i === parts.length - 1;
      const entries = this.dirs.get(dir)!;
      if (!entries.has(name)) entries.set(name, isLeaf ? { name, kind, size } : { name, kind: 'dir' });
      dir = dir ? `${dir}/${name}` : name;
      if (!isLeaf && !this.dirs.has(dir)) this.dirs.set(dir, new Map());
    }
  }

  async list(dir: string): Promise<TreeEntry[] | undefined> {
    const entries = this.dirs.get(dir);
    if (!entries) return undefined;
    return [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async stat(path: string): Promise<TreeEntry | undefined> {
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (this.dirs.has(path)) return { name, kind: 'dir' };
    const blob = this.blobs.get(path);
    return blob ? { name, kind: blob.kind, size: blob.size } : undefined;
  }

  async read(path: string, maxBytes: number): Promise<Buffer> {
    const blob = this.blobs.get(path);
    const shown = `${this.commit.slice(0, 12)}:${this.loc.prefix ? `${this.loc.prefix}/` : ''}${path}`;
    if (blob?.kind !== 'file') throw new PathNotFoundError(`${shown} does not exist`);
    if (blob.size > maxBytes) {
      throw new FileTooLargeError(`${shown} is ${blob.size} bytes, over the ${maxBytes}-byte limit`, {
        size: blob.size,
        limit: maxBytes,
      });
    }
    try {
      return await this.reader.read(blob.oid);
    } catch (err) {
      throw new GitError(`reading ${shown}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Stops the background git process. */
  async close(): Promise<void> {
    this.reader.close();
  }
}
