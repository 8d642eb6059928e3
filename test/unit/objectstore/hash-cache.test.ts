/** The hash cache: stamps, remote versions, and the file it is kept in between runs. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  FileHashCache,
  HashCache,
  VersionedHashes,
} from '../../../promoter/adapters/objectstore/hash-cache.js';
import { tempDir } from '../../helpers/temp.js';

const tmp = tempDir('promoter-hash-cache-');
afterAll(() => tmp.cleanup());
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('VersionedHashes', () => {
  it('fills a sha256 only for the same size and version, and ETags match with or without quotes', () => {
    const known = new VersionedHashes(new HashCache(), 's3://host/bucket/');
    known.record('k', 10, '"etag1"', A);
    expect(known.fill({ key: 'k', size: 10, version: 'etag1' })).toEqual({
      key: 'k',
      size: 10,
      version: 'etag1',
      sha256: A,
      sha256Cached: true,
    });
    expect(known.fill({ key: 'k', size: 11, version: '"etag1"' }).sha256).toBeUndefined();
    expect(known.fill({ key: 'k', size: 10, version: '"etag2"' }).sha256).toBeUndefined();
    expect(known.fill({ key: 'k', size: 10 }).sha256).toBeUndefined();
    expect(known.fill({ key: 'other', size: 10, version: 'etag1' }).sha256).toBeUndefined();
  });

  it('keeps metadata over the cache, separates scopes, and forgets deleted objects', () => {
    const cache = new HashCache();
    const one = new VersionedHashes(cache, 's3://host/one/');
    const two = new VersionedHashes(cache, 's3://host/two/');
    one.record('k', 1, 'v', A);
    expect(one.fill({ key: 'k', size: 1, version: 'v', sha256: B }).sha256).toBe(B);
    expect(two.fill({ key: 'k', size: 1, version: 'v' }).sha256).toBeUndefined();
    one.forget('k');
    expect(one.fill({ key: 'k', size: 1, version: 'v' }).sha256).toBeUndefined();
  });
});

describe('FileHashCache', () => {
  it('saves and loads entries, and only when something changed', async () => {
    const path = join(tmp.dir, 'c1', 'sha256-cache.json');
    const c = FileHashCache.load(path);
    expect(c.changed).toBe(false);
    c.record('/srv/x', '1:2:3:4', A);
    c.record('/srv/x', '1:2:3:4', A);
    await c.save();
    const again = FileHashCache.load(path);
    expect(again.lookup('/srv/x', '1:2:3:4')).toBe(A);
    expect(again.lookup('/srv/x', '1:2:3:5')).toBeUndefined();
    again.record('/srv/x', '1:2:3:4', A);
    expect(again.changed).toBe(false);
  });

  it('starts empty from a missing, corrupt, older-version or malformed file', () => {
    const dir = join(tmp.dir, 'c2');
    expect(FileHashCache.load(join(dir, 'none.json')).lookup('/x', 's')).toBeUndefined();
    writeFileSync(join(tmp.dir, 'corrupt.json'), '{not json');
    expect(FileHashCache.load(join(tmp.dir, 'corrupt.json')).changed).toBe(false);
    writeFileSync(join(tmp.dir, 'v1.json'), JSON.stringify({ version: 1, entries: { '/x': ['s', A] } }));
    expect(FileHashCache.load(join(tmp.dir, 'v1.json')).lookup('/x', 's')).toBeUndefined();
    writeFileSync(
      join(tmp.dir, 'bad.json'),
      JSON.stringify({ version: 2, entries: { '/x': ['s', 'not-hex'], '/y': ['s', A] } }),
    );
    const bad = FileHashCache.load(join(tmp.dir, 'bad.json'));
    expect(bad.lookup('/x', 's')).toBeUndefined();
    expect(bad.lookup('/y', 's')).toBe(A);
  });
});
