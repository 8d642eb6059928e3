/**
 * The reconcile loop. One pass at a time: triggers that arrive while a pass runs (poll, webhook, drift,
 * retry) coalesce into one follow-up pass. A pass fetches the manifest repository and promotes its current
 * revision — images and files, with guarded deletions since the last revision applied in full. Passes are
 * incremental (only what changed since that revision is read and planned) except the periodic drift pass
 * and the first one, which re-check every mirror. A pass ends with a typed outcome:
 *
 * - `applied`: every action done; the revision becomes the new base for deletions.
 * - `up-to-date`: the revision was already applied (or is stalled) and nothing asked for a full pass.
 * - `stalled`: the manifests are invalid; a human must fix them. Reported, not retried until a new commit.
 * - `partial`: some actions failed or the plan found errors (a digest not yet in staging, an unreadable
 *   mirror); retried with capped backoff. Newer commits are never held up: each pass takes the newest.
 * - `fetch-failed`, `failed`: the repository could not be fetched, or the pass threw; retried with backoff.
 */
import type { HashCache } from '../adapters/objectstore/hash-cache.js';
import type { BlobLocations } from '../copy/blob-locations.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { type PromotionInput, type PromotionResult, runPromotion } from '../pipeline/promotion.js';
import type { ClosableTree, ManifestSource } from './manifest-source.js';
import type { DaemonMetrics } from './metrics.js';
import type { DaemonState, StateFile } from './state-file.js';

/** What asked for a pass. */
export type PassReason = 'start' | 'poll' | 'webhook' | 'drift' | 'retry';

/** How a pass ended. */
export type PassOutcome = 'applied' | 'up-to-date' | 'stalled' | 'partial' | 'fetch-failed' | 'failed';

/** One pass, as `/status` shows it. */
export interface PassReport {
  reason: PassReason;
  revision?: string;
  /** False for an incremental pass (only what changed since the last revision applied in full). */
  full?: boolean;
  outcome: PassOutcome;
  startedAt: string;
  durationMs: number;
  /** Planned actions by kind and outcome (`copy apply`, `tag refused`…). */
  plan?: Record<string, number>;
  /** Applied actions by result. */
  results?: Record<string, number>;
  /** Failed actions (at most 50). */
  failures: { action: string; error: string }[];
  /** Error findings (at most 50): why a pass stalled or was partial. */
  errors: { code: string; message: string; file?: string; line?: number }[];
  /** Why the pass could not run (fetch or unexpected failure). */
  error?: string;
}

/** What the reconciler needs. */
export interface ReconcilerOptions {
  source: ManifestSource;
  state: StateFile;
  metrics: DaemonMetrics;
  log: Logger;
  /** Poll interval (jittered by ±10%). */
  intervalMs: number;
  /** Full passes regardless of new commits, to find and repair drift. */
  driftIntervalMs: number;
  /** First retry delay after a partial or failed pass (doubled each time, capped by retryMaxMs). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  env?: NodeJS.ProcessEnv;
  hashes?: HashCache;
  locations?: BlobLocations;
  /** The promotion to run (tests substitute their own). */
  promote?: (input: PromotionInput) => Promise<PromotionResult>;
  /** How often a running pass logs its progress (default 30 s). */
  progressLogMs?: number;
  /** Called after each pass (caches are saved here). */
  afterPass?: () => Promise<void>;
}

/** Outcomes after which the same revision needs no new pass unless a full one is asked for. */
const SETTLED = new Set(['applied', 'up-to-date', 'stalled']);
const LIMIT = 50;

/** The single-flight reconcile loop and its timers. */
export class Reconciler {
  private state: DaemonState;
  private running: Promise<void> | undefined;
  private queued = new Set<PassReason>();
  private stopping = false;
  private failures = 0;
  private readonly timers = new Map<'poll' | 'drift' | 'retry', NodeJS.Timeout>();
  private lastPass: PassReport | undefined;
  private lastFetch: { revision?: string; at: string; error?: string } | undefined;
  private nextPoll: number | undefined;
  /** The running pass, as `/status` shows it. */
  private current:
    | {
        reason: PassReason;
        revision?: string;
        startedAt: string;
        actions: { done: number; failed: number; total?: number };
        bytes: { uploaded: number; planned?: number };
      }
    | undefined;
  /** True once the repository has been fetched (readiness). */
  ready = false;

  constructor(private readonly opts: ReconcilerOptions) {
    this.state = opts.state.load(opts.source.description);
  }

