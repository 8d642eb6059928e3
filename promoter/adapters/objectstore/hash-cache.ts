/**
 * Known sha256 values of local files, keyed by absolute path and checked against the file's identity
 * (size, inode, modification and change times in nanoseconds — a write or rename changes the change time,
 * which no user can set back). Local directories have no object metadata; this is theirs. Held in memory
 * for a run and in a small file between runs, so a re-run hashes nothing it wrote or hashed before.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** The identity of a file's content as the filesystem reports it. */
export interface FileIdentity {
  size: bigint;
  ino: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

const MAX_ENTRIES = 200_000;

const stamp = (id: FileIdentity) => `${id.size}:${id.ino}:${id.mtimeNs}:${id.ctimeNs}`;

/** Path → (identity, sha256). */
export class HashCache {
  protected readonly entries = new Map<string, { stamp: string; sha256: string }>();
  private dirty = false;

  /** The sha256 of `path` if it was recorded for exactly this identity. */
  lookup(path: string, id: FileIdentity): string | undefined {
    const e = this.entries.get(path);
    return e && e.stamp === stamp(id) ? e.sha256 : undefined;
  }

  /** Records the sha256 of `path` at this identity. */
  record(path: string, id: FileIdentity, sha256: string): void {
    this.entries.delete(path);
    this.entries.set(path, { stamp: stamp(id), sha256 });
    this.dirty = true;
  }

  /** Forgets `path` (deleted). */
  forget(path: string): void {
    this.dirty = this.entries.delete(path) || this.dirty;
  }

  /** True when something changed since loading. */
  get changed(): boolean {
    return this.dirty;
  }
}

/** A hash cache loaded from and saved to a JSON file. */
export class FileHashCache extends HashCache {
  private constructor(private readonly path: string) {
    super();
  }

  /** Loads the file; a missing or unreadable file starts empty. */
  static load(path: string): FileHashCache {
    const out = new FileHashCache(path);
    try {
      const doc = JSON.parse(readFileSync(path, 'utf8')) as { entries?: Record<string, [string, string]> };
      for (const [p, v] of Object.entries(doc.entries ?? {})) {
        if (Array.isArray(v) && typeof v[0] === 'string' && /^[0-9a-f]{64}$/.test(String(v[1])))
          out.entries.set(p, { stamp: v[0], sha256: v[1] });
      }
    } catch {
      // No cache yet, or an unreadable one: start afresh.
    }
    return out;
  }

  /** Writes the file atomically (most recent entries first to survive the cap); a no-op when unchanged. */
  async save(): Promise<void> {
    if (!this.changed) return;
    const recent = [...this.entries].slice(-MAX_ENTRIES);
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp-${process.pid}`;
    const entries = Object.fromEntries(recent.map(([p, e]) => [p, [e.stamp, e.sha256]]));
    await writeFile(tmp, JSON.stringify({ version: 1, entries }));
    await rename(tmp, this.path);
  }
}

/** `$XDG_CACHE_HOME/promoter/local-sha256.json` (or under ~/.cache). */
export function defaultHashCachePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME ?? homedir(), '.cache'), 'promoter', 'local-sha256.json');
}
