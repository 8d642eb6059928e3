/** The blob-location cache: most recent repositories first, bounded, saved and loaded atomically. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { FileBlobLocations, MemoryBlobLocations } from '../../../promoter/copy/blob-locations.js';
import type { Digest } from '../../../promoter/domain/digest.js';
import { tempDir } from '../../helpers/temp.js';

const tmp = tempDir('promoter-locations-');
afterAll(() => tmp.cleanup());
const D = (c: string) => `sha256:${c.repeat(64)}` as Digest;

describe('blob locations', () => {
  it('keeps the most recent repositories first, a few per blob', () => {
    const m = new MemoryBlobLocations();
    for (const repo of ['a', 'b', 'c', 'd', 'e', 'b']) m.record('registry r.io', D('1'), repo);
    expect(m.lookup('registry r.io', D('1'))).toEqual(['b', 'e', 'd', 'c']);
    expect(m.lookup('registry other', D('1'))).toEqual([]);
  });

  it('survives a save and a load, and starts empty from a broken file', async () => {
    const path = join(tmp.dir, 'sub', 'cache.json');
    const f = FileBlobLocations.load(path);
    f.record('registry r.io', D('2'), 'team/app');
    await f.save();
    expect(FileBlobLocations.load(path).lookup('registry r.io', D('2'))).toEqual(['team/app']);
    expect(JSON.parse(readFileSync(path, 'utf8')).version).toBe(1);
    writeFileSync(path, '{not json');
    expect(FileBlobLocations.load(path).lookup('registry r.io', D('2'))).toEqual([]);
  });
});
