/**
 * A promotion plan: typed actions, each with the reason it was decided. What the planner computes and the
 * applier executes; what `plan` prints, a pull-request comment shows, and the daemon reports.
 */
import type { Digest } from './digest.js';
import type { Finding, SourcePos } from './finding.js';

/** What an artifact is to the image it travels with. */
export type ArtifactRole =
  'image' | 'signature' | 'attestation' | 'sbom' | 'referrers-index' | 'referrer' | 'file';

/** What an action does to a destination repository or filestore. */
export type ActionKind = 'copy' | 'tag' | 'delete-manifest' | 'delete-tag' | 'copy-file' | 'delete-file';

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
  | 'mirror-changed'
  | 'overwrite-allowed'
  | 'overwrite-refused'
  | 'source-corrupt';

/** One planned action on one destination repository or filestore. */
export interface PlannedAction {
  kind: ActionKind;
  outcome: Outcome;
  reason: Reason;
  /** The destination repository path (`registry-name/image`), or filestore base (`gs://bucket/dir/`). */
  dest: string;
  /** The source repository path or filestore base, for copies and tags. */
  source?: string;
  /** The content's digest (a file's sha256 as `sha256:<hex>`). */
  digest: Digest;
  /** For file actions: the file's path below the filestore bases. */
  file?: string;
  /** For file copies: the file's size in bytes, as the source lists it. */
  size?: number;
  tag?: string;
  role: ArtifactRole;
  /** Extra facts for people: the digest a tag holds now, the error that made a store unreadable. */
  detail?: string;
  /** The manifest entry that asked for it (for annotations and failure reports). */
  pos?: SourcePos;
}

/** What a destination repository or filestore already holds of what the manifests want. */
export interface Unchanged {
  digests: number;
  tags: number;
  files: number;
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
