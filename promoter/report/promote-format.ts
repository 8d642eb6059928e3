/** Renders what a promotion did: actions by result, bytes, requests per host and status, failures. */
import type { HostStats } from '../adapters/http/request-stats.js';
import type { AppliedAction } from '../apply/apply-plan.js';
import type { PromotionResult } from '../pipeline/promotion.js';
import type { Palette } from './colour.js';
import { formatBytes } from './copy-format.js';

/** Counts applied actions by `kind result`. */
export function countResults(actions: readonly AppliedAction[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of actions) {
    if (a.outcome !== 'apply') continue;
    out[`${a.kind} ${a.result}`] = (out[`${a.kind} ${a.result}`] ?? 0) + 1;
  }
  return out;
}

function hostLine(host: string, h: HostStats): string {
  const statuses = Object.entries(h.byStatus)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ');
  return `  ${host}: ${h.requests} requests (${statuses})`;
}

/** The text report of a promotion (after the plan, which is printed separately). */
export function formatPromoteText(r: PromotionResult, c: Palette): string {
  const lines: string[] = [];
  const applied = r.applied ?? [];
  const counts = countResults(applied);
  lines.push(
    `actions: ${
      Object.entries(counts)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ') || 'none'
    }`,
  );
  const t = r.totals;
  if (t) {
    lines.push(
      `blobs: ${formatBytes(t.bytesUploaded)} uploaded; ${t.sourceBlobsRead} read from sources (${formatBytes(t.sourceBytesRead)}) for ${t.uniqueBlobs} unique (${formatBytes(t.uniqueBlobBytes)}); ${t.retries} transfers retried`,
    );
  }
  const f = r.fileTotals;
  if (f && (f.filesCopied > 0 || f.sourceFilesRead > 0)) {
    lines.push(
      `files: ${f.filesCopied} copied (${f.serverSideCopies} server-side), ${formatBytes(f.bytesUploaded)} uploaded; ${f.sourceFilesRead} read from sources (${formatBytes(f.sourceBytesRead)}); ${f.retries} retried`,
    );
  }
  lines.push('requests:');
  for (const [host, h] of Object.entries(r.requests).sort(([a], [b]) => (a < b ? -1 : 1)))
    lines.push(hostLine(host, h));
  const failed = applied.filter((a) => a.result === 'failed');
  if (failed.length > 0) {
    lines.push(c.red('failures:'));
    for (const a of failed)
      lines.push(
        `  ${a.kind} ${a.dest}${a.file ?? (a.tag ? `:${a.tag}` : `@${a.digest.slice(0, 19)}…`)}: ${a.error}`,
      );
  }
  const errors = r.findings.filter((f) => f.severity === 'error');
  lines.push(
    errors.length
      ? c.red(`✖ ${errors.length} errors (${(r.elapsedMs / 1000).toFixed(1)} s)`)
      : c.green(`✔ promoted (${(r.elapsedMs / 1000).toFixed(1)} s)`),
  );
  return `${lines.join('\n')}\n`;
}

/** The JSON report of a promotion. */
export function promoteJson(r: PromotionResult): Record<string, unknown> {
  return {
    ok: !r.findings.some((f) => f.severity === 'error'),
    stoppedAt: r.stoppedAt,
    counts: countResults(r.applied ?? []),
    actions: r.applied ?? r.plan?.actions ?? [],
    totals: r.totals,
    fileTotals: r.fileTotals,
    requests: r.requests,
    findings: r.findings,
    elapsedMs: Math.round(r.elapsedMs),
  };
}
