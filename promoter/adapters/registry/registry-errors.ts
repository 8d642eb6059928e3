/** Turns a registry's HTTP status and error body into the error catalogue's classes. */
import {
  AuthError,
  NotFoundError,
  RateLimitedError,
  type RemoteError,
  RequestRejectedError,
  TransientError,
} from '../../errors.js';
import { retryAfterMs } from '../http/retry-policy.js';
import type { Headers } from '../http/transport.js';

/** The `errors` array of a distribution error response. */
interface RegistryErrorBody {
  errors?: { code?: string; message?: string }[];
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