  /** Starts the timers and the first pass. */
  start(): void {
    this.schedule('poll', this.jitter(this.opts.intervalMs));
    this.schedule('drift', this.opts.driftIntervalMs);
    this.trigger('start');
  }

  /** Asks for a pass; coalesces with one already queued. */
  trigger(reason: PassReason): void {
    if (this.stopping) return;
    this.queued.add(reason);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when no pass is running or queued. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops taking work and waits for the running pass, up to `deadlineMs`. True when it finished. */
  async stop(deadlineMs: number): Promise<boolean> {
    this.stopping = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.queued.clear();
    if (!this.running) return true;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      this.running.then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), deadlineMs);
      }),
    ]);
    clearTimeout(timer);
    return finished;
  }

  /** What `/status` shows. */
  status(): Record<string, unknown> {
    return {
      source: this.opts.source.description,
      ready: this.ready,
      running: this.running !== undefined,
      current: this.current,
      lastFetch: this.lastFetch,
      applied: this.state.applied,
      attempted: this.state.attempted,
      lastPass: this.lastPass,
      consecutiveFailures: this.failures,
      nextPollAt: this.nextPoll ? new Date(this.nextPoll).toISOString() : undefined,
    };
  }

  private jitter(ms: number): number {
    return Math.round(ms * (0.9 + Math.random() * 0.2));
  }

  private schedule(kind: 'poll' | 'drift' | 'retry', ms: number): void {
    if (this.stopping) return;
    clearTimeout(this.timers.get(kind));
    if (kind === 'poll') this.nextPoll = Date.now() + ms;
    const t = setTimeout(() => {
      this.timers.delete(kind);
      this.trigger(kind);
      if (kind === 'poll') this.schedule('poll', this.jitter(this.opts.intervalMs));
      if (kind === 'drift') this.schedule('drift', this.opts.driftIntervalMs);
    }, ms);
    t.unref();
    this.timers.set(kind, t);
  }

  private async drain(): Promise<void> {
    while (this.queued.size > 0 && !this.stopping) {
      const reasons = new Set(this.queued);
      this.queued.clear();
      // A full pass (drift, retry) answers every other trigger too.
      const reason = (['drift', 'retry', 'start', 'webhook', 'poll'] as const).find((r) => reasons.has(r))!;
      await this.pass(reason);
    }
  }

  private async pass(reason: PassReason): Promise<void> {
    const startedAt = new Date();
    const report = (outcome: PassOutcome, extra: Partial<PassReport> = {}): PassReport => ({
      reason,
      outcome,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      failures: [],
      errors: [],
      ...extra,
    });
    let revision: string;
    try {
      revision = await this.opts.source.sync();
      this.lastFetch = { revision, at: new Date().toISOString() };
      this.ready = true;
      this.opts.metrics.ready.set(1);
    } catch (err) {
      this.lastFetch = { ...this.lastFetch, at: new Date().toISOString(), error: errorMessage(err) };
      return this.finish(report('fetch-failed', { error: errorMessage(err) }));
    }
    const attempted = this.state.attempted;
    const settled = attempted?.revision === revision && SETTLED.has(attempted.outcome);
    const waitingForRetry =
      attempted?.revision === revision && !SETTLED.has(attempted.outcome) && this.timers.has('retry');
    if ((reason === 'poll' || reason === 'webhook' || reason === 'start') && (settled || waitingForRetry)) {
      this.lastPass = report(attempted!.outcome === 'stalled' ? 'stalled' : 'up-to-date', {
        revision,
        ...(attempted!.outcome === 'stalled' ? { errors: this.lastPass?.errors ?? [] } : {}),
      });
      // A fetch that failed before is over: nothing is left to retry.
      if (settled) this.settle();
      return;
    }

    await this.saveState({ attempted: { revision, at: startedAt.toISOString(), outcome: 'running' } });
    const current = {
      reason,
      revision,
      startedAt: startedAt.toISOString(),
      actions: { done: 0, failed: 0 } as { done: number; failed: number; total?: number },
      bytes: { uploaded: 0 } as { uploaded: number; planned?: number },
    };
    this.current = current;
    const progressLog = setInterval(
      () => this.opts.log.info(current, 'reconcile in progress'),
      this.opts.progressLogMs ?? 30_000,
    );
    progressLog.unref();
    const since = this.state.applied ? await this.opts.source.treeAt(this.state.applied.revision) : undefined;
    let head: ClosableTree | undefined;
    try {
      head = await this.opts.source.head(revision);
      const promote = this.opts.promote ?? runPromotion;
      const r = await promote({
        dir: this.opts.source.dir,
        head,
        ...(since ? { since, incremental: reason !== 'drift' } : {}),
        apply: true,
        ...(this.opts.env ? { env: this.opts.env } : {}),
        ...(this.opts.hashes ? { hashes: this.opts.hashes } : {}),
        ...(this.opts.locations ? { locations: this.opts.locations } : {}),
        progress: {
          start: (actions, bytes) => {
            current.actions.total = actions;
            current.bytes.planned = bytes;
          },
          actionDone: (a) => {
            if (a.result === 'failed') current.actions.failed++;
            else current.actions.done++;
          },
          uploaded: (bytes) => {
            current.bytes.uploaded += bytes;
          },
        },
      });
      const full = !since || reason === 'drift';
      this.opts.metrics.recordPass(r, full);
      const failed = (r.applied ?? []).filter((a) => a.result === 'failed');
      const errors = r.findings.filter((f) => f.severity === 'error');
      const outcome: PassOutcome =
        r.stoppedAt === 'validate'
          ? 'stalled'
          : failed.length > 0 || errors.length > 0
            ? 'partial'
            : 'applied';
      const count = (keys: string[]) => {
        const out: Record<string, number> = {};
        for (const k of keys) out[k] = (out[k] ?? 0) + 1;
        return out;
      };
      const done = report(outcome, {
        revision,
        full,
        ...(r.plan ? { plan: count(r.plan.actions.map((a) => `${a.kind} ${a.outcome}`)) } : {}),
        ...(r.applied ? { results: count(r.applied.map((a) => a.result)) } : {}),
        failures: failed.slice(0, LIMIT).map((a) => ({
          action: `${a.kind} ${a.dest}${a.file ?? (a.tag ? `:${a.tag}` : `@${a.digest}`)}`,
          error: a.error ?? 'failed',
        })),
        errors: errors.slice(0, LIMIT).map((f) => ({
          code: f.code,
          message: f.message,
          ...(f.file ? { file: f.file } : {}),
          ...(f.line ? { line: f.line } : {}),
        })),
      });
      const now = new Date().toISOString();
      if (outcome === 'applied') {
        await this.opts.source.applied(revision);
        this.opts.metrics.lastApplied.set(Date.now() / 1000);
      }
      await this.saveState({
        ...(outcome === 'applied' ? { applied: { revision, at: now } } : {}),
        attempted: { revision, at: now, outcome },
      });
      this.finish(done);
    } catch (err) {
      await this.saveState({ attempted: { revision, at: new Date().toISOString(), outcome: 'failed' } });
      this.finish(report('failed', { revision, error: errorMessage(err) }));
    } finally {
      clearInterval(progressLog);
      this.current = undefined;
      await since?.close?.();
      await head?.close?.();
      await this.opts.afterPass?.().catch(() => undefined);
    }
  }

  private async saveState(patch: Partial<DaemonState>): Promise<void> {
    this.state = { ...this.state, ...patch };
    try {
      await this.opts.state.save(this.state);
    } catch (err) {
      this.opts.log.error({ err: errorMessage(err) }, 'cannot save the state file');
    }
  }

  /** Clears the failure count and any pending retry. */
  private settle(): void {
    this.failures = 0;
    clearTimeout(this.timers.get('retry'));
    this.timers.delete('retry');
  }

  private finish(r: PassReport): void {
    this.lastPass = r;
    const labels = { outcome: r.outcome, reason: r.reason };
    this.opts.metrics.reconciles.inc(labels);
    this.opts.metrics.reconcileDuration.observe(labels, r.durationMs / 1000);
    const settled = SETTLED.has(r.outcome);
    if (settled) this.settle();
    else {
      this.failures++;
      const base = this.opts.retryBaseMs ?? 10_000;
      const delay = Math.min(this.opts.retryMaxMs ?? 600_000, base * 2 ** (this.failures - 1));
      this.schedule('retry', this.jitter(delay));
    }
    const log = r.outcome === 'applied' || r.outcome === 'up-to-date' ? 'info' : 'warn';
    this.opts.log[log](
      {
        reason: r.reason,
        revision: r.revision,
        outcome: r.outcome,
        durationMs: r.durationMs,
        plan: r.plan,
        results: r.results,
        failures: r.failures.length,
        errors: r.errors.slice(0, 5),
        error: r.error,
      },
      `reconcile ${r.outcome}`,
    );
  }
}
