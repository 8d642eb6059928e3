/** Turns a registry's HTTP status and error body into the error catalogue's classes. */
import {
  AuthError,
  NotFoundError,
  RateLimitedError,
  type RemoteError,
  RequestRejectedError,
  TransientError,
} from '../../errors.js';
import { type Headers, header } from '../http/transport.js';

/** The `errors` array of a distribution error response. */
interface RegistryErrorBody {
  errors?: { code?: string; message?: string }[];
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

/** Builds the error for a failed response; `what` says what was attempted ("getting manifest app:v1"). */
export function registryError(
  what: string,
  host: string,
  status: number,
  headers: Headers,
  bodyText: string,
): RemoteError {
  let code: string | undefined;
  let detail = '';
  try {
    const body = JSON.parse(bodyText) as RegistryErrorBody;
    code = body.errors?.[0]?.code;
    detail = body.errors?.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ') ?? '';
  } catch {
    detail = bodyText.slice(0, 200).replace(/\s+/g, ' ').trim();
  }
  const message = `${what} on ${host}: ${status}${detail ? ` ${detail}` : ''}`;
  const details = { host, status, errorCode: code };
  if (status === 404) return new NotFoundError(message, details);
  if (status === 401 || status === 403) return new AuthError(message, details);
  if (status === 429)
    return new RateLimitedError(message, { ...details, retryAfterMs: retryAfterMs(headers) });
  if (status >= 500 || status === 408)
    return new TransientError(message, { ...details, retryAfterMs: retryAfterMs(headers) });
  return new RequestRejectedError(message, details);
}
