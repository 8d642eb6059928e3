/** Tag syntax shared with kpromo and the OCI distribution spec: a word character, then up to 127 more. */
export const TAG_PATTERN = /^\w[\w.-]{0,127}$/;

/** True when `value` is a valid image tag. */
export function isTag(value: unknown): value is string {
  return typeof value === 'string' && TAG_PATTERN.test(value);
}

/** Explains, for a person, what is wrong with a string that should be a tag. */
export function describeTagProblem(value: string): string {
  const shown = JSON.stringify(value);
  if (value.length === 0) return 'invalid tag "": a tag cannot be empty';
  if (value.length > 128) return `invalid tag ${shown}: longer than 128 characters`;
  if (!/^\w/.test(value)) return `invalid tag ${shown}: must start with a letter, digit or underscore`;
  const bad = value.match(/[^\w.-]/);
  return `invalid tag ${shown}: ${JSON.stringify(bad?.[0] ?? '')} is not allowed (letters, digits, "_", "." and "-" only)`;
}
