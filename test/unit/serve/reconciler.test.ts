/** The reconcile loop against an in-memory source and promotion: coalescing, outcomes, retries, restarts. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { AppliedAction } from '../../../promoter/apply/apply-plan.js';
import { type Finding, finding } from '../../../promoter/domain/finding.js';
import type { TreeReader } from '../../../promoter/manifest/tree.js';
import { silentLogger } from '../../../promoter/observability/logger.js';
import type { PromotionInput, PromotionResult } from '../../../promoter/pipeline/promotion.js';
import type { ClosableTree, ManifestSource } from '../../../promoter/serve/manifest-source.js';
import { DaemonMetrics } from '../../../promoter/serve/metrics.js';
import { Reconciler } from '../../../promoter/serve/reconciler.js';
import { StateFile } from '../../../promoter/serve/state-file.js';
import { tempDir } from '../../helpers/temp.js';

const tmp = tempDir('promoter-reconciler-');
afterAll(() => tmp.cleanup());
let dirs = 0;

/** A source whose revision the test sets; trees are markers naming their revision. */
class FakeSource implements ManifestSource {
  readonly description = 'fake://manifests';
  readonly dir = '/nonexistent';
  revision = 'r1';
  fail: string | undefined;
  appliedRevisions: string[] = [];
  async sync(): Promise<string> {
    if (this.fail) throw new Error(this.fail);
    return this.revision;
  }
  async head(revision: string): Promise<ClosableTree> {
    return { description: `head ${revision}` } as unknown as TreeReader;
  }
  async treeAt(revision: string): Promise<ClosableTree | undefined> {
    return { description: `tree ${revision}` } as unknown as TreeReader;
  }
  async applied(revision: string): Promise<void> {
    this.appliedRevisions.push(revision);
  }
}

const action = (result: AppliedAction['result']): AppliedAction => ({
  kind: 'copy',
  outcome: 'apply',
  reason: 'missing',
  role: 'image',
  dest: 'mirror.example.com/app',
  digest: `sha256:${'1'.repeat(64)}`,
  result,
  ...(result === 'failed' ? { error: 'upload: 503' } : {}),
});

function result(kind: 'ok' | 'partial' | 'invalid'): PromotionResult {
  const findings: Finding[] =
    kind === 'invalid'
      ? [
          finding(
            'digest-invalid',
            { file: 'images.yaml', line: 3, column: 5, path: '/0/dmap' },
            'not a digest',
          ),
        ]
      : [];
  return {
    stoppedAt: kind === 'invalid' ? 'validate' : 'apply',
    findings,
    plan:
      kind === 'invalid'
        ? undefined
        : {
            actions: [action('done')],
            findings: [],
            unchanged: new Map([['mirror.example.com/app', { digests: 0, tags: 0, files: 0 }]]),
          },
    estimate: undefined,
    applied: kind === 'invalid' ? undefined : [action(kind === 'ok' ? 'done' : 'failed')],
    totals: undefined,
    fileTotals: undefined,
    requests: {},
    elapsedMs: 1,
  };
}

interface Harness {
  source: FakeSource;
  calls: { since?: string; incremental?: boolean }[];
  next: (kind: 'ok' | 'partial' | 'invalid') => void;
  gate?: Promise<void>;
  reconciler: Reconciler;
  metrics: DaemonMetrics;
  state: StateFile;
}

function harness(opts: { stateDir?: string; source?: FakeSource; retryBaseMs?: number } = {}): Harness {
  const stateDir = opts.stateDir ?? join(tmp.dir, `s${++dirs}`);
  const source = opts.source ?? new FakeSource();
  const metrics = new DaemonMetrics({ processMetrics: false });
  const state = new StateFile(join(stateDir, 'state.json'));
  let kind: 'ok' | 'partial' | 'invalid' = 'ok';
  const h: Harness = {
    source,
    calls: [],
    next: (k) => {
      kind = k;
    },
    metrics,
    state,
    reconciler: undefined as unknown as Reconciler,
  };
  h.reconciler = new Reconciler({
    source,
    state,
    metrics,
    log: silentLogger(),
    intervalMs: 3_600_000,
    driftIntervalMs: 3_600_000,
    retryBaseMs: opts.retryBaseMs ?? 3_600_000,
    promote: async (input: PromotionInput) => {
      h.calls.push(
        input.since
          ? {
              since: (input.since as unknown as { description: string }).description,
              incremental: input.incremental === true,
            }
          : {},
      );
      input.progress?.start?.(1, 100);
      input.progress?.uploaded?.(40);
      await h.gate;
      input.progress?.actionDone(action('done'));
      return result(kind);
    },
  });
  return h;
}

