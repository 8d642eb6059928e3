/**
 * The retry budget of every remote call, in one place.
 *
 * - Retried: TransientError (5xx, 408, a reset, a timeout) and RateLimitedError (429), up to
 *   `attempts` tries in all. Never retried: other 4xx (a retry would get the same answer).
 * - Delay before retry n (0-based): a random time in [0, min(maxDelayMs, baseDelayMs · 2ⁿ)] ("full
 *   jitter", so many clients do not retry in step) — or the server's Retry-After when it sent one, capped
 *   at maxRetryAfterMs.
 * - Requests whose body is a stream cannot be re-sent by the HTTP layer; the copy engine retries those
 *   (a blob upload re-reads its source) with the same budget.
 *
 * With the defaults a request gets 5 tries over at most about 0.25 + 0.5 + 1 + 2 s of backoff (plus any
 * Retry-After), so a failing registry costs a run seconds, not hours.
 */
import { findError, RemoteError, TransientError } from '../../errors.js';
import { type Headers, header, isNetworkError } from './transport.js';

/** How often and how patiently to retry. */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
}

/** The defaults described above. */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 60_000,
};

/**
 * True for a failure worth trying again: transient or rate-limited, or a connection that failed — unless
 * it already used up a retry budget in the HTTP layer (retrying it again would multiply the budget).
 */
export function isRetryable(err: unknown): boolean {
  const transient = findError(err, TransientError);
  if (transient) return transient.details.exhausted !== true;
  if (findError(err, RemoteError)) return false;
  return isNetworkError(err);
}

/** Seconds or an HTTP date in Retry-After, as milliseconds (capped at 5 minutes). */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const v = header(headers, 'retry-after');
  if (!v) return undefined;
  const seconds = Number(v);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(v) - now;
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, 300_000);
}

/** How long to wait before retry `attempt` (0-based), honouring a server's Retry-After. */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
}

/** Sleeps; replaced in tests. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
