/** Reads promoter.yaml (optional) at the root of a manifest repository into a PromoterConfig. */
import type { Finding } from '../domain/finding.js';
import {
  DEFAULT_POLICY,
  DEFAULT_PROMOTION,
  type EndpointConfig,
  type FilestoreEndpointConfig,
  type Policy,
  type PromoterConfig,
  type PromotionSettings,
} from '../domain/manifest-model.js';
import { readManifestFile } from './read-yaml.js';
import type { TreeReader } from './tree.js';
import { type YamlFile } from './yaml-file.js';
import { normalizeBase } from '../domain/names.js';
import { pointer } from './json-pointer.js';
import { mapEntry, posOf, scalarBool, scalarString, seqItems } from './yaml-nodes.js';

/** The config file's name at the repository root. */
export const CONFIG_FILE = 'promoter.yaml';

/** How many removals one change may carry when deletions are allowed and no limit is written. */
export const DEFAULT_MAX_DELETES = 10;

function readPolicy(y: YamlFile, node: unknown): Policy {
  const bool = (key: string, fallback: boolean): boolean =>
    scalarBool(mapEntry(y, node, key)?.value) ?? fallback;
  const deletions = mapEntry(y, node, 'deletions')?.value;
  const allowed = scalarBool(mapEntry(y, deletions, 'allowed')?.value) ?? false;
  const maxNode = mapEntry(y, deletions, 'maxDeletes')?.value as { value?: unknown } | undefined;
  const max =
    typeof maxNode?.value === 'number' && Number.isInteger(maxNode.value) && maxNode.value >= 0
      ? maxNode.value
      : undefined;
  return {
    allowedDestinations: seqItems(y, mapEntry(y, node, 'allowedDestinations')?.value)
      .map((n) => scalarString(n))
      .filter((s): s is string => s !== undefined && s.length > 0),
    deletions: { allowed, maxDeletes: max ?? (allowed ? DEFAULT_MAX_DELETES : 0) },
    allowTagMoves: bool('allowTagMoves', DEFAULT_POLICY.allowTagMoves),
    requireMultiArch: bool('requireMultiArch', DEFAULT_POLICY.requireMultiArch),
    allowFileOverwrite: bool('allowFileOverwrite', DEFAULT_POLICY.allowFileOverwrite),
  };
}

/** What `endpoints:` and `filestores:` entries share: a prefix, credentials (the given keys), limits. */
function readEntry<K extends string>(y: YamlFile, item: unknown, at: string, credentialKeys: readonly K[]) {
  const str = (key: string, from: unknown = item) => scalarString(mapEntry(y, from, key)?.value);
  const num = (key: string) => {
    const v = (mapEntry(y, item, key)?.value as { value?: unknown } | undefined)?.value;
    return typeof v === 'number' && v > 0 ? v : undefined;
  };
  const prefix = str('prefix');
  if (!prefix) return undefined;
  const credNode = mapEntry(y, item, 'credentials')?.value;
  const credentials: Partial<Record<K, string>> = {};
  for (const key of credentialKeys) {
    const v = str(key, credNode);
    if (v !== undefined) credentials[key] = v;
  }
  const concurrency = num('concurrency');
  const requestsPerSecond = num('requestsPerSecond');
  return {
    str,
    prefix,
    pos: posOf(y, mapEntry(y, item, 'prefix')?.value, pointer(at, 'prefix')),
    shared: {
      ...(credNode ? { credentials } : {}),
      ...(concurrency ? { concurrency: Math.floor(concurrency) } : {}),
      ...(requestsPerSecond ? { requestsPerSecond } : {}),
    },
  };
}

function readEndpoints(y: YamlFile, node: unknown): EndpointConfig[] {
  return seqItems(y, node).flatMap((item, i) => {
    const keys = ['username', 'usernameEnv', 'passwordEnv', 'passwordFile'] as const;
    const e = readEntry(y, item, pointer('/endpoints', i), keys);
    if (!e) return [];
    const url = e.str('url');
    const entry: EndpointConfig = {
      prefix: e.prefix,
      insecure: scalarBool(mapEntry(y, item, 'insecure')?.value) === true,
      pos: e.pos,
      ...(url ? { url } : {}),
      ...e.shared,
    };
    return [entry];
  });
}

function readFilestores(y: YamlFile, node: unknown): FilestoreEndpointConfig[] {
  return seqItems(y, node).flatMap((item, i) => {
    const keys = ['accessKeyIdEnv', 'secretAccessKeyEnv', 'sessionTokenEnv', 'keyFile'] as const;
    const e = readEntry(y, item, pointer('/filestores', i), keys);
    if (!e) return [];
    const optional = { directory: e.str('directory'), endpoint: e.str('endpoint'), region: e.str('region') };
    const entry: FilestoreEndpointConfig = {
      prefix: normalizeBase(e.prefix),
      pos: e.pos,
      ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
      ...e.shared,
    };
    return [entry];
  });
}

function readPromotion(y: YamlFile, node: unknown): PromotionSettings {
  const int = (key: string, fallback: number) => {
    const v = (mapEntry(y, node, key)?.value as { value?: unknown } | undefined)?.value;
    return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
  };
  return {
    concurrency: int('concurrency', DEFAULT_PROMOTION.concurrency),
    blobConcurrency: int('blobConcurrency', DEFAULT_PROMOTION.blobConcurrency),
  };
}

/** Reads promoter.yaml from the root of `tree`; absent or unreadable, the safe defaults apply. */
export async function readConfig(tree: TreeReader): Promise<{ config: PromoterConfig; findings: Finding[] }> {
  const none: PromoterConfig = {
    endpoints: [],
    filestores: [],
    promotion: DEFAULT_PROMOTION,
    file: undefined,
    policy: DEFAULT_POLICY,
    policyPos: undefined,
    manifestRoots: undefined,
  };
  const entry = await tree.stat(CONFIG_FILE);
  if (!entry) return { config: none, findings: [] };
  const read = await readManifestFile(tree, CONFIG_FILE, 'promoter');
  if (!read.yaml) return { config: { ...none, file: CONFIG_FILE }, findings: read.findings };
  const y = read.yaml;
  const root = y.doc.contents;
  const policyEntry = mapEntry(y, root, 'policy');
  const rootsEntry = mapEntry(y, root, 'manifests');
  const manifestRoots = rootsEntry
    ? seqItems(y, rootsEntry.value).flatMap((n, i) => {
        const path = scalarString(n);
        return path ? [{ path, pos: posOf(y, n, pointer('/manifests', i)) }] : [];
      })
    : undefined;
  return {
    config: {
      file: CONFIG_FILE,
      policy: readPolicy(y, policyEntry?.value),
      policyPos: policyEntry ? posOf(y, policyEntry.keyNode, '/policy') : undefined,
      manifestRoots,
      endpoints: readEndpoints(y, mapEntry(y, root, 'endpoints')?.value),
      filestores: readFilestores(y, mapEntry(y, root, 'filestores')?.value),
      promotion: readPromotion(y, mapEntry(y, root, 'promotion')?.value),
    },
    findings: read.findings,
  };
}
