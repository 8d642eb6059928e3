/**
 * One promotion, in named phases: load → validate → observe → plan → apply (with verification) → report.
 * A dry run stops after plan. Invalid manifests stop the run before anything is read or written. The same
 * function serves `plan`, `promote` and the daemon.
 */
import type { Transport } from '../adapters/http/transport.js';
import type { HostStats } from '../adapters/http/request-stats.js';
import type { ResilientOptions } from '../adapters/http/resilient-transport.js';
import { type AppliedAction, applyActions, type ProgressSink } from '../apply/apply-plan.js';
import type { BlobLocations } from '../copy/blob-locations.js';
import { CopySession, type SessionTotals } from '../copy/copy-session.js';
import type { Digest } from '../domain/digest.js';
import { type Finding, finding, hasErrors } from '../domain/finding.js';
import type { Plan } from '../domain/plan.js';
import { loadManifests } from '../manifest/load.js';
import type { TreeReader } from '../manifest/tree.js';
import { checkManifestSet } from '../manifest/validate.js';
import { observeImages } from '../observe/observe-images.js';
import { desiredImages } from '../plan/desired-images.js';
import { estimatePlan, type GraphSize, type PlanEstimate } from '../plan/estimate.js';
import { imageRemovals, planDeletions } from '../plan/plan-deletions.js';
import { planImages } from '../plan/plan-images.js';
import { graphSize } from './graph-size.js';
import { buildStores } from './stores.js';

/** What a promotion is asked to do. */
export interface PromotionInput {
  /** The manifest repository's directory. */
  dir: string;
  /** The manifests to promote (usually the directory itself; a git revision in the daemon). */
  head: TreeReader;
  /** The last applied revision, for guarded deletion. */
  since?: TreeReader;
  /** Run the plan (false: a dry run that stops after planning). */
  apply: boolean;
  env?: NodeJS.ProcessEnv;
  transport?: Transport;
  retry?: Omit<ResilientOptions, 'limitsFor'>;
  locations?: BlobLocations;
  progress?: ProgressSink & { start?(actions: number, bytes: number): void; uploaded?(bytes: number): void };
}

/** Where a run stopped. */
export type Phase = 'validate' | 'plan' | 'apply';

/** What a promotion found and did. */
export interface PromotionResult {
  stoppedAt: Phase;
  findings: Finding[];
  plan: Plan | undefined;
  estimate: PlanEstimate | undefined;
  applied: AppliedAction[] | undefined;
  totals: SessionTotals | undefined;
  requests: Record<string, HostStats>;
  elapsedMs: number;
}

/** Runs a promotion. */
export async function runPromotion(input: PromotionInput): Promise<PromotionResult> {
  const started = performance.now();
  const loaded = await loadManifests(input.head);
  const findings = [...loaded.findings, ...checkManifestSet(loaded.set)];
  const done = (r: Omit<PromotionResult, 'findings' | 'elapsedMs'>): PromotionResult => ({
    ...r,
    findings,
    elapsedMs: performance.now() - started,
  });
  if (hasErrors(findings)) {
    return done({
      stoppedAt: 'validate',
      plan: undefined,
      estimate: undefined,
      applied: undefined,
      totals: undefined,
      requests: {},
    });
  }
  const config = loaded.set.config;
  const desired = desiredImages(loaded.set);
  const removals = input.since
    ? imageRemovals((await loadManifests(input.since, { allowEmpty: true })).set, loaded.set)
    : [];
  const { resolver, locate } = buildStores(config, {
    dir: input.dir,
    env: input.env ?? process.env,
    ...(input.transport ? { transport: input.transport } : {}),
    ...(input.retry ? { retry: input.retry } : {}),
  });
  try {
    // observe → plan
    const obs = await observeImages(desired, removals, locate, { concurrency: config.promotion.concurrency });
    const images = planImages({
      desired,
      destinations: obs.destinations,
      sources: obs.sources,
      policy: config.policy,
    });
    const deletions = planDeletions({
      removals,
      destinations: obs.destinations,
      protectedDigests: obs.protectedDigests,
      policy: config.policy,
    });
    const plan: Plan = {
      actions: [...images.actions, ...deletions.actions],
      findings: [...images.findings, ...deletions.findings],
      unchanged: images.unchanged,
    };
    findings.push(...plan.findings);

    const session = new CopySession({
      blobConcurrency: config.promotion.blobConcurrency,
      ...(input.locations ? { locations: input.locations } : {}),
      ...(input.progress?.uploaded ? { onUploaded: input.progress.uploaded.bind(input.progress) } : {}),
      ...(input.retry?.sleep ? { sleep: input.retry.sleep } : {}),
    });
    const graphs = new Map<string, GraphSize>();
    for (const a of plan.actions) {
      if (a.kind !== 'copy' || a.outcome !== 'apply' || graphs.has(`${a.source}@${a.digest}`)) continue;
      try {
        graphs.set(`${a.source}@${a.digest}`, await graphSize(session, locate(a.source!), a.digest));
      } catch {
        // Unsized: the copy itself will report why the source cannot be read.
      }
    }
    const estimate = estimatePlan(
      plan.actions,
      (p) => locate(p).store.description,
      (s, d: Digest) => graphs.get(`${s}@${d}`),
    );
    if (!input.apply)
      return done({
        stoppedAt: 'plan',
        plan,
        estimate,
        applied: undefined,
        totals: session.totals,
        requests: resolver.stats.snapshot(),
      });

    // apply (with verification)
    input.progress?.start?.(plan.actions.filter((a) => a.outcome === 'apply').length, estimate.totalBytes);
    const applied = await applyActions(plan.actions, {
      locate,
      session,
      concurrency: config.promotion.concurrency,
      ...(input.progress ? { progress: input.progress } : {}),
    });
    for (const a of applied.filter((x) => x.result === 'failed')) {
      const where = `${a.dest}${a.tag ? `:${a.tag}` : `@${a.digest}`}`;
      findings.push(
        finding(
          'action-failed',
          a.pos ?? { file: '', line: 1, column: 1, path: '' },
          `${a.kind} ${where} failed: ${a.error ?? 'unknown error'}`,
        ),
      );
    }
    return done({
      stoppedAt: 'apply',
      plan,
      estimate,
      applied,
      totals: session.totals,
      requests: resolver.stats.snapshot(),
    });
  } finally {
    await resolver.close();
  }
}
