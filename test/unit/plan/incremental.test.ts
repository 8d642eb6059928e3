/** Incremental passes: only destination repositories and files whose wanted state changed are kept. */
import { describe, expect, it } from '@jest/globals';
import type { ManifestSet } from '../../../promoter/domain/manifest-model.js';
import { loadManifests } from '../../../promoter/manifest/load.js';
import { desiredFiles } from '../../../promoter/plan/desired-files.js';
import { desiredImages } from '../../../promoter/plan/desired-images.js';
import { changedFiles, changedImages } from '../../../promoter/plan/incremental.js';
import { MemoryTree } from '../../fakes/memory-tree.js';
import { digestOf, fileProject, shaOf, thinProject } from '../../helpers/manifests.js';

const A = digestOf('a');
const B = digestOf('b');

async function set(files: Record<string, string>): Promise<ManifestSet> {
  const r = await loadManifests(new MemoryTree(files));
  expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
  return r.set;
}

const images = (
  imgs: Record<string, Record<string, string[]>>,
  dests = ['m1.example.com/p', 'm2.example.com/p'],
) => thinProject('p', 'staging.example.com/p', dests, imgs);

async function changedRepos(before: Record<string, string>, now: Record<string, string>): Promise<string[]> {
  return [...changedImages(desiredImages(await set(now)), desiredImages(await set(before))).keys()].sort();
}

describe('changedImages', () => {
  it.each([
    ['nothing changed', { app: { [A]: ['v1'] } }, { app: { [A]: ['v1'] } }, []],
    ['a new image', { app: { [A]: ['v1'] } }, { app: { [A]: ['v1'] }, cli: { [B]: ['v1'] } }, ['cli']],
    ['a new tag', { app: { [A]: ['v1'] } }, { app: { [A]: ['v1', 'v1.0'] } }, ['app']],
    ['a new digest', { app: { [A]: ['v1'] } }, { app: { [A]: ['v1'], [B]: ['v2'] } }, ['app']],
    ['a tag moved', { app: { [A]: ['v1'] } }, { app: { [B]: ['v1'] } }, ['app']],
    [
      'a tag removed (deletions come from the removals)',
      { app: { [A]: ['v1', 'v2'] } },
      { app: { [A]: ['v1'] } },
      ['app'],
    ],
    ['an image removed', { app: { [A]: ['v1'] }, cli: { [B]: [] } }, { app: { [A]: ['v1'] } }, []],
  ] as [
    string,
    Record<string, Record<string, string[]>>,
    Record<string, Record<string, string[]>>,
    string[],
  ][])('%s', async (_what, before, now, want) => {
    const got = await changedRepos(images(before), images(now));
    expect(got).toEqual(want.flatMap((i) => [`m1.example.com/p/${i}`, `m2.example.com/p/${i}`]));
  });

  it('keeps every repository of a new destination', async () => {
    const got = await changedRepos(
      images({ app: { [A]: ['v1'] } }, ['m1.example.com/p']),
      images({ app: { [A]: ['v1'] } }, ['m1.example.com/p', 'm3.example.com/p']),
    );
    expect(got).toEqual(['m3.example.com/p/app']);
  });
});

describe('changedFiles', () => {
  const project = (files: Record<string, string>, dests = ['gs://prod/p/']) =>
    fileProject('p', 'gs://staging/p/', dests, files);

  it('keeps only new files and files whose sha256 changed, per destination', async () => {
    const before = await set(project({ 'a.txt': shaOf('a'), 'b.txt': shaOf('b') }));
    const now = await set(
      project({ 'a.txt': shaOf('a'), 'b.txt': shaOf('b2'), 'c.txt': shaOf('c') }, [
        'gs://prod/p/',
        's3://mirror/p/',
      ]),
    );
    const got = changedFiles(desiredFiles(now), desiredFiles(before));
    expect(Object.fromEntries([...got].map(([base, s]) => [base, [...s.files.keys()].sort()]))).toEqual({
      'gs://prod/p/': ['b.txt', 'c.txt'],
      's3://mirror/p/': ['a.txt', 'b.txt', 'c.txt'],
    });
  });

  it('drops a base with nothing changed', async () => {
    const before = await set(project({ 'a.txt': shaOf('a') }));
    expect(changedFiles(desiredFiles(before), desiredFiles(before)).size).toBe(0);
  });
});
