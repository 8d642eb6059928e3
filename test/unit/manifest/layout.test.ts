/** Finding manifest layouts: where kpromo keeps them, as k8s.io checks them out, or as promoter.yaml says. */
import { describe, expect, it } from '@jest/globals';
import { loadManifests } from '../../../promoter/manifest/load.js';
import { MemoryTree } from '../../fakes/memory-tree.js';
import { fileProject, registriesYaml, shaOf, thinProject } from '../../helpers/manifests.js';

const thin = thinProject('p', 'gcr.io/s', ['gcr.io/d'], { app: { a: ['v1'] } });
const files = fileProject('f', 'gs://s/', ['gs://d/'], { x: shaOf('x') });
const under = (dir: string, tree: Record<string, string>) =>
  Object.fromEntries(Object.entries(tree).map(([k, v]) => [`${dir}/${k}`, v]));
const plain = `${registriesYaml('gcr.io/s', ['gcr.io/d'])}images:\n- name: app\n  dmap: {}\n`;

describe('layout detection', () => {
  it.each([
    ['a thin tree at the root', thin, { thin: [''], files: [], plain: [] }],
    ['a file tree at the root', files, { thin: [], files: [''], plain: [] }],
    [
      'the k8s.io checkout (registry.k8s.io/ and artifacts/)',
      { ...under('registry.k8s.io', thin), ...under('artifacts', files), 'README.md': 'x' },
      { thin: ['registry.k8s.io'], files: ['artifacts'], plain: [] },
    ],
    [
      'a plain manifest file',
      { 'promoter-manifest.yaml': plain, 'other.yaml': 'a: 1\n' },
      { thin: [], files: [], plain: ['promoter-manifest.yaml'] },
    ],
    ['both layouts in one root', { ...thin, ...files }, { thin: [''], files: [''], plain: [] }],
    [
      'hidden and node_modules directories are skipped',
      { ...under('.git', thin), ...under('node_modules', thin), ...under('ok', thin) },
      { thin: ['ok'], files: [], plain: [] },
    ],
  ])('finds %s', async (_name, tree, want) => {
    const r = await loadManifests(new MemoryTree(tree));
    expect(r.layouts).toEqual(want);
  });

  it('reads exactly the roots promoter.yaml names', async () => {
    const tree = { ...under('a', thin), ...under('b', thin), 'promoter.yaml': 'manifests: [b]\n' };
    const r = await loadManifests(new MemoryTree(tree));
    expect(r.layouts).toEqual({ thin: ['b'], files: [], plain: [] });
    expect(r.set.images.map((m) => m.file)).toEqual(['b/manifests/p/promoter-manifest.yaml']);
  });

  it('rejects a root outside the repository', async () => {
    const r = await loadManifests(
      new MemoryTree({ ...thin, 'promoter.yaml': 'manifests: [".", "../elsewhere"]\n' }),
    );
    expect(r.findings.map((f) => f.code)).toEqual(['manifest-root-missing']);
  });

  it('fails clearly when there is nothing to read', async () => {
    await expect(loadManifests(new MemoryTree({ 'README.md': 'x' }))).rejects.toThrow(
      /no promotion manifests found/,
    );
  });

  it('merges a project’s file lists in sorted order, recursively, ignoring non-YAML files', async () => {
    const tree = {
      ...files,
      'manifests/f/b.yaml': `files:\n- name: b\n  sha256: ${shaOf('b')}\n`,
      'manifests/f/a/z.yaml': `files:\n- name: z\n  sha256: ${shaOf('z')}\n`,
      'manifests/f/OWNERS': 'approvers: [x]\n',
    };
    const r = await loadManifests(new MemoryTree(tree));
    expect(r.set.files[0]!.fileLists).toEqual([
      'manifests/f/a/z.yaml',
      'manifests/f/b.yaml',
      'manifests/f/files.yaml',
    ]);
    expect(r.set.files[0]!.files.map((f) => f.name)).toEqual(['z', 'b', 'x']);
  });
});
