/**
 * One promotion, in named phases: load → validate → observe → plan → apply (with verification) → report.
 * Images and files go through the same phases, one plan and one apply. A dry run stops after plan.
 * Invalid manifests stop the run before anything is read or written. The same function serves `plan`,
 * `promote` and the daemon.
 */
import type { Transport } from '../adapters/http/transport.js';
import type { HostStats } from '../adapters/http/request-stats.js';
import type { ResilientOptions } from '../adapters/http/resilient-transport.js';
import type { HashCache } from '../adapters/objectstore/hash-cache.js';
import { type AppliedAction, applyActions, type ProgressSink } from '../apply/apply-plan.js';
import type { BlobLocations } from '../copy/blob-locations.js';
import { CopySession, type SessionTotals } from '../copy/copy-session.js';
import { FileCopier, type FileTotals } from '../copy/file-copier.js';
import type { Digest } from '../domain/digest.js';
import { type Finding, hasErrors } from '../domain/finding.js';
import type { ManifestSet } from '../domain/manifest-model.js';
import type { Plan } from '../domain/plan.js';
import { loadManifests } from '../manifest/load.js';
import type { TreeReader } from '../manifest/tree.js';
import { checkManifestSet } from '../manifest/validate.js';
import { observeFiles } from '../observe/observe-files.js';
import { observeImages } from '../observe/observe-images.js';
import { guardDeletions, mergeCandidates } from '../plan/deletion-guard.js';
import { desiredFiles } from '../plan/desired-files.js';
import { desiredImages } from '../plan/desired-images.js';
import { estimatePlan, type GraphSize, type PlanEstimate } from '../plan/estimate.js';
import { fileDeletionCandidates, fileRemovals } from '../plan/plan-file-deletions.js';
import { planFiles } from '../plan/plan-files.js';
import { imageDeletionCandidates, imageRemovals } from '../plan/plan-deletions.js';
import { planImages } from '../plan/plan-images.js';
import { changedFiles, changedImages } from '../plan/incremental.js';
import { filestoresFindings, mergeUnchanged, outcomeFindings } from './findings.js';
import { buildFilestores } from './filestores.js';
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
  /**
   * Only what changed since `since`: destination repositories whose wanted digests or tags differ, files
   * whose sha256 or source differ (the daemon's commit passes). Everything else is neither read nor planned.
   */
  incremental?: boolean;
  /** Run the plan (false: a dry run that stops after planning, and hashes sources it would copy). */
  apply: boolean;
  env?: NodeJS.ProcessEnv;
  transport?: Transport;
  retry?: Omit<ResilientOptions, 'limitsFor'>;
  locations?: BlobLocations;
  /** Known sha256 values of local files, kept between runs by the caller. */
  hashes?: HashCache;
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
  fileTotals: FileTotals | undefined;
  requests: Record<string, HostStats>;
  elapsedMs: number;
  /** The manifests as loaded (for callers that report on them). */
  manifests?: ManifestSet;
}

