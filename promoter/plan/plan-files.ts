/**
 * The file planner: per destination file, copy (missing), keep (same sha256), refuse (the mirror holds
 * different content and policy forbids overwriting — files are immutable), or report why it cannot be
 * promoted: not in the source, the source's bytes do not match the manifest (source corrupt), or a store
 * could not be read. Pure: no I/O, no logging.
 */
import type { Digest } from '../domain/digest.js';
import { finding } from '../domain/finding.js';
import type { Policy } from '../domain/manifest-model.js';
import type { Plan } from '../domain/plan.js';
import type { DesiredFile, DesiredFilestore } from './desired-files.js';
import { type FileInventory, fileDigest } from './file-inventory.js';
import { PlanBuilder } from './plan-builder.js';

/** What the file planner reads. */
export interface FilePlanInput {
  desired: Map<string, DesiredFilestore>;
  /** Destination base → inventory. */
  destinations: Map<string, FileInventory>;
  /** Source base → inventory. */
  sources: Map<string, FileInventory>;
  policy: Policy;
}

const short = (sha256: string) => `${sha256.slice(0, 12)}…`;

/** How a source's sha256 was learnt, as a corrupt-source message says it. */
const SHA256_FROM = {
  metadata: 'from its metadata',
  hashed: 'read and hashed',
  cache: 'read and hashed by an earlier run, same version',
} as const;

/** The fields every `copy-file` action for `want` at `base` shares. */
function copyAction(base: string, want: DesiredFile) {
  return {
    kind: 'copy-file' as const,
    dest: base,
    source: want.source,
    file: want.name,
    digest: fileDigest(want.sha256) as Digest,
    role: 'file' as const,
    pos: want.origin.pos,
  };
}

/** Decides how a missing (or replaceable) file reaches `base`; adds the action and any finding. */
function planCopy(
  b: PlanBuilder,
  base: string,
  want: DesiredFile,
  sources: Map<string, FileInventory>,
  overwrite: { current: string } | undefined,
): void {
  const src = sources.get(want.source);
  const action = copyAction(base, want);
  if (!src?.readable) {
    const detail = src?.readable === false ? src.error : 'not read';
    b.add({ ...action, outcome: 'skipped', reason: 'source-unreadable', detail });
    b.report(
      `source-unreadable ${want.source}`,
      finding(
        'source-unreadable',
        want.origin.pos,
        `${want.source} could not be read (${detail}): its files are not promoted`,
      ),
    );
    return;
  }
  const entry = src.files.get(want.name);
  if (!entry) {
    b.add({ ...action, outcome: 'refused', reason: 'source-missing' });
    b.report(
      `file-not-in-source ${want.source}${want.name}`,
      finding('file-not-in-source', want.origin.pos, `${want.name} is not in its source ${want.source}`),
    );
    return;
  }
  const withSize = { ...action, size: entry.size };
  if (entry.sha256 !== undefined && entry.sha256 !== want.sha256) {
    b.add({ ...withSize, outcome: 'refused', reason: 'source-corrupt', detail: entry.sha256 });
    b.report(
      `file-source-corrupt ${want.source}${want.name}`,
      finding(
        'file-source-corrupt',
        want.origin.pos,
        `${want.source}${want.name} has sha256 ${entry.sha256} (${SHA256_FROM[entry.sha256From ?? 'metadata']}), the manifest says ${want.sha256}: not promoted`,
      ),
    );
    return;
  }
  if (entry.hashError !== undefined) {
    b.add({ ...withSize, outcome: 'skipped', reason: 'source-unreadable', detail: entry.hashError });
    b.report(
      `source-unreadable ${want.source}${want.name}`,
      finding(
        'source-unreadable',
        want.origin.pos,
        `${want.source}${want.name} could not be read (${entry.hashError}): not promoted`,
      ),
    );
    return;
  }
  if (overwrite)
    b.add({ ...withSize, outcome: 'apply', reason: 'overwrite-allowed', detail: overwrite.current });
  else b.add({ ...withSize, outcome: 'apply', reason: 'missing' });
}

/** Plans every destination filestore base. */
export function planFiles(input: FilePlanInput): Plan {
  const b = new PlanBuilder();
  for (const d of input.desired.values()) {
    const inv = input.destinations.get(d.base);
    if (!inv?.readable) {
      const detail = inv?.readable === false ? inv.error : 'not read';
      for (const want of d.files.values())
        b.add({ ...copyAction(d.base, want), outcome: 'skipped', reason: 'destination-unreadable', detail });
      const first = [...d.files.values()][0];
      if (first)
        b.report(
          `unreadable ${d.base}`,
          finding(
            'destination-unreadable',
            first.origin.pos,
            `${d.base} could not be read (${detail}): nothing planned for it`,
          ),
        );
      continue;
    }
    for (const want of d.files.values()) {
      const current = inv.files.get(want.name);
      if (!current) {
        planCopy(b, d.base, want, input.sources, undefined);
        continue;
      }
      if (current.sha256 === want.sha256) {
        b.keep(d.base, 'files');
        continue;
      }
      if (current.sha256 === undefined) {
        const detail = current.hashError ?? 'its sha256 is unknown';
        b.add({ ...copyAction(d.base, want), outcome: 'skipped', reason: 'destination-unreadable', detail });
        b.report(
          `unreadable ${d.base}${want.name}`,
          finding(
            'destination-unreadable',
            want.origin.pos,
            `${d.base}${want.name} could not be read (${detail})`,
          ),
        );
        continue;
      }
      if (input.policy.allowFileOverwrite) {
        planCopy(b, d.base, want, input.sources, { current: current.sha256 });
        continue;
      }
      b.add({
        ...copyAction(d.base, want),
        outcome: 'refused',
        reason: 'overwrite-refused',
        detail: current.sha256,
      });
      b.report(
        `file-overwrite-refused ${d.base}${want.name}`,
        finding(
          'file-overwrite-refused',
          want.origin.pos,
          `${d.base}${want.name} holds sha256 ${short(current.sha256)}, the manifests want ${short(want.sha256)}: refused (files are immutable unless policy.allowFileOverwrite)`,
        ),
      );
    }
  }
  return { actions: b.actions, findings: b.findings, unchanged: b.unchanged };
}
