/** A content digest as written in manifests: `sha256:` followed by 64 lowercase hex characters. */
export type Digest = `sha256:${string}`;

/** The only digest form manifests may use. */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** A sha256 as written in file manifests: 64 hex characters. */
export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;

/** True when `value` is a well-formed sha256 digest. */
export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST_PATTERN.test(value);
}

/** Explains, for a person, what is wrong with a string that should be a digest. */
export function describeDigestProblem(value: string): string {
  const shown = JSON.stringify(value);
  if (!value.startsWith('sha256:')) {
    const algo = value.includes(':') ? value.slice(0, value.indexOf(':')) : '';
    return algo
      ? `invalid digest ${shown}: algorithm "${algo}" is not supported, only sha256`
      : `invalid digest ${shown}: must start with "sha256:"`;
  }
  return `invalid digest ${shown}: ${describeHexProblem(value.slice('sha256:'.length))}`;
}

/** Explains what is wrong with a string that should be 64 lowercase hex characters. */
export function describeHexProblem(hex: string): string {
  if (/[A-F]/.test(hex) && /^[0-9a-fA-F]*$/.test(hex)) {
    return 'hex digits must be lowercase';
  }
  const bad = hex.match(/[^0-9a-f]/);
  if (bad) return `${JSON.stringify(bad[0])} is not a lowercase hex digit`;
  return `expected 64 hex digits, found ${hex.length}`;
}