/** Runs a promotion. */
export async function runPromotion(input: PromotionInput): Promise<PromotionResult> {
  const started = performance.now();
  const loaded = await loadManifests(input.head);
  const findings = [...loaded.findings, ...checkManifestSet(loaded.set)];
  const done = (r: Omit<PromotionResult, 'findings' | 'elapsedMs' | 'manifests'>): PromotionResult => ({
    ...r,
    findings,
    elapsedMs: performance.now() - started,
    manifests: loaded.set,
  });
  if (hasErrors(findings)) {
    return done({
      stoppedAt: 'validate',
      plan: undefined,
      estimate: undefined,
      applied: undefined,
      totals: undefined,
      fileTotals: undefined,
      requests: {},
    });
  }
  const config = loaded.set.config;
  const env = input.env ?? process.env;
  const since = input.since ? (await loadManifests(input.since, { allowEmpty: true })).set : undefined;
  const incremental = input.incremental === true && since !== undefined;
  const desired = incremental
    ? changedImages(desiredImages(loaded.set), desiredImages(since))
    : desiredImages(loaded.set);
  const wantedFiles = incremental
    ? changedFiles(desiredFiles(loaded.set), desiredFiles(since))
    : desiredFiles(loaded.set);
  const removals = since ? imageRemovals(since, loaded.set) : [];
  const fileRemoved = since ? fileRemovals(since, loaded.set) : [];
  const { resolver, locate } = buildStores(config, {
    dir: input.dir,
    env,
    ...(input.transport ? { transport: input.transport } : {}),
    ...(input.retry ? { retry: input.retry } : {}),
  });
  const bases = new Set([
    ...wantedFiles.keys(),
    ...[...wantedFiles.values()].flatMap((d) => [...d.files.values()].map((f) => f.source)),
    ...fileRemoved.map((r) => r.dest),
  ]);
  const filestores = await buildFilestores(config, bases, {
    dir: input.dir,
    env,
    stats: resolver.stats,
    ...(input.retry ? { retry: input.retry } : {}),
    ...(input.hashes ? { hashes: input.hashes } : {}),
  });
  const locateFiles = (base: string) => filestores.locate(base);
  try {
    // observe → plan
    const obs = await observeImages(desired, removals, locate, { concurrency: config.promotion.concurrency });
    const fobs = await observeFiles(wantedFiles, fileRemoved, locateFiles, {
      concurrency: config.promotion.concurrency,
      verifySources: !input.apply,
    });
    const images = planImages({
      desired,
      destinations: obs.destinations,
      sources: obs.sources,
      policy: config.policy,
    });
    const files = planFiles({
      desired: wantedFiles,
      destinations: fobs.destinations,
      sources: fobs.sources,
      policy: config.policy,
    });
    const deletions = guardDeletions(
      mergeCandidates(
        imageDeletionCandidates({
          removals,
          destinations: obs.destinations,
          protectedDigests: obs.protectedDigests,
          policy: config.policy,
        }),
        fileDeletionCandidates(fileRemoved, fobs.destinations),
      ),
      config.policy,
    );
    const plan: Plan = {
      actions: [...images.actions, ...files.actions, ...deletions.actions],
      findings: [...images.findings, ...files.findings, ...deletions.findings],
      unchanged: mergeUnchanged(images.unchanged, files.unchanged),
    };
    findings.push(...plan.findings, ...filestoresFindings(fobs.hashed, wantedFiles));

    const session = new CopySession({
      blobConcurrency: config.promotion.blobConcurrency,
      ...(input.locations ? { locations: input.locations } : {}),
      ...(input.progress?.uploaded ? { onUploaded: input.progress.uploaded.bind(input.progress) } : {}),
      ...(input.retry?.sleep ? { sleep: input.retry.sleep } : {}),
    });
    const copier = new FileCopier({
      ...(input.progress?.uploaded ? { onUploaded: input.progress.uploaded.bind(input.progress) } : {}),
      ...(input.retry?.sleep ? { sleep: input.retry.sleep } : {}),
      ...(input.retry?.policy ? { retry: input.retry.policy } : {}),
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
    const storeOf = (path: string) => {
      if (!path.includes('://')) return locate(path).store.description;
      try {
        return locateFiles(path).store.description;
      } catch {
        return path;
      }
    };
    const estimate = estimatePlan(plan.actions, storeOf, (s, d: Digest) => graphs.get(`${s}@${d}`));
    const result = (stoppedAt: Phase, applied: AppliedAction[] | undefined) =>
      done({
        stoppedAt,
        plan,
        estimate,
        applied,
        totals: session.totals,
        fileTotals: copier.totals,
        requests: resolver.stats.snapshot(),
      });
    if (!input.apply) return result('plan', undefined);

    // apply (with verification)
    input.progress?.start?.(plan.actions.filter((a) => a.outcome === 'apply').length, estimate.totalBytes);
    const applied = await applyActions(plan.actions, {
      locate,
      session,
      concurrency: config.promotion.concurrency,
      files: { locate: locateFiles, copier },
      ...(input.progress ? { progress: input.progress } : {}),
    });
    findings.push(...outcomeFindings(applied));
    return result('apply', applied);
  } finally {
    await resolver.close();
    await filestores.close();
  }
}
