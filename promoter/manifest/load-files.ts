/** Loads kpromo file-promotion trees: filestores/<p>/filepromoter-manifest.yaml + manifests/<p>/**.yaml. */
import { filePos, finding } from '../domain/finding.js';
import type { FileManifest } from '../domain/manifest-model.js';
import { isYamlName, THIN_MANIFEST, thinProjects } from './layout.js';
import { type Loaded, loadEach } from './load-images.js';
import { readFiles, readFilestores } from './read-file-parts.js';
import { readManifestFile } from './read-yaml.js';
import { joinTreePath, type TreeReader } from './tree.js';
import { mapEntry, posOf } from './yaml-nodes.js';

/** Every YAML file below `dir`, recursively, sorted by path (kpromo's merge order). */
async function yamlFilesBelow(
  tree: TreeReader,
  dir: string,
  skip: (path: string) => boolean,
): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await tree.list(dir)) ?? []) {
    const path = joinTreePath(dir, e.name);
    if (e.kind === 'dir') out.push(...(await yamlFilesBelow(tree, path, skip)));
    else if (e.kind === 'file' && isYamlName(e.name) && !skip(path)) out.push(path);
  }
  return out.sort();
}

async function loadFileProject(
  tree: TreeReader,
  root: string,
  project: string,
  hasFilestores: boolean,
  alsoThin: boolean,
  out: Loaded<FileManifest>,
): Promise<void> {
  // manifests/<project>/ of a thin image project: its promoter-manifest.yaml belongs to the images.
  const file = hasFilestores
    ? joinTreePath(root, 'filestores', project, 'filepromoter-manifest.yaml')
    : undefined;
  const manifest: FileManifest = {
    kind: 'files',
    project,
    file,
    filestores: [],
    filestoresPos: undefined,
    fileLists: [],
    files: [],
  };
  if (file) {
    const read = await readManifestFile(tree, file, 'filepromoter-manifest');
    out.filesRead.push(file);
    out.findings.push(...read.findings);
    if (read.yaml) {
      const entry = mapEntry(read.yaml, read.yaml.doc.contents, 'filestores');
      manifest.filestores = readFilestores(read.yaml, entry?.value, '/filestores');
      manifest.filestoresPos = posOf(read.yaml, entry?.keyNode, '/filestores');
    }
  }
  const skip = (p: string) => alsoThin && p === joinTreePath(root, 'manifests', project, THIN_MANIFEST);
  for (const list of await yamlFilesBelow(tree, joinTreePath(root, 'manifests', project), skip)) {
    const read = await readManifestFile(tree, list, 'files');
    out.filesRead.push(list);
    manifest.fileLists.push(list);
    out.findings.push(...read.findings);
    if (!read.yaml) continue;
    const entry = mapEntry(read.yaml, read.yaml.doc.contents, 'files');
    const { files, findings } = readFiles(read.yaml, entry?.value, '/files');
    out.findings.push(...findings);
    if (files.length === 0 && read.schemaValid) {
      out.findings.push(
        finding('files-empty', posOf(read.yaml, entry?.keyNode, '/files'), `${list} lists no files`),
      );
    }
    manifest.files.push(...files);
  }
  if (!file && manifest.fileLists.length > 0) {
    const expected = joinTreePath(root, 'filestores', project, 'filepromoter-manifest.yaml');
    out.findings.push(
      finding(
        'files-without-filestores',
        filePos(manifest.fileLists[0]!),
        `files of project ${project} have no ${expected}, so they cannot be promoted`,
      ),
    );
  }
  if (file && manifest.fileLists.length === 0) {
    out.findings.push(
      finding(
        'filestores-without-files',
        filePos(file),
        `no file lists in ${joinTreePath(root, 'manifests', project)}/, so project ${project} promotes nothing`,
      ),
    );
  }
  if (file || manifest.fileLists.length > 0) out.manifests.push(manifest);
}

/**
 * Loads every project of a file tree rooted at `root`. In a root that is also a thin image tree, the
 * manifests/<project>/ directories of image projects are not file lists unless the project has filestores.
 */
export async function loadFileTree(tree: TreeReader, root: string, out: Loaded<FileManifest>): Promise<void> {
  const withStores = new Set<string>();
  for (const e of (await tree.list(joinTreePath(root, 'filestores'))) ?? []) {
    if (e.kind !== 'dir') continue;
    const path = joinTreePath(root, 'filestores', e.name, 'filepromoter-manifest.yaml');
    if ((await tree.stat(path))?.kind === 'file') withStores.add(e.name);
  }
  const imageProjects = await thinProjects(tree, root);
  const projects = new Set(withStores);
  for (const e of (await tree.list(joinTreePath(root, 'manifests'))) ?? []) {
    if (e.kind === 'dir' && !imageProjects.has(e.name)) projects.add(e.name);
  }
  await loadEach([...projects].sort(), out, (project, part) =>
    loadFileProject(tree, root, project, withStores.has(project), imageProjects.has(project), part),
  );
}
