/**
 * A promotion plan: typed actions, each with the reason it was decided. What the planner computes and the
 * applier executes; what `plan` prints, a pull-request comment shows, and the daemon reports.
 */
import type { Digest } from './digest.js';
import type { Finding, SourcePos } from './finding.js';

/** What an artifact is to the image it travels with. */
export type ArtifactRole = 'image' | 'signature' | 'attestation' | 'sbom' | 'referrers-index' | 'referrer';

/** What an action does to a destination repository. */
export type ActionKind = 'copy' | 'tag' | 'delete-manifest' | 'delete-tag';

/** Whether the action will run. */
export type Outcome = 'apply' | 'refused' | 'skipped';

/** Why the planner decided as it did. */
export type Reason =
  | 'missing'
  | 'tag-missing'
  | 'tag-move-allowed'
  | 'artifact-updated'
  | 'removed'
  | 'tag-move-refused'
  | 'conflicting-edges'
  | 'source-missing'
  | 'source-unreadable'
  | 'destination-unreadable'
  | 'deletions-not-allowed'
  | 'delete-limit'
  | 'mirror-changed';

/** One planned action on one destination repository. */
export interface PlannedAction {
  kind: ActionKind;
  outcome: Outcome;
  reason: Reason;
  /** The destination repository path (`registry-name/image` as manifests write it). */
  dest: string;
  /** The source repository path, for copies and tags. */
  source?: string;
  digest: Digest;
  tag?: string;
  role: ArtifactRole;
  /** Extra facts for people: the digest a tag holds now, the error that made a store unreadable. */
  detail?: string;
  /** The manifest entry that asked for it (for annotations and failure reports). */
  pos?: SourcePos;
}

/** What a destination repository already holds of what the manifests want. */
export interface Unchanged {
  digests: number;
  tags: number;
}

/** A plan. */
export interface Plan {
  actions: PlannedAction[];
  /** Problems met while planning (source missing, tag move refused, unreadable stores, delete limit). */
  findings: Finding[];
  /** Per destination repository, what is already as wanted. */
  unchanged: Map<string, Unchanged>;
}

/** True when running the plan would change something. */
export function hasChanges(plan: Plan): boolean {
  return plan.actions.some((a) => a.outcome === 'apply');
}

/** Counts actions by `kind outcome`. */
export function countActions(actions: readonly PlannedAction[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of actions) out[`${a.kind} ${a.outcome}`] = (out[`${a.kind} ${a.outcome}`] ?? 0) + 1;
  return out;
}
