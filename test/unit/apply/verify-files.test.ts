/** Verifying written files: one listing where many were written under a directory, a stat each otherwise. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import pLimit from 'p-limit';
import { HashCache } from '../../../promoter/adapters/objectstore/hash-cache.js';
import { LocalObjectStore } from '../../../promoter/adapters/objectstore/local-store.js';
import type { ObjectStore } from '../../../promoter/adapters/objectstore/object-store.js';
import { verifyFiles } from '../../../promoter/apply/apply-files.js';
import type { AppliedAction } from '../../../promoter/apply/apply-plan.js';
import type { FileCopier } from '../../../promoter/copy/file-copier.js';
import { tempDir } from '../../helpers/temp.js';

const tmp = tempDir('promoter-verify-');
afterAll(() => tmp.cleanup());

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A local store that counts listings and stats. */
function counted(root: string) {
  const store: ObjectStore = new LocalObjectStore(root, new HashCache());
  const counts = { list: 0, stat: 0 };
  const wrapped: ObjectStore = Object.assign(Object.create(store) as ObjectStore, {
    listPage: (prefix: string, next?: string) => {
      counts.list++;
      return store.listPage(prefix, next);
    },
    stat: (key: string) => {
      counts.stat++;
      return store.stat(key);
    },
  });
  return { store, wrapped, counts };
}

async function written(store: ObjectStore, names: string[]): Promise<AppliedAction[]> {
  const out: AppliedAction[] = [];
  for (const name of names) {
    const data = Buffer.from(`content of ${name}`);
    await store.write(`mirror/${name}`, Readable.from([data]), {
      size: data.length,
      sha256: sha(data),
      overwrite: false,
    });
    out.push({
      kind: 'copy-file',
      outcome: 'apply',
      reason: 'missing',
      role: 'file',
      dest: 'file:///mirror/',
      source: 'file:///staging/',
      digest: `sha256:${sha(data)}`,
      file: name,
      size: data.length,
      result: 'done',
    });
  }
  return out;
}

const ctx = (store: ObjectStore) => ({
  locate: () => ({ store, prefix: 'mirror/' }),
  copier: undefined as unknown as FileCopier,
});

describe('verifyFiles', () => {
  it('lists the common directory once when many files were written, and fails what does not match', async () => {
    const root = join(tmp.dir, 'many');
    const { store, wrapped, counts } = counted(root);
    const names = Array.from({ length: 12 }, (_, i) => `v1/bin/f${i}`);
    const actions = await written(store, names);
    // Another writer replaces one file and removes another after promoter wrote them.
    writeFileSync(join(root, 'mirror/v1/bin/f3'), 'tampered');
    rmSync(join(root, 'mirror/v1/bin/f7'));
    await verifyFiles(actions, ctx(wrapped), pLimit(4));
    expect(actions.filter((a) => a.result === 'done')).toHaveLength(10);
    const failed = actions.filter((a) => a.result === 'failed');
    expect(failed.map((a) => a.file)).toEqual(['v1/bin/f3', 'v1/bin/f7']);
    expect(failed[0]!.error).toMatch(/holds 8 bytes with sha256 unknown/);
    expect(failed[1]!.error).toMatch(/holds nothing/);
    // One listing; a stat only for the two the listing did not settle.
    expect(counts).toEqual({ list: 1, stat: 2 });
  });

  it('stats each file when only a few were written', async () => {
    const { store, wrapped, counts } = counted(join(tmp.dir, 'few'));
    const actions = await written(store, ['a', 'b/c']);
    await verifyFiles(actions, ctx(wrapped), pLimit(4));
    expect(actions.map((a) => a.result)).toEqual(['done', 'done']);
    expect(counts).toEqual({ list: 0, stat: 2 });
  });

  it('falls back to stats when the directory holds far more than was written', async () => {
    const root = join(tmp.dir, 'crowded');
    const { store, wrapped, counts } = counted(root);
    const actions = await written(
      store,
      Array.from({ length: 8 }, (_, i) => `f${i}`),
    );
    for (let i = 0; i < 1100; i++) writeFileSync(join(root, 'mirror', `old-${i}`), 'x');
    await verifyFiles(actions, ctx(wrapped), pLimit(4));
    expect(actions.every((a) => a.result === 'done')).toBe(true);
    // The listing of `mirror/` ran past its budget (1000 objects, or 4 per file written) and was dropped.
    expect(counts).toEqual({ list: 1, stat: 8 });
  });
});
