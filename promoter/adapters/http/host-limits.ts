/**
 * Per-host limits: a token bucket for the request rate, and an adaptive concurrency limit that halves
 * on a 429 and grows back by one after as many successes as its current limit (additive increase,
 * multiplicative decrease), never above the configured maximum.
 */

/** Admits at most `rate` requests per second, with bursts up to `burst`. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly rate: number,
    private readonly burst: number = Math.max(1, Math.ceil(rate)),
    private readonly now: () => number = () => performance.now(),
    private readonly wait: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Resolves when a request may go. Callers are served in order. */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const t = this.now();
        this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
        this.last = t;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await this.wait(((1 - this.tokens) / this.rate) * 1000);
      }
    });
    this.queue = turn;
    return turn;
  }
}

/** A concurrency limit that adapts to the server's 429s. */
export class AdaptiveLimiter {
  private active = 0;
  private successes = 0;
  private readonly waiting: (() => void)[] = [];
  /** The current limit (1…max). */
  limit: number;

  constructor(private readonly max: number) {
    this.limit = max;
  }

  /** Resolves when a slot is free; the caller must `release()` it. */
  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Frees a slot, admitting the next waiter if the limit allows. */
  release(): void {
    this.active--;
    this.admit();
  }

  /** A 429: halve the limit. */
  tooMany(): void {
    this.limit = Math.max(1, Math.floor(this.limit / 2));
    this.successes = 0;
  }

  /** A success: grow the limit by one after `limit` successes in a row. */
  succeeded(): void {
    if (this.limit >= this.max) return;
    if (++this.successes >= this.limit) {
      this.limit++;
      this.successes = 0;
      this.admit();
    }
  }

  private admit(): void {
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!();
    }
  }
}

/** The limits configured for one host. */
export interface HostLimits {
  /** Most requests in flight (the adaptive limit's ceiling). */
  concurrency: number;
  /** Most requests per second; unlimited when absent. */
  requestsPerSecond?: number;
}

/** One host's limiter and (optional) rate bucket. */
export interface HostControl {
  limiter: AdaptiveLimiter;
  bucket: TokenBucket | undefined;
}

/** Per-host controls, made on first use from `limitsFor` (16 in flight, no rate limit, by default). */
export class HostControls {
  private readonly hosts = new Map<string, HostControl>();

  constructor(private readonly limitsFor?: (host: string) => HostLimits) {}

  /** The controls of `host`. */
  get(host: string): HostControl {
    let c = this.hosts.get(host);
    if (!c) {
      const limits = this.limitsFor?.(host) ?? { concurrency: 16 };
      c = {
        limiter: new AdaptiveLimiter(limits.concurrency),
        bucket: limits.requestsPerSecond ? new TokenBucket(limits.requestsPerSecond) : undefined,
      };
      this.hosts.set(host, c);
    }
    return c;
  }

  /** The current adaptive limit of a host that has been used. */
  limitOf(host: string): number | undefined {
    return this.hosts.get(host)?.limiter.limit;
  }
}
