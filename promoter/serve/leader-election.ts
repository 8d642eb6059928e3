/**
 * Leader election over a lease record (a Kubernetes `coordination.k8s.io/v1` Lease in a cluster), the way
 * client-go does it: the holder renews the lease every `renewEveryMs`; others poll every `retryEveryMs` and
 * take the lease over only once it has gone unrenewed for its whole duration. Every write is conditional on
 * the version read (optimistic concurrency), so two candidates can never both win. A leader that cannot
 * renew within the lease duration steps down; on shutdown it releases the lease so a successor takes over at
 * once. Only the leader runs reconcile passes.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../observability/logger.js';

/** A lease as the elector sees it. */
export interface LeaseRecord {
  holder?: string;
  acquireTime?: Date;
  renewTime?: Date;
  durationSeconds: number;
  transitions: number;
  /** Opaque; a write with a stale version fails with LeaseConflictError. */
  version?: string;
}

/** A write lost a race (the lease changed since it was read). */
export class LeaseConflictError extends Error {}

/** The lease store: one named lease. */
export interface LeaseClient {
  readonly description: string;
  get(): Promise<LeaseRecord | undefined>;
  create(record: LeaseRecord): Promise<void>;
  /** Replaces the lease if it is still at `record.version`. */
  replace(record: LeaseRecord): Promise<void>;
}

/** What the elector needs. */
export interface LeaderElectorOptions {
  client: LeaseClient;
  identity: string;
  log: Logger;
  leaseDurationMs?: number;
  renewEveryMs?: number;
  retryEveryMs?: number;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  now?: () => number;
}

/** Campaigns for and holds one lease. */
export class LeaderElector {
  private leading = false;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly duration: number;
  private readonly now: () => number;

  constructor(private readonly opts: LeaderElectorOptions) {
    this.duration = opts.leaseDurationMs ?? 15_000;
    this.now = opts.now ?? Date.now;
  }

  /** True while this process holds the lease. */
  get isLeader(): boolean {
    return this.leading;
  }

  /** Starts campaigning. */
  start(): void {
    void this.tick();
  }

  /** One attempt to acquire or renew; schedules the next. Exposed for tests. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const won = await this.tryAcquireOrRenew();
      if (won) {
        this.lastRenew = this.now();
        if (!this.leading) {
          this.leading = true;
          this.opts.log.info(
            { lease: this.opts.client.description, identity: this.opts.identity },
            'became leader',
          );
          this.opts.onStartedLeading();
        }
      } else this.stepDownIf(true);
    } catch (err) {
      this.opts.log.warn(
        { lease: this.opts.client.description, err: errorMessage(err) },
        'lease update failed',
      );
      this.stepDownIf(this.now() - this.lastRenew >= this.duration);
    }
    if (this.stopped) return;
    const next = this.leading
      ? (this.opts.renewEveryMs ?? this.duration / 3)
      : (this.opts.retryEveryMs ?? 2000);
    this.timer = setTimeout(() => void this.tick(), next);
    this.timer.unref();
  }

  private stepDownIf(lost: boolean): void {
    if (!this.leading || !lost) return;
    this.leading = false;
    this.opts.log.warn({ lease: this.opts.client.description }, 'lost the lease');
    this.opts.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date(this.now());
    const me = this.opts.identity;
    const seconds = Math.ceil(this.duration / 1000);
    const current = await this.opts.client.get();
    try {
      if (!current) {
        await this.opts.client.create({
          holder: me,
          acquireTime: now,
          renewTime: now,
          durationSeconds: seconds,
          transitions: 0,
        });
        return true;
      }
      if (current.holder === me) {
        await this.opts.client.replace({ ...current, renewTime: now, durationSeconds: seconds });
        return true;
      }
      const renewed = current.renewTime?.getTime() ?? 0;
      const expired = !current.holder || renewed + current.durationSeconds * 1000 <= now.getTime();
      if (!expired) return false;
      await this.opts.client.replace({
        ...current,
        holder: me,
        acquireTime: now,
        renewTime: now,
        durationSeconds: seconds,
        transitions: current.transitions + 1,
      });
      return true;
    } catch (err) {
      if (err instanceof LeaseConflictError) return false;
      throw err;
    }
  }

  /** Stops campaigning; a leader releases the lease (so a successor need not wait for it to expire). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const current = await this.opts.client.get();
      if (current?.holder === this.opts.identity) {
        const { holder: _holder, ...rest } = current;
        await this.opts.client.replace({ ...rest, renewTime: new Date(this.now()), durationSeconds: 1 });
      }
    } catch (err) {
      this.opts.log.warn({ err: errorMessage(err) }, 'could not release the lease');
    }
  }
}
