/**
 * Where blobs are known to live: per store, digest → repositories that hold it. A copy mounts a blob from
 * such a repository instead of uploading it. Kept in memory for a run, and in a small file between runs
 * (as skopeo's blob-info cache is), so separate `promoter copy` runs into one registry share base layers.
 * Only a hint: a mount the registry declines falls back to an upload.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Digest } from '../domain/digest.js';

/** How many repositories are remembered per blob, and blobs per file. */
const REPOS_PER_BLOB = 4;
const MAX_BLOBS = 50_000;

/** Lookup and recording of blob locations. */
export interface BlobLocations {
  /** Repositories of `store` known to hold `digest`, most recent first. */
  lookup(store: string, digest: Digest): string[];
  /** Notes that `repo` of `store` holds `digest`. */
  record(store: string, digest: Digest, repo: string): void;
}

/** Locations held in memory. */
export class MemoryBlobLocations implements BlobLocations {
  protected readonly stores = new Map<string, Map<string, string[]>>();

  lookup(store: string, digest: Digest): string[] {
    return this.stores.get(store)?.get(digest) ?? [];
  }

  record(store: string, digest: Digest, repo: string): void {
    let blobs = this.stores.get(store);
    if (!blobs) {
      blobs = new Map();
      this.stores.set(store, blobs);
    }
    const repos = (blobs.get(digest) ?? []).filter((r) => r !== repo);
    blobs.delete(digest); // re-insert: map order is recency
    blobs.set(digest, [repo, ...repos].slice(0, REPOS_PER_BLOB));
  }
}

/** Locations loaded from and saved to a JSON file. */
export class FileBlobLocations extends MemoryBlobLocations {
  private constructor(private readonly path: string) {
    super();
  }

  /** Loads the file; a missing or unreadable file starts empty. */
  static load(path: string): FileBlobLocations {
    const out = new FileBlobLocations(path);
    try {
      const doc = JSON.parse(readFileSync(path, 'utf8')) as {
        stores?: Record<string, Record<string, string[]>>;
      };
      for (const [store, blobs] of Object.entries(doc.stores ?? {})) {
        out.stores.set(store, new Map(Object.entries(blobs).filter(([, repos]) => Array.isArray(repos))));
      }
    } catch {
      // No cache yet, or an unreadable one: start afresh.
    }
    return out;
  }

  /** Writes the file atomically, keeping the most recent blobs. */
  async save(): Promise<void> {
    let budget = MAX_BLOBS;
    const stores: Record<string, Record<string, string[]>> = {};
    for (const [store, blobs] of [...this.stores].reverse()) {
      const recent = [...blobs].slice(-budget);
      budget -= recent.length;
      stores[store] = Object.fromEntries(recent);
      if (budget <= 0) break;
    }
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify({ version: 1, stores }));
    await rename(tmp, this.path);
  }
}

/** `$XDG_CACHE_HOME/promoter/blob-locations.json` (or under ~/.cache). */
export function defaultBlobLocationsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME ?? homedir(), '.cache'), 'promoter', 'blob-locations.json');
}