const lastPass = (r: Reconciler) =>
  r.status().lastPass as { outcome: string; reason: string; errors: unknown[] };

describe('Reconciler', () => {
  it('applies a new revision, persists it, and does nothing more for the same revision', async () => {
    const h = harness();
    h.reconciler.trigger('start');
    await h.reconciler.idle();
    expect(lastPass(h.reconciler).outcome).toBe('applied');
    expect(h.reconciler.ready).toBe(true);
    expect(h.source.appliedRevisions).toEqual(['r1']);
    expect(h.state.load('fake://manifests')).toMatchObject({
      applied: { revision: 'r1' },
      attempted: { revision: 'r1', outcome: 'applied' },
    });
    h.reconciler.trigger('poll');
    h.reconciler.trigger('webhook');
    await h.reconciler.idle();
    expect(h.calls).toHaveLength(1);
    expect(lastPass(h.reconciler).outcome).toBe('up-to-date');
    // A new commit runs, with guarded deletion since the applied one.
    h.source.revision = 'r2';
    h.reconciler.trigger('webhook');
    await h.reconciler.idle();
    expect(h.calls).toEqual([{}, { since: 'tree r1', incremental: true }]);
    const metrics = await h.metrics.registry.getSingleMetricAsString('promoter_reconcile_total');
    expect(metrics).toContain('promoter_reconcile_total{outcome="applied",reason="start"} 1');
    expect(metrics).toContain('promoter_reconcile_total{outcome="applied",reason="webhook"} 1');
    await h.reconciler.stop(1000);
  });

  it('coalesces triggers that arrive during a pass into one follow-up pass', async () => {
    const h = harness();
    let open!: () => void;
    h.gate = new Promise((r) => (open = r));
    h.reconciler.trigger('start');
    await new Promise((r) => setTimeout(r, 10));
    expect(h.reconciler.status()).toMatchObject({
      running: true,
      current: {
        reason: 'start',
        revision: 'r1',
        actions: { done: 0, failed: 0, total: 1 },
        bytes: { uploaded: 40, planned: 100 },
      },
    });
    h.source.revision = 'r2';
    for (let i = 0; i < 5; i++) h.reconciler.trigger('webhook');
    h.reconciler.trigger('poll');
    open();
    await h.reconciler.idle();
    expect(h.calls).toHaveLength(2);
    expect(h.state.load('fake://manifests').applied?.revision).toBe('r2');
    expect(h.reconciler.status().current).toBeUndefined();
    await h.reconciler.stop(1000);
  });

  it('reports invalid manifests as stalled, does not retry them, and applies the next commit', async () => {
    const h = harness({ retryBaseMs: 10 });
    h.reconciler.trigger('start');
    await h.reconciler.idle();
    h.source.revision = 'bad';
    h.next('invalid');
    h.reconciler.trigger('webhook');
    await h.reconciler.idle();
    expect(lastPass(h.reconciler)).toMatchObject({
      outcome: 'stalled',
      errors: [{ code: 'digest-invalid', file: 'images.yaml', line: 3 }],
    });
    await new Promise((r) => setTimeout(r, 50));
    h.reconciler.trigger('poll');
    await h.reconciler.idle();
    expect(h.calls).toHaveLength(2);
    expect(lastPass(h.reconciler).outcome).toBe('stalled');
    expect(h.state.load('fake://manifests').applied?.revision).toBe('r1');
    h.source.revision = 'fixed';
    h.next('ok');
    h.reconciler.trigger('poll');
    await h.reconciler.idle();
    expect(h.calls[2]).toEqual({ since: 'tree r1', incremental: true });
    expect(h.state.load('fake://manifests').applied?.revision).toBe('fixed');
    await h.reconciler.stop(1000);
  });

  it('retries a partial pass with backoff, keeping the last full revision as the deletion base', async () => {
    const h = harness({ retryBaseMs: 20 });
    h.reconciler.trigger('start');
    await h.reconciler.idle();
    h.source.revision = 'r2';
    h.next('partial');
    h.reconciler.trigger('webhook');
    await h.reconciler.idle();
    expect(lastPass(h.reconciler).outcome).toBe('partial');
    expect(h.reconciler.status().consecutiveFailures).toBe(1);
    expect(h.state.load('fake://manifests').applied?.revision).toBe('r1');
    // A poll of the same revision waits for the retry rather than running at once.
    h.reconciler.trigger('poll');
    await h.reconciler.idle();
    expect(h.calls).toHaveLength(2);
    h.next('ok');
    const deadline = Date.now() + 5000;
    while (h.calls.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await h.reconciler.idle();
    expect(h.calls[2]).toEqual({ since: 'tree r1', incremental: true });
    expect(lastPass(h.reconciler)).toMatchObject({ outcome: 'applied', reason: 'retry' });
    expect(h.reconciler.status().consecutiveFailures).toBe(0);
    await h.reconciler.stop(1000);
  });

  it('resumes after a restart without a pass, and re-runs a pass a crash interrupted', async () => {
    const stateDir = join(tmp.dir, 'restart');
    const first = harness({ stateDir });
    first.reconciler.trigger('start');
    await first.reconciler.idle();
    await first.reconciler.stop(1000);
    const second = harness({ stateDir });
    second.reconciler.start();
    await second.reconciler.idle();
    expect(second.calls).toHaveLength(0);
    expect(lastPass(second.reconciler).outcome).toBe('up-to-date');
    await second.reconciler.stop(1000);
    // A process killed mid-pass leaves the attempt marked running: the next start runs it again.
    await first.state.save({
      ...first.state.load('fake://manifests'),
      attempted: { revision: 'r1', at: new Date().toISOString(), outcome: 'running' },
    });
    const third = harness({ stateDir });
    third.reconciler.start();
    await third.reconciler.idle();
    expect(third.calls).toEqual([{ since: 'tree r1', incremental: true }]);
    await third.reconciler.stop(1000);
  });

  it('reports a fetch failure, stays unready, and retries', async () => {
    const source = new FakeSource();
    source.fail = 'git fetch failed: connection refused';
    const h = harness({ source, retryBaseMs: 20 });
    h.reconciler.trigger('start');
    await h.reconciler.idle();
    expect(h.reconciler.ready).toBe(false);
    expect(lastPass(h.reconciler).outcome).toBe('fetch-failed');
    expect(h.reconciler.status().lastFetch).toMatchObject({ error: 'git fetch failed: connection refused' });
    source.fail = undefined;
    const deadline = Date.now() + 5000;
    while (h.calls.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await h.reconciler.idle();
    expect(h.reconciler.ready).toBe(true);
    expect(lastPass(h.reconciler).outcome).toBe('applied');
    await h.reconciler.stop(1000);
  });

  it('forgets a failed fetch once a later poll finds the revision settled', async () => {
    const h = harness({ retryBaseMs: 50 });
    h.reconciler.trigger('start');
    await h.reconciler.idle();
    h.source.fail = 'unreachable';
    h.reconciler.trigger('poll');
    await h.reconciler.idle();
    expect(h.reconciler.status().consecutiveFailures).toBe(1);
    h.source.fail = undefined;
    h.reconciler.trigger('poll');
    await h.reconciler.idle();
    expect(lastPass(h.reconciler).outcome).toBe('up-to-date');
    expect(h.reconciler.status().consecutiveFailures).toBe(0);
    // The retry that the failure scheduled is cancelled: no pass runs.
    await new Promise((r) => setTimeout(r, 150));
    await h.reconciler.idle();
    expect(h.calls).toHaveLength(1);
    await h.reconciler.stop(1000);
  });

  it('makes commit passes incremental and drift passes full', async () => {
    const h = harness();
    h.reconciler.trigger('start');
    await h.reconciler.idle();
    h.reconciler.trigger('drift');
    await h.reconciler.idle();
    expect(h.calls).toEqual([{}, { since: 'tree r1', incremental: false }]);
    expect((h.reconciler.status().lastPass as { full: boolean }).full).toBe(true);
    const drift = await h.metrics.registry.getSingleMetricAsString('promoter_mirror_drift');
    expect(drift).toContain('promoter_mirror_drift{mirror="mirror.example.com/app"} 1');
    await h.reconciler.stop(1000);
  });

  it('stops taking work on stop, and gives up waiting at the deadline', async () => {
    const h = harness();
    let open!: () => void;
    h.gate = new Promise((r) => (open = r));
    h.reconciler.trigger('start');
    await new Promise((r) => setTimeout(r, 10));
    expect(await h.reconciler.stop(30)).toBe(false);
    h.reconciler.trigger('webhook');
    open();
    await h.reconciler.idle();
    expect(h.calls).toHaveLength(1);
  });
});
