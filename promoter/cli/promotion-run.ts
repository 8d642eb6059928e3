/** Runs `promoter plan` and `promoter promote` (loaded only when those commands run). */
import { join, relative, resolve, sep } from 'node:path';
import { GitTree } from '../adapters/git/git-tree.js';
import { defaultHashCachePath, FileHashCache } from '../adapters/objectstore/hash-cache.js';
import { FsTree } from '../adapters/tree/fs-tree.js';
import { defaultBlobLocationsPath, FileBlobLocations } from '../copy/blob-locations.js';
import type { Finding } from '../domain/finding.js';
import { hasChanges } from '../domain/plan.js';
import { requireDirectory } from '../manifest/validate.js';
import { createLogger } from '../observability/logger.js';
import { type PromotionResult, runPromotion } from '../pipeline/promotion.js';
import { paletteFor, wantsColour } from '../report/colour.js';
import { formatText } from '../report/findings-format.js';
import { formatPlanMarkdown, formatPlanText, planJson } from '../report/plan-format.js';
import { LogProgress, type Progress, TtyProgress } from '../report/progress.js';
import { formatPromoteText, promoteJson } from '../report/promote-format.js';
import { EXIT_FAILED, EXIT_OK } from './exit-codes.js';

/** Flags of `plan`. */
export interface PlanFlags {
  since?: string;
  format: 'text' | 'json' | 'markdown';
  detailedExitcode?: boolean;
}

/** Flags of `promote`. */
export interface PromoteFlags {
  since?: string;
  confirm?: boolean;
  format: 'text' | 'json';
}

function displayPaths(findings: Finding[], dir: string): Finding[] {
  return findings.map((f) =>
    f.file ? { ...f, file: relative(process.cwd(), join(dir, f.file)).split(sep).join('/') } : f,
  );
}

async function promotion(
  dir: string,
  since: string | undefined,
  apply: boolean,
  progress?: Progress,
): Promise<PromotionResult> {
  await requireDirectory(dir);
  const sinceTree = since === undefined ? undefined : await GitTree.open(dir, since);
  const locations = FileBlobLocations.load(defaultBlobLocationsPath());
  const hashes = FileHashCache.load(defaultHashCachePath());
  try {
    const r = await runPromotion({
      dir: resolve(dir),
      head: new FsTree(dir),
      apply,
      ...(sinceTree ? { since: sinceTree } : {}),
      locations,
      hashes,
      ...(progress ? { progress } : {}),
    });
    // Caches that cannot be written are only missed shortcuts.
    await locations.save().catch(() => undefined);
    await hashes.save().catch(() => undefined);
    return { ...r, findings: displayPaths(r.findings, dir) };
  } finally {
    progress?.stop();
    await sinceTree?.close();
  }
}

/** `promoter plan`: prints what promotion would do; returns the exit code. */
export async function runPlan(dir: string, flags: PlanFlags): Promise<number> {
  const r = await promotion(dir, flags.since, false);
  const out = process.stdout;
  if (r.stoppedAt === 'validate') {
    out.write(
      flags.format === 'json'
        ? `${JSON.stringify({ changes: false, stoppedAt: 'validate', findings: r.findings }, null, 2)}\n`
        : formatText(r.findings, { filesRead: 0, elapsedMs: r.elapsedMs }, paletteFor(wantsColour(out))),
    );
    return EXIT_FAILED;
  }
  const view = { plan: r.plan!, estimate: r.estimate!, findings: r.findings };
  if (flags.format === 'json')
    out.write(`${JSON.stringify({ ...planJson(view), requests: r.requests }, null, 2)}\n`);
  else if (flags.format === 'markdown') out.write(formatPlanMarkdown(view));
  else out.write(formatPlanText(view, paletteFor(wantsColour(out))));
  if (r.findings.some((f) => f.severity === 'error')) return EXIT_FAILED;
  return flags.detailedExitcode && hasChanges(r.plan!) ? 2 : EXIT_OK;
}

/** `promoter promote`: a dry run unless `--confirm`; returns the exit code. */
export async function runPromote(dir: string, flags: PromoteFlags): Promise<number> {
  const out = process.stdout;
  const colour = paletteFor(wantsColour(out));
  const progress = flags.confirm
    ? process.stderr.isTTY
      ? new TtyProgress(process.stderr)
      : new LogProgress(createLogger())
    : undefined;
  const r = await promotion(dir, flags.since, flags.confirm === true, progress);
  if (flags.format === 'json') {
    out.write(`${JSON.stringify({ dryRun: !flags.confirm, ...promoteJson(r) }, null, 2)}\n`);
  } else if (r.stoppedAt === 'validate') {
    out.write(formatText(r.findings, { filesRead: 0, elapsedMs: r.elapsedMs }, colour));
  } else {
    out.write(
      formatPlanText(
        { plan: r.plan!, estimate: r.estimate!, findings: flags.confirm ? [] : r.findings },
        colour,
      ),
    );
    if (flags.confirm) out.write(formatPromoteText(r, colour));
    else out.write('dry run: nothing was changed; run with --confirm to promote\n');
  }
  return r.findings.some((f) => f.severity === 'error') ? EXIT_FAILED : EXIT_OK;
}
