/** Loads a whole manifest repository: promoter.yaml, then every image and file manifest it holds. */
import type { Finding } from '../domain/finding.js';
import type { FileManifest, ImageManifest, ManifestSet } from '../domain/manifest-model.js';
import { NoManifestsError } from '../errors.js';
import { findLayouts, isEmptyLayout, type Layouts } from './layout.js';
import { loadFileTree } from './load-files.js';
import { type Loaded, loadPlainManifest, loadThinTree } from './load-images.js';
import { CONFIG_FILE, readConfig } from './read-config.js';
import type { TreeReader } from './tree.js';

/** The manifests of a repository and every finding met while reading them. */
export interface LoadResult {
  set: ManifestSet;
  layouts: Layouts;
  findings: Finding[];
}

/**
 * Loads every manifest in `tree`. Throws NoManifestsError when the tree holds none (a usage problem:
 * wrong directory), unless `allowEmpty` (a base revision that predates the manifests).
 */
export async function loadManifests(
  tree: TreeReader,
  opts: { allowEmpty?: boolean } = {},
): Promise<LoadResult> {
  const { config, findings } = await readConfig(tree);
  const found = await findLayouts(tree, config);
  findings.push(...found.findings);
  const { layouts } = found;
  if (isEmptyLayout(layouts) && !opts.allowEmpty && !config.manifestRoots) {
    throw new NoManifestsError(
      `no promotion manifests found in ${tree.description}: looked in it and its subdirectories for ` +
        'manifests/<project>/promoter-manifest.yaml with images/<project>/images.yaml, ' +
        'filestores/<project>/filepromoter-manifest.yaml, and plain manifests (YAML files with a top-level "registries:"); ' +
        `or name the directories in ${CONFIG_FILE} under "manifests:"`,
    );
  }
  const images: Loaded<ImageManifest> = {
    manifests: [],
    findings,
    filesRead: config.file ? [config.file] : [],
  };
  for (const root of layouts.thin) await loadThinTree(tree, root, images);
  for (const file of layouts.plain) await loadPlainManifest(tree, file, images);
  const files: Loaded<FileManifest> = { manifests: [], findings, filesRead: images.filesRead };
  for (const root of layouts.files) await loadFileTree(tree, root, files);
  return {
    set: { config, images: images.manifests, files: files.manifests, filesRead: images.filesRead },
    layouts,
    findings,
  };
}
