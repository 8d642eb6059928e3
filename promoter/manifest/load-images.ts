/** Loads kpromo image manifests: thin trees (manifests/<p> + images/<p>) and plain files. */
import pLimit from 'p-limit';
import { type Finding, filePos, finding } from '../domain/finding.js';
import type { ImageManifest } from '../domain/manifest-model.js';
import { kpromoFieldFindings, readImages, readRegistries } from './read-image-parts.js';
import { readImagesFile } from './read-images-file.js';
import { readRegistriesFile } from './read-registries-file.js';
import { readManifestFile } from './read-yaml.js';
import { baseName, joinTreePath, type TreeReader } from './tree.js';
import { mapEntry, posOf } from './yaml-nodes.js';

/** What a loader produced: manifests, findings, and every file it read. */
export interface Loaded<T> {
  manifests: T[];
  findings: Finding[];
  filesRead: string[];
}

/** How many projects are read at once: enough to overlap file reads with parsing. */
const READ_CONCURRENCY = 8;

/** Runs `load` for every item with bounded concurrency and appends the results to `out` in item order. */
export async function loadEach<I, T>(
  items: I[],
  out: Loaded<T>,
  load: (item: I, part: Loaded<T>) => Promise<void>,
): Promise<void> {
  const limit = pLimit(READ_CONCURRENCY);
  const parts = await Promise.all(
    items.map((item) =>
      limit(async () => {
        const part: Loaded<T> = { manifests: [], findings: [], filesRead: [] };
        await load(item, part);
        return part;
      }),
    ),
  );
  for (const part of parts) {
    out.manifests.push(...part.manifests);
    out.findings.push(...part.findings);
    out.filesRead.push(...part.filesRead);
  }
}

function symlinkFinding(path: string): Finding {
  return finding(
    'symlink-ignored',
    filePos(path),
    `${path} is a symbolic link; manifests must be regular files`,
  );
}

/** Loads one thin project: its promoter-manifest.yaml and images.yaml. */
async function loadThinProject(tree: TreeReader, root: string, project: string, out: Loaded<ImageManifest>) {
  const file = joinTreePath(root, 'manifests', project, 'promoter-manifest.yaml');
  const imagesFile = joinTreePath(root, 'images', project, 'images.yaml');
  const imagesEntry = await tree.stat(imagesFile);
  const [reg, imgs] = await Promise.all([
    readRegistriesFile(tree, file),
    imagesEntry?.kind === 'file' ? readImagesFile(tree, imagesFile) : undefined,
  ]);
  out.filesRead.push(file);
  out.findings.push(...reg.findings);
  if (imagesEntry?.kind !== 'file') {
    const why = imagesEntry?.kind === 'symlink' ? 'is a symbolic link' : 'does not exist';
    out.findings.push(
      finding(
        'images-file-missing',
        filePos(file),
        `${imagesFile} ${why}: every thin manifest needs its images list`,
      ),
    );
  }
  if (imgs) {
    out.filesRead.push(imagesFile);
    out.findings.push(...imgs.findings);
  }
  if (!reg.registries) return;
  out.manifests.push({
    kind: 'images',
    format: 'thin',
    project,
    file,
    imagesFile,
    registries: reg.registries,
    registriesPos: reg.registriesPos,
    images: imgs?.images ?? [],
  });
}

/** Loads every project of a thin tree rooted at `root`. */
export async function loadThinTree(
  tree: TreeReader,
  root: string,
  out: Loaded<ImageManifest>,
): Promise<void> {
  const projects = new Set<string>();
  for (const e of (await tree.list(joinTreePath(root, 'manifests'))) ?? []) {
    if (e.kind !== 'dir') continue;
    const file = joinTreePath(root, 'manifests', e.name, 'promoter-manifest.yaml');
    const entry = await tree.stat(file);
    if (entry?.kind === 'symlink') out.findings.push(symlinkFinding(file));
    if (entry?.kind === 'file') projects.add(e.name);
  }
  await loadEach([...projects], out, (project, part) => loadThinProject(tree, root, project, part));
  for (const e of (await tree.list(joinTreePath(root, 'images'))) ?? []) {
    if (e.kind !== 'dir' || projects.has(e.name)) continue;
    const imagesFile = joinTreePath(root, 'images', e.name, 'images.yaml');
    if ((await tree.stat(imagesFile))?.kind !== 'file') continue;
    const expected = joinTreePath(root, 'manifests', e.name, 'promoter-manifest.yaml');
    out.findings.push(
      finding(
        'images-orphaned',
        filePos(imagesFile),
        `${imagesFile} has no ${expected}, so nothing promotes these images`,
      ),
    );
  }
}

/** Loads one plain manifest file (registries and images together). */
export async function loadPlainManifest(
  tree: TreeReader,
  file: string,
  out: Loaded<ImageManifest>,
): Promise<void> {
  const read = await readManifestFile(tree, file, 'plain-manifest');
  out.filesRead.push(file);
  out.findings.push(...read.findings);
  if (!read.yaml) return;
  const y = read.yaml;
  const registriesEntry = mapEntry(y, y.doc.contents, 'registries');
  out.findings.push(...kpromoFieldFindings(y, y.doc.contents));
  out.manifests.push({
    kind: 'images',
    format: 'plain',
    project: baseName(file).replace(/\.ya?ml$/, ''),
    file,
    imagesFile: file,
    registries: readRegistries(y, registriesEntry?.value, '/registries'),
    registriesPos: posOf(y, registriesEntry?.keyNode, '/registries'),
    images: readImages(y, mapEntry(y, y.doc.contents, 'images')?.value, '/images'),
  });
}
