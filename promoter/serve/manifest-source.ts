/**
 * The manifest repository as the daemon watches it. A git repository (a URL, or the path of a local
 * repository) is cloned once into the state directory and then fetched: the configured branch's commit is
 * checked out (detached) so promotion reads a plain directory, and earlier commits stay readable for guarded
 * deletion. A plain directory (not a git repository, such as `manifests/example`) is read where it is; its
 * revision is a hash of its YAML files, and a snapshot of them is kept per applied revision for the same
 * purpose.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GitTree } from '../adapters/git/git-tree.js';
import { runGit } from '../adapters/git/git.js';
import { FsTree } from '../adapters/tree/fs-tree.js';
import { GitError, InputError } from '../errors.js';
import type { TreeReader } from '../manifest/tree.js';

/** A tree that may hold resources until closed. */
export type ClosableTree = TreeReader & { close?(): Promise<void> };

/** Where the manifests come from. */
export interface ManifestSource {
  /** For status and logs: the URL without credentials, or the path. */
  readonly description: string;
  /** The directory promotion reads the current revision from (relative store paths resolve here). */
  readonly dir: string;
  /** Fetches (git) or re-reads (directory); returns the current revision. */
  sync(): Promise<string>;
  /** The manifests of the revision `sync` just returned, exactly as read. */
  head(revision: string): Promise<ClosableTree>;
  /** The manifests at a revision `sync` returned before, or undefined when it can no longer be read. */
  treeAt(revision: string): Promise<ClosableTree | undefined>;
  /** Called once `revision` is applied (a directory source keeps a snapshot of it). */
  applied(revision: string): Promise<void>;
}

/** Removes `user:password@` from every URL in a message (git's own messages may echo a remote URL). */
export function redactCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
}

/** `https://user:token@host/x` → `https://host/x`; other strings unchanged. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

/** True when `path` is the top of a git work tree or a bare repository. */
async function isGitRepository(path: string): Promise<boolean> {
  try {
    const bare = await runGit(path, ['rev-parse', '--is-bare-repository']);
    if (bare.stdout.toString('utf8').trim() === 'true') return true;
    const top = await runGit(path, ['rev-parse', '--show-toplevel']);
    return resolve(top.stdout.toString('utf8').trim()) === resolve(path);
  } catch {
    return false;
  }
}

/** Picks the source kind for `--repo`: a local directory that is not a repository's top is read in place. */
export async function openManifestSource(
  repo: string,
  opts: { branch: string; stateDir: string },
): Promise<ManifestSource> {
  const looksLocal = !/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) && !/^[^/]+@[^/]+:/.test(repo);
  if (looksLocal) {
    const s = await stat(repo).catch(() => undefined);
    if (!s?.isDirectory()) throw new InputError(`--repo ${repo}: no such directory`);
    if (!(await isGitRepository(repo))) return new DirectorySource(resolve(repo), opts.stateDir);
    return new GitSource(resolve(repo), opts.branch, opts.stateDir);
  }
  return new GitSource(repo, opts.branch, opts.stateDir);
}

/** A git repository, cloned into `<state>/repo`. */
export class GitSource implements ManifestSource {
  readonly description: string;
  readonly dir: string;

  constructor(
    private readonly url: string,
    private readonly branch: string,
    stateDir: string,
  ) {
    if (branch.startsWith('-') || /\s|\.\.|[~^:?*[\\]/.test(branch))
      throw new InputError(`--branch ${branch}: not a branch name`);
    this.description = `${redactUrl(url)}#${branch}`;
    this.dir = join(stateDir, 'repo');
  }

  async sync(): Promise<string> {
    if (!existsSync(join(this.dir, '.git'))) {
      await rm(this.dir, { recursive: true, force: true });
      await mkdir(this.dir, { recursive: true });
      await runGit(this.dir, ['init', '--quiet']);
      await runGit(this.dir, ['remote', 'add', 'origin', this.url]);
    }
    const ref = `refs/remotes/origin/${this.branch}`;
    try {
      await runGit(this.dir, ['fetch', '--quiet', '--prune', 'origin', `+refs/heads/${this.branch}:${ref}`]);
    } catch (err) {
      throw new GitError(`fetching ${this.description}: ${redactCredentials((err as Error).message)}`);
    }
    const commit = (await runGit(this.dir, ['rev-parse', '--verify', `${ref}^{commit}`])).stdout
      .toString('utf8')
      .trim();
    await runGit(this.dir, ['checkout', '--quiet', '--force', '--detach', commit]);
    return commit;
  }

  async head(): Promise<ClosableTree> {
    return new FsTree(this.dir);
  }

  async treeAt(revision: string): Promise<ClosableTree | undefined> {
    try {
      return await GitTree.open(this.dir, revision);
    } catch {
      return undefined;
    }
  }

  async applied(): Promise<void> {
    // Every fetched commit stays in the clone.
  }
}

const isManifestFile = (name: string) => /\.ya?ml$/i.test(name);

/** A plain directory, read in place; revisions are hashes of its YAML files. */
export class DirectorySource implements ManifestSource {
  readonly description: string;
  private readonly snapshots: string;
  private lastRead: { revision: string; files: Map<string, Buffer> } | undefined;

  constructor(
    readonly dir: string,
    stateDir: string,
  ) {
    this.description = dir;
    this.snapshots = join(stateDir, 'snapshots');
  }

  /** The YAML files below the directory (hidden entries skipped), relative paths sorted. */
  private async files(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      const entries = await readdir(join(this.dir, rel), { withFileTypes: true });
      for (const e of entries) {
        if (e.name.startsWith('.')) continue;
        const path = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(path);
        else if (e.isFile() && isManifestFile(e.name)) out.push(path);
      }
    };
    await walk('');
    return out.sort();
  }

  async sync(): Promise<string> {
    const hash = createHash('sha256');
    const files = new Map<string, Buffer>();
    for (const path of await this.files()) {
      const data = await readFile(join(this.dir, path));
      files.set(path, data);
      hash.update(`${path}\0`);
      hash.update(data);
      hash.update('\0');
    }
    const revision = `dir-${hash.digest('hex').slice(0, 40)}`;
    this.lastRead = { revision, files };
    return revision;
  }

  async treeAt(revision: string): Promise<ClosableTree | undefined> {
    const snap = join(this.snapshots, revision);
    return existsSync(snap) ? new FsTree(snap) : undefined;
  }

  /**
   * The YAML files of `revision` exactly as `sync` read them, written to a snapshot: promotion reads that,
   * so an edit made while a pass runs belongs to the next revision, not half to this one.
   */
  async head(revision: string): Promise<ClosableTree> {
    const snap = join(this.snapshots, revision);
    if (!existsSync(snap)) {
      if (this.lastRead?.revision !== revision)
        throw new InputError(`${this.dir}: revision ${revision} was not read`);
      const tmp = `${snap}.tmp-${process.pid}`;
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { recursive: true });
      for (const [path, data] of this.lastRead.files) {
        await mkdir(join(tmp, path, '..'), { recursive: true });
        await writeFile(join(tmp, path), data);
      }
      await rename(tmp, snap);
    }
    return new FsTree(snap);
  }

  /** Keeps the snapshot of `revision` (the base of the next incremental pass) and drops the others. */
  async applied(revision: string): Promise<void> {
    for (const old of await readdir(this.snapshots).catch(() => []))
      if (old !== revision) await rm(join(this.snapshots, old), { recursive: true, force: true });
  }
}
