/**
 * The image planner: manifests' wishes + what the stores hold + policy → typed actions with reasons.
 * Pure: no I/O, no logging. Signatures and attestations (cosign tags, the referrers fallback index) and
 * referrers travel with the images they belong to.
 */
import type { Digest } from '../domain/digest.js';
import { finding } from '../domain/finding.js';
import type { Policy } from '../domain/manifest-model.js';
import type { Plan } from '../domain/plan.js';
import type { DesiredRepo, DesiredTag } from './desired-images.js';
import type { RepoInventory, SourceInventory } from './inventory.js';
import { PlanBuilder } from './plan-builder.js';

/** What the image planner reads. */
export interface ImagePlanInput {
  desired: Map<string, DesiredRepo>;
  /** Destination repository path → inventory. */
  destinations: Map<string, RepoInventory>;
  /** Source repository path → inventory. */
  sources: Map<string, SourceInventory>;
  policy: Policy;
}

type ReadableRepo = Extract<RepoInventory, { readable: true }>;

function short(d: Digest): string {
  return `${d.slice(0, 19)}…`;
}

/** Why a digest cannot be made available on a destination. */
type Unavailable = 'source-missing' | 'source-unreadable';

/** Plans one digest (and what travels with it) for one readable destination; says if it cannot be there. */
function planDigest(
  b: PlanBuilder,
  repo: DesiredRepo,
  inv: ReadableRepo,
  digest: Digest,
  sources: Map<string, SourceInventory>,
): Unavailable | undefined {
  const want = repo.digests.get(digest)!;
  const src = sources.get(want.source);
  const base = { dest: repo.path, source: want.source, digest, role: 'image' as const, pos: want.origin.pos };
  if (inv.digests.has(digest)) b.keep(repo.path, 'digests');
  else if (!src?.readable) {
    b.add({
      ...base,
      kind: 'copy',
      outcome: 'skipped',
      reason: 'source-unreadable',
      detail: src?.readable === false ? src.error : 'not read',
    });
    b.report(
      `source-unreadable ${want.source}`,
      finding(
        'source-unreadable',
        want.origin.pos,
        `${want.source} could not be read (${src?.readable === false ? src.error : 'not read'}): its images are not promoted`,
      ),
    );
    return 'source-unreadable';
  } else if (!src.digests.has(digest)) {
    b.add({ ...base, kind: 'copy', outcome: 'refused', reason: 'source-missing' });
    b.report(
      `source-missing ${want.source}@${digest}`,
      finding(
        'digest-not-in-source',
        want.origin.pos,
        `${digest} of image "${want.origin.image}" is not in its source ${want.source}`,
      ),
    );
    return 'source-missing';
  } else {
    b.add({ ...base, kind: 'copy', outcome: 'apply', reason: 'missing' });
  }
  if (!src?.readable) return undefined;
  for (const art of src.artifacts.get(digest) ?? []) {
    const current = inv.tags.get(art.tag);
    if (current === art.digest) {
      b.keep(repo.path, 'tags');
      continue;
    }
    const a = {
      dest: repo.path,
      source: want.source,
      digest: art.digest,
      role: art.role,
      pos: want.origin.pos,
    };
    if (!inv.digests.has(art.digest)) b.add({ ...a, kind: 'copy', outcome: 'apply', reason: 'missing' });
    // Cosign appends signatures by replacing the manifest under the tag: artifact tags follow the source.
    b.add({
      ...a,
      kind: 'tag',
      tag: art.tag,
      outcome: 'apply',
      reason: current ? 'artifact-updated' : 'tag-missing',
      ...(current ? { detail: current } : {}),
    });
  }
  for (const r of src.referrers.get(digest) ?? []) {
    if (inv.digests.has(r)) continue;
    b.add({
      dest: repo.path,
      source: want.source,
      digest: r,
      role: 'referrer',
      kind: 'copy',
      outcome: 'apply',
      reason: 'missing',
    });
  }
  return undefined;
}

/** Plans one tag for one readable destination; `unavailable` says why its digest cannot be there. */
function planTag(
  b: PlanBuilder,
  repo: DesiredRepo,
  inv: ReadableRepo,
  want: DesiredTag,
  unavailable: Unavailable | undefined,
  policy: Policy,
): void {
  const base = {
    kind: 'tag' as const,
    dest: repo.path,
    source: want.source,
    digest: want.digest,
    tag: want.tag,
    role: 'image' as const,
    pos: want.origin.pos,
  };
  const current = inv.tags.get(want.tag);
  if (current === want.digest) return b.keep(repo.path, 'tags');
  if (unavailable) return b.add({ ...base, outcome: 'skipped', reason: unavailable });
  if (current === undefined) return b.add({ ...base, outcome: 'apply', reason: 'tag-missing' });
  if (policy.allowTagMoves)
    return b.add({ ...base, outcome: 'apply', reason: 'tag-move-allowed', detail: current });
  b.add({ ...base, outcome: 'refused', reason: 'tag-move-refused', detail: current });
  b.report(
    `tag-moved ${repo.path}:${want.tag}`,
    finding(
      'tag-move-refused',
      want.origin.pos,
      `${repo.path}:${want.tag} holds ${short(current)}, the manifests want ${short(want.digest)}: refused (tags are immutable unless policy.allowTagMoves)`,
    ),
  );
}

/** Plans every destination repository. */
export function planImages(input: ImagePlanInput): Plan {
  const b = new PlanBuilder();
  for (const repo of input.desired.values()) {
    const inv = input.destinations.get(repo.path);
    if (!inv?.readable) {
      const detail = inv?.readable === false ? inv.error : 'not read';
      for (const d of repo.digests.values()) {
        b.add({
          kind: 'copy',
          outcome: 'skipped',
          reason: 'destination-unreadable',
          dest: repo.path,
          source: d.source,
          digest: d.digest,
          role: 'image',
          detail,
        });
      }
      b.report(
        `unreadable ${repo.path}`,
        finding(
          'destination-unreadable',
          [...repo.digests.values()][0]!.origin.pos,
          `${repo.path} could not be read (${detail}): nothing planned for it`,
        ),
      );
      continue;
    }
    const unavailable = new Map<Digest, Unavailable | undefined>();
    for (const digest of repo.digests.keys())
      unavailable.set(digest, planDigest(b, repo, inv, digest, input.sources));
    for (const want of repo.tags.values())
      planTag(b, repo, inv, want, unavailable.get(want.digest), input.policy);
    for (const [tag, list] of repo.conflicts) {
      for (const want of list) {
        b.add({
          kind: 'tag',
          outcome: 'refused',
          reason: 'conflicting-edges',
          dest: repo.path,
          source: want.source,
          digest: want.digest,
          tag,
          role: 'image',
        });
      }
    }
  }
  return { actions: b.actions, findings: b.findings, unchanged: b.unchanged };
}
