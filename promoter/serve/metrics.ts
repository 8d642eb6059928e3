/**
 * The daemon's Prometheus metrics (prom-client), in a registry of their own so that each server — and each
 * test — counts alone. Updated from each reconcile pass's result.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PromotionResult } from '../pipeline/promotion.js';

/** Every instrument the daemon exports. */
export class DaemonMetrics {
  readonly registry = new Registry();
  readonly reconcileDuration = new Histogram({
    name: 'promoter_reconcile_duration_seconds',
    help: 'Duration of reconcile passes, by outcome.',
    labelNames: ['outcome', 'reason'] as const,
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [this.registry],
  });
  readonly reconciles = new Counter({
    name: 'promoter_reconcile_total',
    help: 'Reconcile passes, by outcome.',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });
  readonly actions = new Counter({
    name: 'promoter_actions_total',
    help: 'Actions run by promotion, by kind and result.',
    labelNames: ['kind', 'result'] as const,
    registers: [this.registry],
  });
  readonly bytesCopied = new Counter({
    name: 'promoter_bytes_copied_total',
    help: 'Bytes uploaded to mirrors, by artifact (image blobs, files).',
    labelNames: ['artifact'] as const,
    registers: [this.registry],
  });
  readonly requests = new Counter({
    name: 'promoter_requests_total',
    help: 'Requests to registries and filestores, by host and status.',
    labelNames: ['host', 'status'] as const,
    registers: [this.registry],
  });
  readonly lastApplied = new Gauge({
    name: 'promoter_last_applied_commit_timestamp_seconds',
    help: 'When the last revision was applied in full (Unix time).',
    registers: [this.registry],
  });
  readonly drift = new Gauge({
    name: 'promoter_mirror_drift',
    help: 'Actions the last drift pass found needed, per mirror (0: the mirror holds what the manifests say).',
    labelNames: ['mirror'] as const,
    registers: [this.registry],
  });
  readonly ready = new Gauge({
    name: 'promoter_ready',
    help: '1 once the manifest repository has been fetched.',
    registers: [this.registry],
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'promoter_' });
  }

  /** Counts what one pass did. */
  recordPass(r: PromotionResult, drift: boolean): void {
    for (const a of r.applied ?? []) this.actions.inc({ kind: a.kind, result: a.result });
    if (r.totals?.bytesUploaded) this.bytesCopied.inc({ artifact: 'image' }, r.totals.bytesUploaded);
    if (r.fileTotals?.bytesUploaded) this.bytesCopied.inc({ artifact: 'file' }, r.fileTotals.bytesUploaded);
    for (const [host, s] of Object.entries(r.requests))
      for (const [status, n] of Object.entries(s.byStatus)) this.requests.inc({ host, status }, n);
    if (drift && r.plan) {
      this.drift.reset();
      const per = new Map<string, number>();
      for (const d of r.plan.unchanged.keys()) per.set(d, 0);
      for (const a of r.plan.actions) if (a.outcome === 'apply') per.set(a.dest, (per.get(a.dest) ?? 0) + 1);
      for (const [mirror, n] of per) this.drift.set({ mirror }, n);
    }
  }
}
