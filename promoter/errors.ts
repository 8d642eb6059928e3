/**
 * The error catalogue: every error the promoter raises is one of these classes. Each class has a stable
 * `code`; callers classify errors with `findError`/`errorCode` (which follow the ES2022 `cause` chain),
 * never by matching message text. Layers add "verb-ing noun" context with `wrapError`.
 */

/** Extra, class-specific fields an error carries (status codes, retry hints). */
export interface ErrorDetails {
  cause?: unknown;
  [key: string]: unknown;
}

/** Root of the catalogue. */
export class PromoterError extends Error {
  static readonly code: string = 'PROMOTER';
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = (new.target as typeof PromoterError).code;
    this.details = details;
  }
}

/** The command line was used wrongly (unknown flag, bad value). Exit code 2. */
export class UsageError extends PromoterError {
  static override readonly code: string = 'USAGE';
}

/** Input could not be read: a missing directory, an unreadable or oversized file. Exit code 2. */
export class InputError extends PromoterError {
  static override readonly code: string = 'INPUT';
}

/** A path that should exist does not. */
export class PathNotFoundError extends InputError {
  static override readonly code: string = 'INPUT_NOT_FOUND';
}

/** A file is larger than the limit the reader accepts. */
export class FileTooLargeError extends InputError {
  static override readonly code: string = 'INPUT_TOO_LARGE';
  get size(): number {
    return this.details.size as number;
  }
  get limit(): number {
    return this.details.limit as number;
  }
}

/** No promotion manifests were found where they were looked for. */
export class NoManifestsError extends InputError {
  static override readonly code: string = 'INPUT_NO_MANIFESTS';
}

/** A git command failed. */
export class GitError extends PromoterError {
  static override readonly code: string = 'GIT';
}

/** A git revision does not name a commit. */
export class GitRefError extends GitError {
  static override readonly code: string = 'GIT_REF_UNKNOWN';
}

/** The directory is not inside a git work tree. */
export class NotAGitRepositoryError extends GitError {
  static override readonly code: string = 'GIT_NOT_A_REPOSITORY';
}

/** Content did not match its digest or size (a corrupt or tampered blob, manifest or file). */
export class IntegrityError extends PromoterError {
  static override readonly code: string = 'INTEGRITY';
}

/** A source's bytes do not match the digest or sha256 the manifests promote (nothing was written). */
export class SourceCorruptError extends IntegrityError {
  static override readonly code: string = 'SOURCE_CORRUPT';
}

/** Content promoter cannot handle (Docker schema 1, an unknown manifest type). */
export class UnsupportedError extends PromoterError {
  static override readonly code: string = 'UNSUPPORTED';
}

/** A manifest that is not valid JSON or lacks required fields. */
export class InvalidManifestError extends PromoterError {
  static override readonly code: string = 'MANIFEST_INVALID';
}

/** A request to a registry or object store failed. `details.status` and `details.host` say how and where. */
export class RemoteError extends PromoterError {
  static override readonly code: string = 'REMOTE';
  get status(): number | undefined {
    return this.details.status as number | undefined;
  }
}

/** The thing asked for does not exist (manifest, blob, tag, repository, object). */
export class NotFoundError extends RemoteError {
  static override readonly code: string = 'NOT_FOUND';
}

/** Credentials are missing, wrong or insufficient (401/403 after authenticating). */
export class AuthError extends RemoteError {
  static override readonly code: string = 'AUTH';
}

/** A refusal that retrying will not fix (another 4xx); `details.errorCode` has the registry's code. */
export class RequestRejectedError extends RemoteError {
  static override readonly code: string = 'REJECTED';
}

/** A failure that may pass: 5xx, a reset or timeout. Retried with backoff. */
export class TransientError extends RemoteError {
  static override readonly code: string = 'TRANSIENT';
  /** How long the server asked to wait, if it said (Retry-After). */
  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs as number | undefined;
  }
}

/** 429 Too Many Requests: a transient failure with a hint to slow down. */
export class RateLimitedError extends TransientError {
  static override readonly code: string = 'RATE_LIMITED';
}

type ErrorClass<T extends PromoterError> = abstract new (message: string, details?: ErrorDetails) => T;

/** Returns the first error in `err`'s cause chain that is an instance of `cls`. */
export function findError<T extends PromoterError>(err: unknown, cls: ErrorClass<T>): T | undefined {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current instanceof Error && !seen.has(current)) {
    if (current instanceof cls) return current;
    seen.add(current);
    current = current.cause;
  }
  return undefined;
}

/** The catalogue code of the first catalogued error in the cause chain, or `UNKNOWN`. */
export function errorCode(err: unknown): string {
  return findError(err, PromoterError)?.code ?? 'UNKNOWN';
}

/** The message of any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * Adds context ("reading images.yaml") to an error, keeping its class and details so callers can still
 * classify it. The original error stays reachable as `cause`.
 */
export function wrapError(err: unknown, context: string): PromoterError {
  const inner = findError(err, PromoterError);
  const message = `${context}: ${errorMessage(err)}`;
  if (!inner) return new PromoterError(message, { cause: err });
  const Ctor = inner.constructor as new (message: string, details?: ErrorDetails) => PromoterError;
  return new Ctor(message, { ...inner.details, cause: err });
}
