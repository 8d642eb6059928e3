/** Leader election over an in-memory lease with optimistic concurrency, on a controlled clock. */
import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '../../../promoter/observability/logger.js';
import {
  LeaderElector,
  LeaseConflictError,
  type LeaseClient,
  type LeaseRecord,
} from '../../../promoter/serve/leader-election.js';

/** One lease; writes must carry the version last read. */
class MemoryLease implements LeaseClient {
  readonly description = 'lease test/promoter';
  record: LeaseRecord | undefined;
  private version = 0;
  failing = false;
  async get(): Promise<LeaseRecord | undefined> {
    if (this.failing) throw new Error('api server unavailable');
    return this.record ? { ...this.record, version: String(this.version) } : undefined;
  }
  async create(r: LeaseRecord): Promise<void> {
    if (this.failing) throw new Error('api server unavailable');
    if (this.record) throw new LeaseConflictError('exists');
    this.record = { ...r };
    this.version++;
  }
  async replace(r: LeaseRecord): Promise<void> {
    if (this.failing) throw new Error('api server unavailable');
    if (r.version !== String(this.version)) throw new LeaseConflictError('stale');
    this.record = { ...r };
    this.version++;
  }
}

function candidate(lease: LeaseClient, identity: string, clock: { t: number }) {
  const events: string[] = [];
  const elector = new LeaderElector({
    client: lease,
    identity,
    log: silentLogger(),
    leaseDurationMs: 15_000,
    now: () => clock.t,
    onStartedLeading: () => events.push('started'),
    onStoppedLeading: () => events.push('stopped'),
  });
  return { elector, events };
}

describe('LeaderElector', () => {
  it('lets one candidate lead; the other takes over only after the lease expires unrenewed', async () => {
    const lease = new MemoryLease();
    const clock = { t: 1_000_000 };
    const a = candidate(lease, 'a', clock);
    const b = candidate(lease, 'b', clock);
    await a.elector.tick();
    await b.elector.tick();
    expect([a.elector.isLeader, b.elector.isLeader]).toEqual([true, false]);
    expect(lease.record).toMatchObject({ holder: 'a', durationSeconds: 15, transitions: 0 });
    // a renews; b keeps waiting.
    clock.t += 10_000;
    await a.elector.tick();
    clock.t += 10_000;
    await b.elector.tick();
    expect(b.elector.isLeader).toBe(false);
    // a stops renewing (hung, partitioned): 15 s after its last renewal b takes over.
    clock.t += 5_000;
    await b.elector.tick();
    expect(b.elector.isLeader).toBe(true);
    expect(lease.record).toMatchObject({ holder: 'b', transitions: 1 });
    // a comes back: its renewal fails (someone else holds the lease), so it steps down.
    await a.elector.tick();
    expect(a.elector.isLeader).toBe(false);
    expect(a.events).toEqual(['started', 'stopped']);
    expect(b.events).toEqual(['started']);
    await a.elector.stop();
    await b.elector.stop();
  });

  it('never lets two candidates win the same race', async () => {
    const lease = new MemoryLease();
    const clock = { t: 0 };
    const all = ['a', 'b', 'c', 'd'].map((id) => candidate(lease, id, clock));
    await Promise.all(all.map((c) => c.elector.tick()));
    expect(all.filter((c) => c.elector.isLeader)).toHaveLength(1);
    // The leader goes silent past the lease: the other three race for it, and exactly one wins.
    clock.t += 20_000;
    const others = all.filter((c) => !c.elector.isLeader);
    await Promise.all(others.map((c) => c.elector.tick()));
    expect(others.filter((c) => c.elector.isLeader)).toHaveLength(1);
    const holder = lease.record!.holder;
    // Whoever wrote last holds the lease; a former leader that did not renew learns it on its next tick.
    await Promise.all(all.map((c) => c.elector.tick()));
    expect(all.filter((c) => c.elector.isLeader).map((c) => c.events.at(-1))).toEqual(['started']);
    expect(lease.record!.holder).toBe(holder);
    for (const c of all) await c.elector.stop();
  });

  it('releases the lease on stop, so a successor takes over at once', async () => {
    const lease = new MemoryLease();
    const clock = { t: 0 };
    const a = candidate(lease, 'a', clock);
    const b = candidate(lease, 'b', clock);
    await a.elector.tick();
    await a.elector.stop();
    expect(lease.record?.holder).toBeUndefined();
    await b.elector.tick();
    expect(b.elector.isLeader).toBe(true);
    await b.elector.stop();
  });

  it('keeps leading through API errors shorter than the lease, and steps down after', async () => {
    const lease = new MemoryLease();
    const clock = { t: 0 };
    const a = candidate(lease, 'a', clock);
    await a.elector.tick();
    lease.failing = true;
    clock.t += 10_000;
    await a.elector.tick();
    expect(a.elector.isLeader).toBe(true);
    clock.t += 6_000;
    await a.elector.tick();
    expect(a.elector.isLeader).toBe(false);
    expect(a.events).toEqual(['started', 'stopped']);
    await a.elector.stop();
  });
});
