/**
 * Finds the manifest layouts in a repository tree: kpromo thin image trees (manifests/ + images/), file
 * trees (filestores/ + manifests/) and plain manifest files, in the root and its immediate subdirectories
 * (so the k8s.io checkout, with registry.k8s.io/ and artifacts/, is found as it is), or exactly where
 * promoter.yaml's `manifests:` says.
 */
import { type Finding, finding } from '../domain/finding.js';
import type { PromoterConfig } from '../domain/manifest-model.js';
import { CONFIG_FILE } from './read-config.js';
import { joinTreePath, type TreeEntry, type TreeReader } from './tree.js';
import { MAX_MANIFEST_BYTES } from './yaml-file.js';

/** Where each kind of manifest lives in the tree. */
export interface Layouts {
  /** Directories holding manifests/<p>/promoter-manifest.yaml and images/<p>/images.yaml. */
  thin: string[];
  /** Directories holding filestores/<p>/filepromoter-manifest.yaml and manifests/<p>/*.yaml. */
  files: string[];
  /** Files holding a plain manifest (`registries:` and `images:` together). */
  plain: string[];
}

/** The file name of a kpromo thin manifest. */
export const THIN_MANIFEST = 'promoter-manifest.yaml';

const LAYOUT_DIRS = new Set(['images', 'manifests', 'filestores']);
const SKIPPED_DIRS = new Set(['node_modules']);

/** True for a YAML file name. */
export function isYamlName(name: string): boolean {
  return name.endsWith('.yaml') || name.endsWith('.yml');
}

function hasDir(entries: TreeEntry[], name: string): boolean {
  return entries.some((e) => e.name === name && e.kind === 'dir');
}

/** Cheap test, without parsing, for a YAML file that declares top-level `registries:`. */
async function looksLikePlainManifest(
  tree: TreeReader,
  path: string,
  size: number | undefined,
): Promise<boolean> {
  if (size !== undefined && size > MAX_MANIFEST_BYTES) return false;
  try {
    const text = (await tree.read(path, MAX_MANIFEST_BYTES)).toString('utf8');
    return /^registries\s*:/m.test(text);
  } catch {
    return false;
  }
}

/** The projects of a directory's manifests/ that hold a thin manifest (promoter-manifest.yaml). */
export async function thinProjects(tree: TreeReader, dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (const e of (await tree.list(joinTreePath(dir, 'manifests'))) ?? []) {
    if (e.kind !== 'dir') continue;
    if ((await tree.stat(joinTreePath(dir, 'manifests', e.name, THIN_MANIFEST))) !== undefined)
      out.add(e.name);
  }
  return out;
}

/** Classifies one candidate directory, adding what it holds to `out`. Returns true when it held anything. */
async function classifyDir(
  tree: TreeReader,
  dir: string,
  entries: TreeEntry[],
  out: Layouts,
): Promise<boolean> {
  let found = false;
  const thin = hasDir(entries, 'images') || (await thinProjects(tree, dir)).size > 0;
  if (hasDir(entries, 'manifests') && thin) {
    out.thin.push(dir);
    found = true;
  }
  if (hasDir(entries, 'filestores')) {
    out.files.push(dir);
    found = true;
  }
  for (const e of entries) {
    if (e.kind !== 'file' || !isYamlName(e.name) || (dir === '' && e.name === CONFIG_FILE)) continue;
    const path = joinTreePath(dir, e.name);
    if (await looksLikePlainManifest(tree, path, e.size)) {
      out.plain.push(path);
      found = true;
    }
  }
  return found;
}

/** Detects layouts in the root of `tree` and in its immediate subdirectories. */
async function detect(tree: TreeReader): Promise<Layouts> {
  const out: Layouts = { thin: [], files: [], plain: [] };
  const rootEntries = (await tree.list('')) ?? [];
  const rootIsLayout = await classifyDir(tree, '', rootEntries, out);
  for (const e of rootEntries) {
    if (e.kind !== 'dir' || e.name.startsWith('.') || SKIPPED_DIRS.has(e.name)) continue;
    if (rootIsLayout && LAYOUT_DIRS.has(e.name)) continue;
    const entries = (await tree.list(e.name)) ?? [];
    await classifyDir(tree, e.name, entries, out);
  }
  return out;
}

/** Reads exactly the roots promoter.yaml names; a root that is missing or holds nothing is a finding. */
async function fromConfig(tree: TreeReader, roots: NonNullable<PromoterConfig['manifestRoots']>) {
  const out: Layouts = { thin: [], files: [], plain: [] };
  const findings: Finding[] = [];
  for (const root of roots) {
    const path = root.path
      .replace(/^\.\/+/, '')
      .replace(/\/+$/, '')
      .replace(/^\.$/, '');
    const entry = path === '' ? { name: '', kind: 'dir' as const } : await tree.stat(path);
    if (path.split('/').includes('..') || path.startsWith('/')) {
      findings.push(
        finding(
          'manifest-root-missing',
          root.pos,
          `manifest root "${root.path}" must be a relative path inside the repository`,
        ),
      );
    } else if (entry?.kind === 'file') {
      out.plain.push(path);
    } else if (entry?.kind !== 'dir') {
      findings.push(
        finding('manifest-root-missing', root.pos, `manifest root "${root.path}" does not exist`),
      );
    } else if (!(await classifyDir(tree, path, (await tree.list(path)) ?? [], out))) {
      findings.push(
        finding(
          'manifest-root-missing',
          root.pos,
          `manifest root "${root.path}" holds no promotion manifests`,
        ),
      );
    }
  }
  return { layouts: out, findings };
}

/** Finds every manifest layout of the tree, as promoter.yaml names them or by detection. */
export async function findLayouts(
  tree: TreeReader,
  config: PromoterConfig,
): Promise<{ layouts: Layouts; findings: Finding[] }> {
  if (config.manifestRoots) return fromConfig(tree, config.manifestRoots);
  return { layouts: await detect(tree), findings: [] };
}

/** True when no manifests of any kind were found. */
export function isEmptyLayout(l: Layouts): boolean {
  return l.thin.length === 0 && l.files.length === 0 && l.plain.length === 0;
}
