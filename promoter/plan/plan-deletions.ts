/**
 * Guarded deletion, pure: entries removed from the manifests since the last applied revision become
 * deletions only when policy allows, only while the mirror still holds what was promoted, and never more
 * than `maxDeletes` per run (over it, none at all). Removing a tag deletes that tag alone, never the other
 * tags of its digest; dropping a destination from `registries:` stops managing it and deletes nothing.
 */
import type { Digest } from '../domain/digest.js';
import { type Finding, finding } from '../domain/finding.js';
import type { ManifestSet, Policy } from '../domain/manifest-model.js';
import type { PlannedAction } from '../domain/plan.js';
import { type DeletionCandidates, guardDeletions } from './deletion-guard.js';
import { type DesiredRepo, desiredImages, destinationsByFile, type Origin } from './desired-images.js';
import type { RepoInventory } from './inventory.js';

/** An entry of the last applied revision that the current one no longer has. */
export interface Removal {
  /** The destination repository path. */
  dest: string;
  digest: Digest;
  /** Set for a tag removal (its digest stays wanted). */
  tag?: string;
  /** The manifest entry removed: the unit `maxDeletes` counts, however many mirrors hold it. */
  unit: string;
  origin: Origin;
}

/** The removals between the last applied revision and the current one. */
export function imageRemovals(since: ManifestSet, head: ManifestSet): Removal[] {
  const before = desiredImages(since);
  const after = desiredImages(head);
  const managed = destinationsByFile(head);
  const out: Removal[] = [];
  const stillManaged = (repo: DesiredRepo, file: string) => managed.get(file)?.has(repo.registry) === true;
  for (const [path, old] of before) {
    const now = after.get(path);
    const goneDigests = new Set<Digest>();
    for (const [digest, d] of old.digests) {
      if (now?.digests.has(digest) || !stillManaged(old, d.origin.file)) continue;
      goneDigests.add(digest);
      out.push({
        dest: path,
        digest,
        unit: `${d.origin.file}|${d.origin.image}|${digest}`,
        origin: d.origin,
      });
    }
    for (const [tag, t] of old.tags) {
      if (
        now?.tags.has(tag) ||
        now?.conflicts.has(tag) ||
        goneDigests.has(t.digest) ||
        !stillManaged(old, t.origin.file)
      )
        continue;
      out.push({
        dest: path,
        digest: t.digest,
        tag,
        unit: `${t.origin.file}|${t.origin.image}|${t.digest}|${tag}`,
        origin: t.origin,
      });
    }
  }
  return out;
}

/** What the deletion planner reads. */
export interface DeletionPlanInput {
  removals: Removal[];
  destinations: Map<string, RepoInventory>;
  /** Digests a destination must keep because a wanted index references them. */
  protectedDigests: Map<string, Set<Digest>>;
  policy: Policy;
}

/** Deletion candidates before the policy guard: what each removal would delete, and the entries (units) behind them. */
export function imageDeletionCandidates(input: DeletionPlanInput): DeletionCandidates {
  const actions: PlannedAction[] = [];
  const findings: Finding[] = [];
  const units = new Map<string, Origin>();
  for (const r of input.removals) {
    const inv = input.destinations.get(r.dest);
    const base = {
      dest: r.dest,
      digest: r.digest,
      role: 'image' as const,
      pos: r.origin.pos,
      ...(r.tag ? { tag: r.tag } : {}),
    };
    const kind = r.tag ? ('delete-tag' as const) : ('delete-manifest' as const);
    if (!inv?.readable) {
      actions.push({
        ...base,
        kind,
        outcome: 'skipped',
        reason: 'destination-unreadable',
        detail: inv?.readable === false ? inv.error : 'not read',
      });
      continue;
    }
    if (r.tag) {
      const current = inv.tags.get(r.tag);
      if (current === undefined) continue;
      if (current !== r.digest) {
        actions.push({ ...base, kind, outcome: 'refused', reason: 'mirror-changed', detail: current });
        findings.push(
          finding(
            'delete-refused',
            r.origin.pos,
            `${r.dest}:${r.tag} now holds ${current}, not the ${r.digest} promoted: left alone`,
          ),
        );
        continue;
      }
    } else {
      if (!inv.digests.has(r.digest)) continue;
      if (input.protectedDigests.get(r.dest)?.has(r.digest)) {
        actions.push({
          ...base,
          kind,
          outcome: 'refused',
          reason: 'mirror-changed',
          detail: 'referenced by a wanted index',
        });
        findings.push(
          finding('delete-refused', r.origin.pos, `${r.dest}@${r.digest} is part of a wanted index: kept`),
        );
        continue;
      }
    }
    actions.push({ ...base, kind, outcome: 'apply', reason: 'removed' });
    units.set(r.unit, r.origin);
  }
  return { actions, findings, units };
}

/** Plans image deletions under the policy guard (see deletion-guard.ts). */
export function planDeletions(input: DeletionPlanInput): { actions: PlannedAction[]; findings: Finding[] } {
  return guardDeletions(imageDeletionCandidates(input), input.policy);
}
