/**
 * Resolves where a registry path (`registry-name/image`) is reached, from promoter.yaml's `endpoints:`:
 * the longest prefix (on path-segment boundaries) wins; its URL is another registry (`http(s)://host/path`)
 * or an OCI layout directory (`oci-layout:DIR`, relative to the manifest repository). A path no entry
 * covers is reached at the host its name starts with. Pure: configuration in, addresses out.
 */
import { isAbsolute, join } from 'node:path';
import type { EndpointConfig } from '../domain/manifest-model.js';
import { normalizeRegistryName } from '../domain/names.js';
import type { StoreAddress } from '../domain/reference.js';

/** Where one repository is: the store, the repository path in it, and the endpoint entry that decided. */
export interface Location {
  store: StoreAddress;
  repo: string;
  endpoint: EndpointConfig | undefined;
}

function coversPath(prefix: string, path: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** The endpoint entry with the longest prefix covering `path`. */
export function endpointFor(path: string, endpoints: readonly EndpointConfig[]): EndpointConfig | undefined {
  let best: EndpointConfig | undefined;
  for (const e of endpoints) {
    const prefix = normalizeRegistryName(e.prefix);
    if (coversPath(prefix, path) && (!best || prefix.length > normalizeRegistryName(best.prefix).length))
      best = e;
  }
  return best;
}

function joinRepo(...parts: string[]): string {
  return parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
}

/**
 * Where the repository at `path` (a normalized `registry-name/image`) is. `baseDir` anchors relative
 * OCI layout directories (the manifest repository's root).
 */
export function locate(path: string, endpoints: readonly EndpointConfig[], baseDir: string): Location {
  const endpoint = endpointFor(path, endpoints);
  if (endpoint?.url) {
    const rest = path.slice(normalizeRegistryName(endpoint.prefix).length);
    if (endpoint.url.startsWith('oci-layout:')) {
      const dir = endpoint.url.slice('oci-layout:'.length);
      return {
        store: { kind: 'oci-layout', path: isAbsolute(dir) ? dir : join(baseDir, dir) },
        repo: joinRepo(rest),
        endpoint,
      };
    }
    const url = new URL(endpoint.url);
    return {
      store: { kind: 'registry', host: url.host.toLowerCase() },
      repo: joinRepo(url.pathname, rest),
      endpoint,
    };
  }
  const slash = path.indexOf('/');
  return {
    store: { kind: 'registry', host: path.slice(0, slash).toLowerCase() },
    repo: path.slice(slash + 1),
    endpoint,
  };
}

/** Hosts that may be reached over plain http: the http:// endpoints and those marked insecure. */
export function insecureHosts(endpoints: readonly EndpointConfig[]): string[] {
  const out = new Set<string>();
  for (const e of endpoints) {
    if (e.url?.startsWith('http://')) out.add(new URL(e.url).host.toLowerCase());
    else if (e.insecure)
      out.add((e.url ? new URL(e.url).host : normalizeRegistryName(e.prefix).split('/')[0]!).toLowerCase());
  }
  return [...out];
}
