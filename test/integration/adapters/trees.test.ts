/** The two TreeReaders over real storage: a directory on disk and a git revision. */
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GitTree } from '../../../promoter/adapters/git/git-tree.js';
import { FsTree } from '../../../promoter/adapters/tree/fs-tree.js';
import { FileTooLargeError, GitRefError, PathNotFoundError } from '../../../promoter/errors.js';
import type { TreeReader } from '../../../promoter/manifest/tree.js';
import { gitCommitAll, gitInitCommit, tempDir, writeTree } from '../../helpers/temp.js';

const tmp = tempDir('promoter-trees-');
const repo = join(tmp.dir, 'repo');
let firstCommit = '';

beforeAll(() => {
  writeTree(repo, {
    'top.txt': 'top\n',
    'sub/a.yaml': 'a: 1\n',
    'sub/dir/b.yaml': 'b: 2\n',
    'sub/big.bin': Buffer.alloc(5000, 7),
  });
  symlinkSync('/etc/passwd', join(repo, 'sub', 'link.yaml'));
  firstCommit = gitInitCommit(repo);
  writeFileSync(join(repo, 'sub', 'a.yaml'), 'a: changed\n');
  gitCommitAll(repo, 'second');
});
afterAll(() => tmp.cleanup());

function contract(name: string, open: () => Promise<TreeReader>, aContent: string) {
  describe(name, () => {
    let tree: TreeReader;
    beforeAll(async () => {
      tree = await open();
    });
    afterAll(async () => {
      await tree.close?.();
    });

    it('lists a directory sorted, with kinds, and reports symlinks without following them', async () => {
      const entries = await tree.list('');
      expect(entries?.map((e) => `${e.name}:${e.kind}`)).toEqual([
        'a.yaml:file',
        'big.bin:file',
        'dir:dir',
        'link.yaml:symlink',
      ]);
    });

    it('answers undefined for what is not there', async () => {
      expect(await tree.list('nope')).toBeUndefined();
      expect(await tree.stat('nope.yaml')).toBeUndefined();
      await expect(tree.read('nope.yaml', 100)).rejects.toBeInstanceOf(PathNotFoundError);
    });

    it('reads files, nested ones too', async () => {
      expect((await tree.read('a.yaml', 100)).toString()).toBe(aContent);
      expect((await tree.read('dir/b.yaml', 100)).toString()).toBe('b: 2\n');
      expect((await tree.stat('big.bin'))?.size).toBe(5000);
    });

    it('refuses a file over the limit without reading it whole', async () => {
      await expect(tree.read('big.bin', 4999)).rejects.toBeInstanceOf(FileTooLargeError);
      expect((await tree.read('big.bin', 5000)).length).toBe(5000);
    });

    it('does not read through a symlink', async () => {
      await expect(tree.read('link.yaml', 100_000)).rejects.toThrow();
    });
  });
}

contract('FsTree', async () => new FsTree(join(repo, 'sub')), 'a: changed\n');
contract(
  'GitTree at an older commit, viewed from a subdirectory',
  async () => GitTree.open(join(repo, 'sub'), firstCommit),
  'a: 1\n',
);

describe('GitTree', () => {
  it('reads many blobs through one process, in order', async () => {
    const tree = await GitTree.open(repo, 'HEAD');
    const reads = await Promise.all(
      Array.from({ length: 50 }, (_, i) => tree.read(i % 2 ? 'top.txt' : 'sub/dir/b.yaml', 100)),
    );
    await tree.close();
    expect(reads.map((b) => b.toString())).toEqual(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? 'top\n' : 'b: 2\n')),
    );
  });

  it('rejects an unknown revision and option-like revisions', async () => {
    await expect(GitTree.open(repo, 'nope')).rejects.toBeInstanceOf(GitRefError);
    await expect(GitTree.open(repo, '--output=/tmp/x')).rejects.toBeInstanceOf(GitRefError);
  });
});
