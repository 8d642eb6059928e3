/**
 * Hashes every file under a filestore prefix (a local directory or a bucket), streaming each one, a few
 * at a time: what `promoter manifest files` turns into a `files:` list. Names that promotion would
 * reject (see fileNameProblem) are reported, not listed.
 */
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { listAll, type ObjectStore } from '../adapters/objectstore/object-store.js';
import { fileNameProblem } from '../manifest/check-files.js';

/** One hashed file. */
export interface HashedFile {
  /** The path below the prefix. */
  name: string;
  sha256: string;
  size: number;
}

/** What hashing a tree found. */
export interface HashedTree {
  files: HashedFile[];
  /** Files left out, and why. */
  skipped: { name: string; reason: string }[];
}

/** Options of tree hashing. */
export interface HashTreeOptions {
  /** Files hashed at once (default 4). */
  concurrency?: number;
  /** Only names starting with this (relative to the prefix). */
  only?: string;
  /** Told of each file hashed (for progress). */
  onFile?: (f: HashedFile) => void;
}

/** Hashes every object under `prefix` of `store`; names are relative to `prefix`, sorted. */
export async function hashTree(
  store: ObjectStore,
  prefix: string,
  opts: HashTreeOptions = {},
): Promise<HashedTree> {
  const limit = pLimit(opts.concurrency ?? 4);
  const skipped: HashedTree['skipped'] = [];
  const work: Promise<HashedFile | undefined>[] = [];
  for await (const o of listAll(store, prefix + (opts.only ?? ''))) {
    const name = o.key.slice(prefix.length);
    const problem = fileNameProblem(name);
    if (problem) {
      skipped.push({ name, reason: `its name ${problem}` });
      continue;
    }
    work.push(
      limit(async () => {
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of (await store.read(o.key)).body as AsyncIterable<Buffer>) {
          hash.update(chunk);
          size += chunk.length;
        }
        const f = { name, sha256: hash.digest('hex'), size };
        opts.onFile?.(f);
        return f;
      }),
    );
  }
  const files = (await Promise.all(work)).filter((f): f is HashedFile => f !== undefined);
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { files, skipped };
}
