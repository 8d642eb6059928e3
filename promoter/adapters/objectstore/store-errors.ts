/**
 * Turns what the S3 and GCS SDKs throw into the error catalogue: 404 → NotFoundError, 401/403 →
 * AuthError, 429 and S3's SlowDown → RateLimitedError, 5xx/408 and dropped connections → TransientError,
 * other 4xx → RequestRejectedError (412: a precondition such as "must not exist yet" failed).
 * Messages pass through secret redaction (signed URLs, tokens).
 */
import {
  AuthError,
  findError,
  NotFoundError,
  PromoterError,
  RateLimitedError,
  type RemoteError,
  RequestRejectedError,
  TransientError,
} from '../../errors.js';
import { redactSecrets } from '../http/sanitize.js';
import { isNetworkError } from '../http/transport.js';

/** The error for a failed call with an HTTP status; `what` says what was attempted and where. */
export function statusError(
  what: string,
  host: string,
  status: number,
  detail: string,
  cause: unknown,
  rateLimited = false,
): RemoteError {
  const message = redactSecrets(`${what}: ${status}${detail ? ` ${detail}` : ''}`);
  const details = { host, status, cause };
  if (status === 404) return new NotFoundError(message, details);
  if (status === 401 || status === 403) return new AuthError(message, details);
  if (status === 429 || rateLimited) return new RateLimitedError(message, details);
  if (status >= 500 || status === 408) return new TransientError(message, details);
  return new RequestRejectedError(message, details);
}

/** A failure without a response: a dropped connection is transient, anything else is passed on. */
function withoutStatus(err: unknown, what: string, host: string): Error {
  const text = redactSecrets(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  if (isNetworkError(err) || (err as { name?: string }).name === 'TimeoutError')
    return new TransientError(text, { host, cause: err });
  return new PromoterError(text, { host, cause: err });
}

/** Classifies an AWS SDK error. */
export function s3Error(err: unknown, what: string, host: string): Error {
  if (findError(err, PromoterError)) return err as Error;
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) return withoutStatus(err, what, host);
  const name = e.name && e.name !== 'Unknown' && e.name !== 'UnknownError' ? e.name : '';
  const detail = [name, e.message && e.message !== name ? e.message : ''].filter(Boolean).join(': ');
  const slowDown = name === 'SlowDown' || name === 'Throttling' || name === 'ThrottlingException';
  return statusError(what, host, status, detail, err, slowDown);
}

/** Classifies a @google-cloud/storage error (an ApiError with a numeric `code`, or a connection error). */
export function gcsError(err: unknown, what: string, host: string): Error {
  if (findError(err, PromoterError)) return err as Error;
  // ApiError carries the status as `code`; a resumable upload's GaxiosError as `status` or `response.status`.
  const e = err as { code?: unknown; status?: unknown; response?: { status?: unknown }; message?: string };
  const status = [e.code, e.status, e.response?.status].find((v): v is number => typeof v === 'number');
  if (status === undefined) return withoutStatus(err, what, host);
  return statusError(what, host, status, e.message ?? '', err);
}
