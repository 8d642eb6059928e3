/**
 * Every call an object store makes goes through here: per-host adaptive concurrency (cut on 429/503
 * slow-downs, grown back on success) and an optional request-rate limit, retries with the same budget
 * and backoff as registry requests (promoter/adapters/http/retry-policy.ts), and one count per request
 * by host and status. The SDKs' own retries are switched off so the budget is counted once, here.
 * Calls whose body is a stream are made once (`retry: false`); the file copier retries those whole.
 */
import { errorMessage, findError, RateLimitedError, RemoteError, TransientError } from '../../errors.js';
import { HostControls, type HostLimits } from '../http/host-limits.js';
import type { RequestStats } from '../http/request-stats.js';
import {
  DEFAULT_RETRY,
  isRetryable,
  type RetryPolicy,
  retryDelayMs,
  sleep as realSleep,
} from '../http/retry-policy.js';

/** Options shared by the stores of one run. */
export interface StoreCallOptions {
  stats?: RequestStats;
  limitsFor?: (host: string) => HostLimits;
  policy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Turns whatever an SDK threw into a catalogued error (NotFoundError, AuthError, TransientError…). */
export type Classifier = (err: unknown, what: string) => Error;

/** One call, as counted. */
export interface CallSpec {
  method: string;
  /** What it is for: list, stat, read, write, part, copy, delete. */
  kind: string;
  /** Retry on a transient failure (false for streamed bodies). */
  retry: boolean;
  bytesSent?: number;
}

/** The HTTP status an error stands for, for counting. */
function statusOf(err: unknown): number | 'error' {
  return findError(err, RemoteError)?.status ?? 'error';
}

/** Limits, retries and counts calls per host. */
export class StoreCalls {
  private readonly hosts: HostControls;

  constructor(private readonly opts: StoreCallOptions = {}) {
    this.hosts = new HostControls(opts.limitsFor);
  }

  /** Runs `fn` for `host` under its limits, classifying errors and retrying transient ones. */
  async call<T>(host: string, spec: CallSpec, classify: Classifier, fn: () => Promise<T>): Promise<T> {
    const c = this.hosts.get(host);
    const policy = this.opts.policy ?? DEFAULT_RETRY;
    const wait = this.opts.sleep ?? realSleep;
    for (let attempt = 0; ; attempt++) {
      await c.bucket?.take();
      await c.limiter.acquire();
      let failure: Error;
      try {
        const out = await fn();
        c.limiter.succeeded();
        this.count(host, spec, 200);
        return out;
      } catch (err) {
        failure = classify(err, `${spec.method} ${spec.kind}`);
        this.count(host, spec, statusOf(failure));
        if (findError(failure, RateLimitedError)) c.limiter.tooMany();
      } finally {
        c.limiter.release();
      }
      if (!spec.retry || !isRetryable(failure)) throw failure;
      if (attempt + 1 >= policy.attempts) {
        throw new TransientError(`${errorMessage(failure)} (after ${attempt + 1} attempts)`, {
          ...(findError(failure, TransientError)?.details ?? {}),
          cause: failure,
          exhausted: true,
        });
      }
      const after = findError(failure, TransientError)?.retryAfterMs;
      await wait(retryDelayMs(attempt, policy, after, this.opts.random));
    }
  }

  private count(host: string, spec: CallSpec, status: number | 'error'): void {
    this.opts.stats?.record({
      host,
      method: spec.method,
      kind: spec.kind,
      status,
      bytesSent: spec.bytesSent ?? 0,
      bytesReceived: 0,
    });
  }
}
