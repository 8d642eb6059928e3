/** Registry and repository names: the one normal form used to compare and key them. */

/** Lowercases the host and drops trailing slashes, so different spellings of one registry compare equal. */
export function normalizeRegistryName(name: string): string {
  const trimmed = name.replace(/\/+$/, '');
  const slash = trimmed.indexOf('/');
  if (slash < 0) return trimmed.toLowerCase();
  return trimmed.slice(0, slash).toLowerCase() + trimmed.slice(slash);
}

/** The full repository path an image lands at: `registry/name`, normalized. */
export function repositoryPath(registry: string, image: string): string {
  return `${normalizeRegistryName(registry)}/${image.replace(/^\/+|\/+$/g, '')}`;
}

/** Normalizes a filestore base (`gs://bucket/path`) to end in exactly one slash. */
export function normalizeBase(base: string): string {
  return `${base.replace(/\/+$/, '')}/`;
}
