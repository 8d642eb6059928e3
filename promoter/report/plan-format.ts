/** Renders a plan: text for a terminal, JSON for programs, Markdown for a pull-request comment. */
import type { Finding } from '../domain/finding.js';
import { countActions, hasChanges, type Plan, type PlannedAction } from '../domain/plan.js';
import type { PlanEstimate } from '../plan/estimate.js';
import type { Palette } from './colour.js';
import { formatBytes } from './copy-format.js';

/** What a plan report shows. */
export interface PlanView {
  plan: Plan;
  estimate: PlanEstimate;
  findings: Finding[];
}

const short = (d: string) => `${d.slice(0, 19)}…`;

function describe(a: PlannedAction): string {
  const role = a.role === 'image' ? '' : ` (${a.role})`;
  switch (a.kind) {
    case 'copy':
      return `copy ${short(a.digest)}${role} from ${a.source}`;
    case 'tag':
      return `tag ${a.tag} → ${short(a.digest)}${role}${a.detail ? ` (now ${short(a.detail)})` : ''}`;
    case 'delete-manifest':
      return `delete ${short(a.digest)} and its tags`;
    case 'delete-tag':
      return `delete tag ${a.tag} (${short(a.digest)} stays)`;
    case 'copy-file':
      return `copy ${a.file} (${short(a.digest)}${a.size !== undefined ? `, ${formatBytes(a.size)}` : ''}) from ${a.source}`;
    case 'delete-file':
      return `delete ${a.file} (${short(a.digest)})`;
  }
}

function byDest(actions: PlannedAction[]): Map<string, PlannedAction[]> {
  const out = new Map<string, PlannedAction[]>();
  for (const a of actions) out.set(a.dest, [...(out.get(a.dest) ?? []), a]);
  return new Map([...out].sort(([x], [y]) => (x < y ? -1 : 1)));
}

/** The text plan. */
export function formatPlanText(v: PlanView, c: Palette): string {
  const lines: string[] = [];
  for (const [dest, actions] of byDest(v.plan.actions)) {
    lines.push(c.bold(dest));
    for (const a of actions) {
      const mark =
        a.outcome === 'apply'
          ? a.kind.startsWith('delete')
            ? c.red('-')
            : c.green('+')
          : a.outcome === 'refused'
            ? c.red('!')
            : c.yellow('~');
      const why =
        a.outcome === 'apply'
          ? c.dim(a.reason)
          : `${a.outcome}: ${a.reason}${a.detail && (a.kind === 'copy' || a.kind === 'copy-file') ? ` (${a.detail})` : ''}`;
      lines.push(`  ${mark} ${describe(a)}  ${why}`);
    }
  }
  const counts = countActions(v.plan.actions);
  const unchanged = [...v.plan.unchanged.values()].reduce(
    (n, u) => ({ digests: n.digests + u.digests, tags: n.tags + u.tags, files: n.files + u.files }),
    { digests: 0, tags: 0, files: 0 },
  );
  const apply = v.plan.actions.filter((a) => a.outcome === 'apply').length;
  lines.push(
    `${apply} actions to apply (${
      Object.entries(counts)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ') || 'none'
    }); ` +
      `${unchanged.digests} digests, ${unchanged.tags} tags and ${unchanged.files} files already in place; up to ${formatBytes(v.estimate.totalBytes)} to upload`,
  );
  for (const f of v.findings.filter((x) => x.severity !== 'info'))
    lines.push(`${f.severity === 'error' ? c.red('error') : c.yellow('warning')} ${f.code}: ${f.message}`);
  return `${lines.join('\n')}\n`;
}

/** The JSON plan (stable field names; digests in full). */
export function planJson(v: PlanView): Record<string, unknown> {
  return {
    changes: hasChanges(v.plan),
    counts: countActions(v.plan.actions),
    actions: v.plan.actions,
    unchanged: Object.fromEntries(v.plan.unchanged),
    estimate: { totalBytes: v.estimate.totalBytes, stores: Object.fromEntries(v.estimate.stores) },
    findings: v.findings,
  };
}

/** The Markdown plan: a pull-request comment. */
export function formatPlanMarkdown(v: PlanView): string {
  const lines = ['### promoter plan', ''];
  const apply = v.plan.actions.filter((a) => a.outcome === 'apply').length;
  lines.push(
    hasChanges(v.plan)
      ? `**${apply} actions** would run when this change is promoted.`
      : 'No changes: every mirror already holds what the manifests say.',
    '',
  );
  if (v.estimate.stores.size > 0) {
    lines.push(
      '| store | copies | tags | deletes | refused | skipped | bytes to upload (at most) | requests (at most) |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const [store, e] of [...v.estimate.stores].sort(([a], [b]) => (a < b ? -1 : 1))) {
      lines.push(
        `| ${store} | ${e.copies} | ${e.tags} | ${e.deletes} | ${e.refused} | ${e.skipped} | ${formatBytes(e.bytes)} | ${e.requests} |`,
      );
    }
    lines.push('');
  }
  const problems = v.findings.filter((f) => f.severity !== 'info');
  if (problems.length > 0) {
    lines.push('**Findings**', '');
    for (const f of problems)
      lines.push(
        `- ${f.severity === 'error' ? '❌' : '⚠️'} \`${f.code}\` ${f.file ? `${f.file}:${f.line}: ` : ''}${f.message}`,
      );
    lines.push('');
  }
  for (const [dest, actions] of byDest(v.plan.actions)) {
    lines.push(`<details><summary><code>${dest}</code>: ${actions.length} actions</summary>`, '');
    for (const a of actions)
      lines.push(
        `- ${a.outcome === 'apply' ? '' : `**${a.outcome}** (${a.reason}): `}${describe(a).replace(/`/g, '')}`,
      );
    lines.push('', '</details>');
  }
  return `${lines.join('\n')}\n`;
}
