/**
 * The observe phase for files: lists every source and destination filestore base once (paginated), then
 * learns the sha256 of the objects that matter — from their metadata (in the listing, or one stat each
 * where listings carry none), or, when an object has no sha256 metadata (another tool wrote it), by
 * reading and hashing it, which the plan reports. Sources are hashed only when asked (a dry run that wants
 * to catch corrupt sources before anything runs); a real promotion verifies them while copying instead.
 */
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { listAll, type ObjectStore, sha256Recorder } from '../adapters/objectstore/object-store.js';
import { errorMessage } from '../errors.js';
import type { DesiredFilestore } from '../plan/desired-files.js';
import type { FileEntry, FileInventory } from '../plan/file-inventory.js';
import type { FileRemoval } from '../plan/plan-file-deletions.js';

/** Where a filestore base is: a store and the key prefix the base maps to. */
export interface FileLocation {
  store: ObjectStore;
  prefix: string;
}

/** Resolves a filestore base (normalized, ending in `/`). */
export type LocateFiles = (base: string) => FileLocation;

/** What was read and hashed for want of sha256 metadata, per base. */
export interface HashedTally {
  objects: number;
  bytes: number;
  /** A file of the base that needed it, to point a finding at. */
  first: string;
}

/** What the file observe phase learnt. */
export interface FileObservation {
  sources: Map<string, FileInventory>;
  destinations: Map<string, FileInventory>;
  /** Base → objects hashed because they had no sha256 metadata. */
  hashed: Map<string, HashedTally>;
}

/** Options of file observation. */
export interface ObserveFilesOptions {
  /** Listings, stats and hashes at once (default 8). */
  concurrency?: number;
  /** Hash source files without sha256 metadata that would be copied (default false). */
  verifySources?: boolean;
}

async function list(at: FileLocation): Promise<FileInventory> {
  try {
    const files = new Map<string, FileEntry>();
    for await (const o of listAll(at.store, at.prefix)) {
      files.set(o.key.slice(at.prefix.length), {
        size: o.size,
        ...(o.sha256
          ? { sha256: o.sha256, sha256From: o.sha256Cached ? ('cache' as const) : ('metadata' as const) }
          : {}),
        ...(o.version ? { version: o.version } : {}),
      });
    }
    return { readable: true, files };
  } catch (err) {
    return { readable: false, error: errorMessage(err) };
  }
}

/** Reads an object and returns its sha256. */
async function hashObject(store: ObjectStore, key: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of (await store.read(key)).body as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Fills in the sha256 of `names` under a readable base: a stat where listings lack metadata, else a hash. */
async function learnSha256(
  at: FileLocation,
  base: string,
  inv: Extract<FileInventory, { readable: true }>,
  names: Iterable<string>,
  limit: ReturnType<typeof pLimit>,
  hashed: Map<string, HashedTally>,
): Promise<void> {
  await Promise.all(
    [...new Set(names)].map((name) =>
      limit(async () => {
        const entry = inv.files.get(name);
        if (!entry || entry.sha256 !== undefined) return;
        const key = at.prefix + name;
        try {
          if (!at.store.listsMetadata) {
            const info = await at.store.stat(key);
            if (!info) {
              inv.files.delete(name);
              return;
            }
            if (info.sha256) {
              Object.assign(entry, {
                sha256: info.sha256,
                sha256From: info.sha256Cached ? 'cache' : 'metadata',
                size: info.size,
              });
              return;
            }
          }
          const { sha256, bytes } = await hashObject(at.store, key);
          Object.assign(entry, { sha256, sha256From: 'hashed' });
          const t = hashed.get(base) ?? { objects: 0, bytes: 0, first: name };
          t.objects++;
          t.bytes += bytes;
          hashed.set(base, t);
          await sha256Recorder(at.store)
            ?.recordSha256(
              { key, size: entry.size, ...(entry.version ? { version: entry.version } : {}) },
              sha256,
            )
            .catch(() => undefined);
        } catch (err) {
          entry.hashError = errorMessage(err);
        }
      }),
    ),
  );
}

/** Observes every base `desired` and `removals` touch. */
export async function observeFiles(
  desired: Map<string, DesiredFilestore>,
  removals: FileRemoval[],
  locate: LocateFiles,
  opts: ObserveFilesOptions = {},
): Promise<FileObservation> {
  const limit = pLimit(opts.concurrency ?? 8);
  const destNames = new Map<string, string[]>();
  const sourceBases = new Set<string>();
  for (const d of desired.values()) {
    destNames.set(d.base, [...d.files.keys()]);
    for (const f of d.files.values()) sourceBases.add(f.source);
  }
  for (const r of removals) destNames.set(r.dest, [...(destNames.get(r.dest) ?? []), r.name]);

  // 1. One listing per base (a base that is both a source and a destination is listed once).
  const bases = [...new Set([...sourceBases, ...destNames.keys()])];
  const listed = new Map<string, FileInventory>();
  await Promise.all(
    bases.map((base) =>
      limit(async () => {
        let at: FileLocation;
        try {
          at = locate(base);
        } catch (err) {
          listed.set(base, { readable: false, error: errorMessage(err) });
          return;
        }
        listed.set(base, await list(at));
      }),
    ),
  );
  const hashed = new Map<string, HashedTally>();

  // 2. Destinations: the sha256 of every wanted or removed file they hold.
  const learn = (wanted: Map<string, Iterable<string>>) =>
    Promise.all(
      [...wanted].map(async ([base, names]) => {
        const inv = listed.get(base);
        if (inv?.readable) await learnSha256(locate(base), base, inv, names, limit, hashed);
      }),
    );
  await learn(destNames);

  // 3. Sources, when asked: the sha256 of every file some destination lacks or holds differently.
  if (opts.verifySources) {
    const needed = new Map<string, Set<string>>();
    for (const d of desired.values()) {
      const inv = listed.get(d.base);
      for (const f of d.files.values()) {
        const current = inv?.readable ? inv.files.get(f.name) : undefined;
        if (current?.sha256 === f.sha256) continue;
        needed.set(f.source, new Set([...(needed.get(f.source) ?? []), f.name]));
      }
    }
    await learn(needed);
  }
  const pick = (keys: Iterable<string>) => new Map([...keys].map((k) => [k, listed.get(k)!]));
  return { sources: pick(sourceBases), destinations: pick(destNames.keys()), hashed };
}
