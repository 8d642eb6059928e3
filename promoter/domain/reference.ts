/**
 * Image references as the CLI and config write them: `host[:port]/repo[:tag|@digest]` for a registry, and
 * `oci-layout:DIR[:tag|@digest]` (or skopeo's `oci:`) for an OCI image layout directory.
 */
import { UsageError } from '../errors.js';
import { type Digest, DIGEST_PATTERN } from './digest.js';
import { TAG_PATTERN } from './tag.js';

/** Where images live: a registry host, or an OCI layout directory (whose repositories are subdirectories). */
export type StoreAddress = { kind: 'registry'; host: string } | { kind: 'oci-layout'; path: string };

/** One image (or repository) in a store. */
export interface ImageRef {
  store: StoreAddress;
  /** Repository path in the store; '' for an OCI layout directory itself. */
  repository: string;
  tag?: string;
  digest?: Digest;
}

const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const HOST =
  /^(?:localhost|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+|\[[0-9a-fA-F:]+\]|[a-zA-Z0-9-]+)(?::[0-9]{1,5})?$/;

function splitDigest(text: string): { rest: string; digest?: Digest } {
  const at = text.lastIndexOf('@');
  if (at < 0) return { rest: text };
  const digest = text.slice(at + 1);
  if (!DIGEST_PATTERN.test(digest))
    throw new UsageError(`"${digest}" is not a sha256 digest (sha256: and 64 lowercase hex digits)`);
  return { rest: text.slice(0, at), digest: digest as Digest };
}

/** Splits `name:tag`, where the tag is after the last colon that has no slash after it. */
function splitTag(text: string): { name: string; tag?: string } {
  const colon = text.lastIndexOf(':');
  if (colon < 0 || text.indexOf('/', colon) >= 0) return { name: text };
  const tag = text.slice(colon + 1);
  if (!TAG_PATTERN.test(tag)) throw new UsageError(`"${tag}" is not a valid tag`);
  return { name: text.slice(0, colon), tag };
}

function parseLayout(text: string, prefixLength: number): ImageRef {
  const { rest, digest } = splitDigest(text.slice(prefixLength));
  // A tag follows the last colon only if it looks like one; paths rarely contain colons.
  const colon = rest.lastIndexOf(':');
  const maybeTag = colon >= 0 ? rest.slice(colon + 1) : '';
  const hasTag = colon >= 0 && !maybeTag.includes('/') && TAG_PATTERN.test(maybeTag);
  const path = hasTag ? rest.slice(0, colon) : rest;
  if (path === '') throw new UsageError(`"${text}" names no directory (oci-layout:DIR[:tag])`);
  return {
    store: { kind: 'oci-layout', path },
    repository: '',
    ...(hasTag ? { tag: maybeTag } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** Parses an image reference; throws UsageError explaining what is wrong. */
export function parseReference(text: string): ImageRef {
  if (text.startsWith('oci-layout:')) return parseLayout(text, 'oci-layout:'.length);
  if (text.startsWith('oci:')) return parseLayout(text, 'oci:'.length);
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(text)) {
    throw new UsageError(
      `"${text}": write registry references without a scheme (host[:port]/repo[:tag|@digest]) or as oci-layout:DIR`,
    );
  }
  const { rest, digest } = splitDigest(text);
  const slash = rest.indexOf('/');
  if (slash < 0)
    throw new UsageError(
      `"${text}" has no registry host: write host[:port]/repo[:tag|@digest] (Docker Hub is docker.io/library/NAME)`,
    );
  const host = rest.slice(0, slash);
  if (!HOST.test(host) || (!host.includes('.') && !host.includes(':') && host !== 'localhost')) {
    throw new UsageError(
      `"${host}" in "${text}" is not a registry host: write host[:port]/repo[:tag|@digest]`,
    );
  }
  const { name, tag } = splitTag(rest.slice(slash + 1));
  if (!REPOSITORY.test(name))
    throw new UsageError(
      `"${name}" in "${text}" is not a valid repository name (lowercase a-z, 0-9, ".", "_", "-", "/")`,
    );
  return {
    store: { kind: 'registry', host: host.toLowerCase() },
    repository: name,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** Writes a reference back in the form parseReference reads. */
export function formatReference(ref: ImageRef): string {
  const base =
    ref.store.kind === 'registry'
      ? `${ref.store.host}/${ref.repository}`
      : `oci-layout:${ref.store.path}${ref.repository ? `/${ref.repository}` : ''}`;
  return `${base}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** A stable key for a store, for grouping work per registry host or layout directory. */
export function storeKey(a: StoreAddress): string {
  return a.kind === 'registry' ? `registry:${a.host}` : `oci-layout:${a.path}`;
}
