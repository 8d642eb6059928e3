/** Where the daemon reads manifests from: a git repository (cloned, fetched, checked out) or a directory. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { GitError, InputError } from '../../../promoter/errors.js';
import {
  type ClosableTree,
  DirectorySource,
  GitSource,
  openManifestSource,
  redactCredentials,
  redactUrl,
} from '../../../promoter/serve/manifest-source.js';
import { bareRepoWithWorkTree, commitAndPush } from '../../helpers/serve/git-daemon.js';
import { tempDir } from '../../helpers/temp.js';

const tmp = tempDir('promoter-source-');
afterAll(() => tmp.cleanup());
let n = 0;
const fresh = (name: string) => join(tmp.dir, `${name}-${++n}`);

async function readTree(tree: ClosableTree | undefined, path: string): Promise<string> {
  return (await tree!.read(path, 1 << 20)).toString('utf8');
}

describe('GitSource', () => {
  it('clones, fetches the branch, checks out each new commit, and keeps older commits readable', async () => {
    const { bare, work } = bareRepoWithWorkTree(fresh('srv'), fresh('work'), 'm');
    const c1 = commitAndPush(work, { 'promoter.yaml': 'policy: {}\n' }, 'one');
    const source = await openManifestSource(bare, { branch: 'main', stateDir: fresh('state') });
    expect(source).toBeInstanceOf(GitSource);
    expect(await source.sync()).toBe(c1);
    expect(readFileSync(join(source.dir, 'promoter.yaml'), 'utf8')).toBe('policy: {}\n');
    const c2 = commitAndPush(
      work,
      { 'promoter.yaml': 'policy: { allowTagMoves: true }\n', 'x.yaml': '[]\n' },
      'two',
    );
    expect(await source.sync()).toBe(c2);
    expect(readFileSync(join(source.dir, 'promoter.yaml'), 'utf8')).toContain('allowTagMoves');
    const old = await source.treeAt(c1);
    expect(await readTree(old, 'promoter.yaml')).toBe('policy: {}\n');
    await old?.close?.();
    // A file removed upstream disappears from the checkout.
    const c3 = commitAndPush(work, { 'x.yaml': null }, 'three');
    expect(await source.sync()).toBe(c3);
    expect(existsSync(join(source.dir, 'x.yaml'))).toBe(false);
    expect(await source.treeAt('0'.repeat(40))).toBeUndefined();
  });

  it('reports a missing branch or repository as a GitError, without credentials', async () => {
    const { bare, work } = bareRepoWithWorkTree(fresh('srv'), fresh('work'), 'm');
    commitAndPush(work, { 'a.yaml': '[]\n' }, 'one');
    const wrongBranch = new GitSource(bare, 'release', fresh('state'));
    await expect(wrongBranch.sync()).rejects.toBeInstanceOf(GitError);
    const url = 'http://user:s3cret@127.0.0.1:9/none.git';
    const unreachable = new GitSource(url, 'main', fresh('state'));
    expect(unreachable.description).toBe('http://127.0.0.1:9/none.git#main');
    const err = (await unreachable.sync().then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(GitError);
    expect(err.message).not.toContain('s3cret');
  });

  it('refuses branch names git would take for options or revisions', () => {
    for (const bad of ['-x', 'a..b', 'a b', 'a:b', 'a~1'])
      expect(() => new GitSource('/x', bad, fresh('state'))).toThrow(InputError);
  });
});

describe('DirectorySource', () => {
  it('hashes the YAML files into a revision, and snapshots exactly what it read', async () => {
    const dir = fresh('dir');
    mkdirSync(join(dir, 'images', 'p'), { recursive: true });
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, 'images/p/images.yaml'), '[]\n');
    writeFileSync(join(dir, 'README.txt'), 'not a manifest');
    writeFileSync(join(dir, '.git', 'x.yaml'), 'hidden');
    const source = await openManifestSource(dir, { branch: 'main', stateDir: fresh('state') });
    expect(source).toBeInstanceOf(DirectorySource);
    const r1 = await source.sync();
    expect(await readTree(await source.head(r1), 'images/p/images.yaml')).toBe('[]\n');
    expect(await source.sync()).toBe(r1);
    writeFileSync(join(dir, 'README.txt'), 'still not a manifest');
    expect(await source.sync()).toBe(r1);
    writeFileSync(join(dir, 'images/p/images.yaml'), '- name: a\n  dmap: {}\n');
    const r2 = await source.sync();
    expect(r2).not.toBe(r1);
    // Edited after the read: promotion reads the revision as it was read.
    writeFileSync(join(dir, 'images/p/images.yaml'), '# later\n');
    expect(await readTree(await source.head(r2), 'images/p/images.yaml')).toBe('- name: a\n  dmap: {}\n');
    await expect(source.head('dir-unknown')).rejects.toThrow(InputError);
    // Applied: its snapshot stays as the base for deletions; older ones go.
    expect(await source.treeAt(r1)).toBeDefined();
    await source.applied(r2);
    expect(await readTree(await source.treeAt(r2), 'images/p/images.yaml')).toBe('- name: a\n  dmap: {}\n');
    expect(await source.treeAt(r1)).toBeUndefined();
  });

  it('refuses a path that is not a directory', async () => {
    await expect(
      openManifestSource(join(tmp.dir, 'nope'), { branch: 'main', stateDir: fresh('s') }),
    ).rejects.toThrow(InputError);
  });
});

describe('redaction', () => {
  it('removes credentials from URLs and from messages', () => {
    expect(redactUrl('https://u:t@github.com/o/r.git')).toBe('https://github.com/o/r.git');
    expect(redactUrl('/srv/manifests')).toBe('/srv/manifests');
    expect(
      redactCredentials("fatal: unable to access 'https://x-access-token:ghp_abc@github.com/o/r/': 403"),
    ).toBe("fatal: unable to access 'https://github.com/o/r/': 403");
  });
});
