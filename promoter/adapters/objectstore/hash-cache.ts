/**
 * Known sha256 values of objects whose store keeps none in their metadata, each checked against a stamp of
 * the object's identity: for a local file its size, inode, modification and change times in nanoseconds (a
 * write or rename changes the change time, which no user can set back); for a remote object its size and
 * version (an S3 ETag, a GCS generation — both change whenever the content does). Held in memory for a run
 * and in a small file between runs, so a re-run reads nothing it wrote or hashed before.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ObjectInfo } from './object-store.js';

/** The identity of a file's content as the filesystem reports it. */
export interface FileIdentity {
  size: bigint;
  ino: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

const MAX_ENTRIES = 200_000;

/** The stamp of a local file. */
export const fileStamp = (id: FileIdentity): string => `${id.size}:${id.ino}:${id.mtimeNs}:${id.ctimeNs}`;

/** Key (a path or an object URL) → (stamp, sha256). */
export class HashCache {
  protected readonly entries = new Map<string, { stamp: string; sha256: string }>();
  private dirty = false;

  /** The sha256 recorded for `key` at exactly this stamp. */
  lookup(key: string, stamp: string): string | undefined {
    const e = this.entries.get(key);
    return e && e.stamp === stamp ? e.sha256 : undefined;
  }

  /** Records the sha256 of `key` at this stamp. */
  record(key: string, stamp: string, sha256: string): void {
    const e = this.entries.get(key);
    if (e?.stamp === stamp && e.sha256 === sha256) return;
    this.entries.delete(key);
    this.entries.set(key, { stamp, sha256 });
    this.dirty = true;
  }

  /** Forgets `key` (deleted). */
  forget(key: string): void {
    this.dirty = this.entries.delete(key) || this.dirty;
  }

  /** True when something changed since loading. */
  get changed(): boolean {
    return this.dirty;
  }
}

/** A remote object's stamp (ETags compared without their quotes, which some APIs drop). */
const stampOf = (size: number, version: string) => `${size}:${version.replace(/^"(.*)"$/, '$1')}`;

/**
 * The hash cache as one remote store uses it: keys are `scope` + object key, stamps are size and version.
 * An object that carries a sha256 in its metadata needs no entry.
 */
export class VersionedHashes {
  constructor(
    private readonly cache: HashCache | undefined,
    private readonly scope: string,
  ) {}

  /** `info` with the remembered sha256 filled in, when it has none and its version matches. */
  fill(info: ObjectInfo): ObjectInfo {
    if (info.sha256 !== undefined || info.version === undefined || !this.cache) return info;
    const sha256 = this.cache.lookup(this.scope + info.key, stampOf(info.size, info.version));
    return sha256 ? { ...info, sha256, sha256Cached: true } : info;
  }

  /** Remembers that the object at `key`, of `size` bytes at `version`, has this sha256. */
  record(key: string, size: number, version: string | undefined, sha256: string): void {
    if (version !== undefined) this.cache?.record(this.scope + key, stampOf(size, version), sha256);
  }

  /** Forgets the object at `key`. */
  forget(key: string): void {
    this.cache?.forget(this.scope + key);
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
      const doc = JSON.parse(readFileSync(path, 'utf8')) as {
        version?: number;
        entries?: Record<string, [string, string]>;
      };
      if (doc.version !== 2) return out;
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
    await writeFile(tmp, JSON.stringify({ version: 2, entries }));
    await rename(tmp, this.path);
  }
}

/** `$XDG_CACHE_HOME/promoter/sha256-cache.json` (or under ~/.cache). */
export function defaultHashCachePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME ?? homedir(), '.cache'), 'promoter', 'sha256-cache.json');
}
