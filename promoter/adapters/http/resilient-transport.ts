/**
 * Wraps a transport with what keeps promotion alive against busy registries: per-host request-rate limits
 * and adaptive concurrency (cut on 429, grown back on success), and retries with backoff and jitter for
 * 5xx, 429 (honouring Retry-After) and connection failures — for requests that can be re-sent (no
 * streamed body). A concurrency slot is held until the response body is consumed.
 */
import type { Readable } from 'node:stream';
import { errorMessage, findError, TransientError } from '../../errors.js';
import { HostControls, type HostLimits } from './host-limits.js';
import type { RequestStats } from './request-stats.js';
import {
  DEFAULT_RETRY,
  isRetryable,
  type RetryPolicy,
  retryAfterMs,
  retryDelayMs,
  sleep as realSleep,
} from './retry-policy.js';
import type { HttpRequest, HttpResponse, Transport } from './transport.js';

export type { HostLimits } from './host-limits.js';

/** Options of the resilient transport. */
export interface ResilientOptions {
  limitsFor?: (host: string) => HostLimits;
  policy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Told of every retry (host, what failed, the delay). */
  onRetry?: (host: string, what: string, delayMs: number) => void;
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

function replayable(req: HttpRequest): boolean {
  return req.body === undefined || typeof req.body === 'string' || Buffer.isBuffer(req.body);
}

/** Holds the slot until the body is done with. */
function releaseWhenDone(body: Readable, release: () => void): void {
  let done = false;
  const once = () => {
    if (!done) {
      done = true;
      release();
    }
  };
  if (body.readableEnded || body.destroyed) return once();
  body.once('end', once);
  body.once('close', once);
  body.once('error', once);
}

/** Marks a failure that used up the retry budget, so callers do not retry it again. */
function exhausted(err: unknown, attempts: number): TransientError {
  const message = `${errorMessage(err)} (after ${attempts} attempts)`;
  return new TransientError(message, {
    ...(findError(err, TransientError)?.details ?? {}),
    cause: err,
    exhausted: true,
  });
}

/** Transport with per-host limits and retries. */
export class ResilientTransport implements Transport {
  private readonly hosts: HostControls;

  constructor(
    private readonly inner: Transport,
    private readonly opts: ResilientOptions = {},
  ) {
    this.hosts = new HostControls(opts.limitsFor);
  }

  get stats(): RequestStats {
    return this.inner.stats;
  }

  /** The current adaptive concurrency limit of a host (for reports and tests). */
  limitOf(host: string): number | undefined {
    return this.hosts.limitOf(host);
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const host = new URL(req.url.toString()).host;
    const c = this.hosts.get(host);
    const policy = this.opts.policy ?? DEFAULT_RETRY;
    const wait = this.opts.sleep ?? realSleep;
    const canRetry = replayable(req);
    for (let attempt = 0; ; attempt++) {
      await c.bucket?.take();
      await c.limiter.acquire();
      let res: HttpResponse;
      try {
        res = await this.inner.request(req);
      } catch (err) {
        c.limiter.release();
        if (!canRetry || !isRetryable(err)) throw err;
        if (attempt + 1 >= policy.attempts) throw exhausted(err, attempt + 1);
        const delay = retryDelayMs(attempt, policy, undefined, this.opts.random);
        this.opts.onRetry?.(host, `${req.method} ${req.kind}: ${(err as Error).message}`, delay);
        await wait(delay);
        continue;
      }
      if (res.status === 429) c.limiter.tooMany();
      else if (res.status < 500) c.limiter.succeeded();
      if (RETRY_STATUS.has(res.status) && canRetry && attempt + 1 < policy.attempts) {
        await res.body.dump();
        c.limiter.release();
        const delay = retryDelayMs(attempt, policy, retryAfterMs(res.headers), this.opts.random);
        this.opts.onRetry?.(host, `${req.method} ${req.kind}: ${res.status}`, delay);
        await wait(delay);
        continue;
      }
      releaseWhenDone(res.body, () => c.limiter.release());
      if (RETRY_STATUS.has(res.status) && canRetry) res.exhausted = true;
      return res;
    }
  }
}
