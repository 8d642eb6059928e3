/**
 * Guarded file deletion, pure: a file removed from the manifests since the last applied revision is
 * deleted from a mirror only while the mirror still holds the sha256 that was promoted, only where its
 * project still lists that destination, and only as the deletion guard allows. A file whose sha256
 * changed is an overwrite (see plan-files.ts), never a deletion.
 */
import { finding } from '../domain/finding.js';
import type { ManifestSet } from '../domain/manifest-model.js';
import type { Digest } from '../domain/digest.js';
import type { PlannedAction } from '../domain/plan.js';
import type { DeletionCandidates } from './deletion-guard.js';
import { desiredFiles, type FileOrigin, fileDestinationsByProject } from './desired-files.js';
import { type FileInventory, fileDigest } from './file-inventory.js';

/** A file of the last applied revision that the current one no longer has. */
export interface FileRemoval {
  /** The destination base. */
  dest: string;
  name: string;
  sha256: string;
  origin: FileOrigin;
}

/** The file removals between the last applied revision and the current one. */
export function fileRemovals(since: ManifestSet, head: ManifestSet): FileRemoval[] {
  const after = desiredFiles(head);
  const managed = fileDestinationsByProject(head);
  const out: FileRemoval[] = [];
  for (const [base, before] of desiredFiles(since)) {
    for (const f of before.files.values()) {
      if (after.get(base)?.files.has(f.name)) continue;
      if (!managed.get(f.origin.project)?.has(base)) continue;
      out.push({ dest: base, name: f.name, sha256: f.sha256, origin: f.origin });
    }
  }
  return out;
}

/** Deletions the removals would make, before the policy guard. */
export function fileDeletionCandidates(
  removals: FileRemoval[],
  destinations: Map<string, FileInventory>,
): DeletionCandidates {
  const actions: PlannedAction[] = [];
  const findings: DeletionCandidates['findings'] = [];
  const units: DeletionCandidates['units'] = new Map();
  for (const r of removals) {
    const inv = destinations.get(r.dest);
    const base = {
      kind: 'delete-file' as const,
      dest: r.dest,
      file: r.name,
      digest: fileDigest(r.sha256) as Digest,
      role: 'file' as const,
      pos: r.origin.pos,
    };
    if (!inv?.readable) {
      const detail = inv?.readable === false ? inv.error : 'not read';
      actions.push({ ...base, outcome: 'skipped', reason: 'destination-unreadable', detail });
      continue;
    }
    const current = inv.files.get(r.name);
    if (!current) continue;
    if (current.sha256 !== r.sha256) {
      const now = current.sha256 ?? 'an unknown sha256';
      actions.push({ ...base, outcome: 'refused', reason: 'mirror-changed', detail: now });
      findings.push(
        finding(
          'delete-refused',
          r.origin.pos,
          `${r.dest}${r.name} now holds ${now}, not the ${r.sha256} promoted: left alone`,
        ),
      );
      continue;
    }
    actions.push({ ...base, outcome: 'apply', reason: 'removed' });
    units.set(`${r.origin.file}|${r.name}`, { pos: r.origin.pos });
  }
  return { actions, findings, units };
}
