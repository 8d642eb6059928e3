/**
 * Incremental passes: of what the manifests want, only what changed since a revision known to be applied
 * in full. A destination repository is kept whole when any of its digests or tags differs (it is then
 * observed and planned as usual); a filestore keeps only the files whose sha256 or source differ. What did
 * not change is not read at all — the periodic full pass finds drift there. Pure.
 */
import type { DesiredFilestore } from './desired-files.js';
import type { DesiredRepo } from './desired-images.js';

const sameRepo = (a: DesiredRepo, b: DesiredRepo): boolean =>
  a.digests.size === b.digests.size &&
  a.tags.size === b.tags.size &&
  a.conflicts.size === b.conflicts.size &&
  [...a.digests].every(([d, w]) => b.digests.get(d)?.source === w.source) &&
  [...a.tags].every(([t, w]) => {
    const o = b.tags.get(t);
    return o?.digest === w.digest && o.source === w.source;
  });

/** The destination repositories of `now` that `before` did not want exactly so. */
export function changedImages(
  now: Map<string, DesiredRepo>,
  before: Map<string, DesiredRepo>,
): Map<string, DesiredRepo> {
  const out = new Map<string, DesiredRepo>();
  for (const [path, repo] of now) {
    const old = before.get(path);
    if (!old || !sameRepo(repo, old)) out.set(path, repo);
  }
  return out;
}

/** The files of `now` (per destination base) that `before` did not want exactly so. */
export function changedFiles(
  now: Map<string, DesiredFilestore>,
  before: Map<string, DesiredFilestore>,
): Map<string, DesiredFilestore> {
  const out = new Map<string, DesiredFilestore>();
  for (const [base, store] of now) {
    const old = before.get(base)?.files;
    const files = new Map(
      [...store.files].filter(([name, f]) => {
        const o = old?.get(name);
        return !o || o.sha256 !== f.sha256 || o.source !== f.source;
      }),
    );
    if (files.size > 0) out.set(base, { base, files });
  }
  return out;
}
