/**
 * The policy guard over deletions, images and files together: nothing is deleted unless
 * `policy.deletions.allowed`, and when the removed manifest entries behind the deletions number more than
 * `maxDeletes`, none of them run (a mass removal is more likely a mistake than a wish). Pure.
 */
import { type Finding, finding, type SourcePos } from '../domain/finding.js';
import type { Policy } from '../domain/manifest-model.js';
import type { PlannedAction } from '../domain/plan.js';

/** Deletions a removal would make, before the guard, and the manifest entries (units) they stand for. */
export interface DeletionCandidates {
  actions: PlannedAction[];
  findings: Finding[];
  /** Removed entry → where it was written; `maxDeletes` counts these, however many mirrors hold them. */
  units: Map<string, { pos: SourcePos }>;
}

/** Merges candidates of several planners so one guard counts them all. */
export function mergeCandidates(...parts: DeletionCandidates[]): DeletionCandidates {
  return {
    actions: parts.flatMap((p) => p.actions),
    findings: parts.flatMap((p) => p.findings),
    units: new Map(parts.flatMap((p) => [...p.units])),
  };
}

/** Applies the policy: refuses every deletion when not allowed, or all of them over the limit. */
export function guardDeletions(
  c: DeletionCandidates,
  policy: Policy,
): { actions: PlannedAction[]; findings: Finding[] } {
  const { actions, units } = c;
  const findings = [...c.findings];
  const { allowed, maxDeletes } = policy.deletions;
  const deleting = actions.filter((a) => a.outcome === 'apply');
  const first = [...units.values()][0];
  if (deleting.length > 0 && !allowed) {
    for (const a of deleting) Object.assign(a, { outcome: 'refused', reason: 'deletions-not-allowed' });
    findings.push(
      finding(
        'delete-refused',
        first!.pos,
        `${units.size} removed entries are still on mirrors (${deleting.length} deletions): deletions are not allowed by policy`,
      ),
    );
  } else if (units.size > maxDeletes) {
    for (const a of deleting) Object.assign(a, { outcome: 'refused', reason: 'delete-limit' });
    findings.push(
      finding(
        'delete-limit-exceeded',
        first!.pos,
        `${units.size} removed entries exceed policy.deletions.maxDeletes (${maxDeletes}): none of their ${deleting.length} deletions will run`,
      ),
    );
  }
  return { actions, findings };
}
