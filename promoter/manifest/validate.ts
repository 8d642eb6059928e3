/**
 * `validate`: load the manifests of a directory, run the schema and meaning checks, and — with a base
 * revision — the change checks. Policy comes from the base revision when there is one, so a change
 * cannot loosen the rules it is judged by.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { GitTree } from '../adapters/git/git-tree.js';
import { FsTree } from '../adapters/tree/fs-tree.js';
import { compareFindings, type Finding } from '../domain/finding.js';
import type { ManifestSet } from '../domain/manifest-model.js';
import { InputError, PathNotFoundError } from '../errors.js';
import { checkChanges } from './check-changes.js';
import { checkFileManifests } from './check-files.js';
import { checkImageManifests } from './check-images.js';
import { checkPolicy } from './check-policy.js';
import { checkFilestoreEndpoints } from './check-filestore-endpoints.js';
import { loadManifests } from './load.js';
import type { TreeReader } from './tree.js';

/** Options of a validation run. */
export interface ValidateOptions {
  /** A git revision to compare against (the pull request's base). */
  base?: string;
  /** Also check new digests against their source registries (network). */
  online?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** What validation found, and what it looked at. */
export interface ValidateResult {
  findings: Finding[];
  head: ManifestSet;
  /** The commit the base revision resolved to, when one was given. */
  baseCommit: string | undefined;
}

/** Every check that needs only one revision of the manifests. */
export function checkManifestSet(set: ManifestSet, policySource: ManifestSet = set): Finding[] {
  const { policy, file } = policySource.config;
  return [
    ...checkImageManifests(set.images),
    ...checkFileManifests(set.files),
    ...checkPolicy(policy, file ?? 'promoter.yaml', set.images, set.files),
    ...checkFilestoreEndpoints(set.config.filestores),
  ];
}

/** Throws InputError unless `dir` is an existing directory. */
export async function requireDirectory(dir: string): Promise<void> {
  let s: Stats;
  try {
    s = await stat(dir);
  } catch (err) {
    throw new PathNotFoundError(`${dir} does not exist`, { cause: err });
  }
  if (!s.isDirectory()) throw new InputError(`${dir} is not a directory`);
}

/** Validates the manifests in `head`, and the change from `base` when given (any TreeReader). */
export async function validateTrees(
  head: TreeReader,
  base?: TreeReader,
): Promise<{ findings: Finding[]; head: ManifestSet; base: ManifestSet | undefined }> {
  const loaded = await loadManifests(head);
  const findings = [...loaded.findings];
  let baseSet: ManifestSet | undefined;
  if (base) {
    baseSet = (await loadManifests(base, { allowEmpty: true })).set;
    findings.push(...checkChanges(baseSet, loaded.set));
  }
  findings.push(...checkManifestSet(loaded.set, baseSet ?? loaded.set));
  findings.sort(compareFindings);
  return { findings, head: loaded.set, base: baseSet };
}

/** Validates the manifest repository in `dir` (optionally against a base revision of its git repository). */
export async function validateDirectory(dir: string, opts: ValidateOptions = {}): Promise<ValidateResult> {
  await requireDirectory(dir);
  const headTree = new FsTree(dir);
  const baseTree = opts.base === undefined ? undefined : await GitTree.open(dir, opts.base);
  try {
    const r = await validateTrees(headTree, baseTree);
    if (opts.online) r.findings.push(...(await onlineFindings(dir, r.head, r.base, opts.env ?? process.env)));
    r.findings.sort(compareFindings);
    return { findings: r.findings, head: r.head, baseCommit: baseTree?.commit };
  } finally {
    await baseTree?.close();
  }
}

/** The --online checks: new digests exist in their sources (and are indexes if policy says so). */
async function onlineFindings(
  dir: string,
  head: ManifestSet,
  base: ManifestSet | undefined,
  env: NodeJS.ProcessEnv,
): Promise<Finding[]> {
  const { checkSourcesOnline, newDigests } = await import('../observe/check-sources.js');
  const { buildStores } = await import('../pipeline/stores.js');
  const stores = buildStores(head.config, { dir: resolve(dir), env });
  try {
    return await checkSourcesOnline(newDigests(head, base), (base ?? head).config.policy, stores.locate);
  } finally {
    await stores.resolver.close();
  }
}
