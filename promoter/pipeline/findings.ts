/** What a promotion adds to its findings beyond the planners': hashing it had to do, and failed actions. */
import type { AppliedAction } from '../apply/apply-plan.js';
import { type Finding, finding } from '../domain/finding.js';
import type { Unchanged } from '../domain/plan.js';
import type { HashedTally } from '../observe/observe-files.js';
import type { DesiredFilestore } from '../plan/desired-files.js';
import { formatBytes } from '../report/copy-format.js';

const NOWHERE = { file: '', line: 1, column: 1, path: '' };

/** One info finding per base whose objects had to be read and hashed for want of sha256 metadata. */
export function filestoresFindings(
  hashed: Map<string, HashedTally>,
  desired: Map<string, DesiredFilestore>,
): Finding[] {
  const posOf = (base: string, name: string) => {
    const d = desired.get(base)?.files.get(name);
    if (d) return d.origin.pos;
    for (const store of desired.values())
      for (const f of store.files.values()) if (f.source === base && f.name === name) return f.origin.pos;
    return NOWHERE;
  };
  return [...hashed].map(([base, t]) =>
    finding(
      'sha256-computed',
      posOf(base, t.first),
      `${t.objects} ${t.objects === 1 ? 'object' : 'objects'} under ${base} had no sha256 metadata: read and hashed ${formatBytes(t.bytes)}`,
    ),
  );
}

/** A finding per failed action: a corrupt source file, or a failure. */
export function outcomeFindings(applied: AppliedAction[]): Finding[] {
  return applied
    .filter((a) => a.result === 'failed')
    .map((a) => {
      const where =
        a.file !== undefined ? `${a.dest}${a.file}` : `${a.dest}${a.tag ? `:${a.tag}` : `@${a.digest}`}`;
      const pos = a.pos ?? NOWHERE;
      if (a.kind === 'copy-file' && a.errorCode === 'SOURCE_CORRUPT')
        return finding(
          'file-source-corrupt',
          pos,
          `copying ${a.file} from ${a.source} to ${a.dest} refused: ${a.error}`,
        );
      return finding('action-failed', pos, `${a.kind} ${where} failed: ${a.error ?? 'unknown error'}`);
    });
}

/** Merges per-destination counts of what is already in place. */
export function mergeUnchanged(...maps: Map<string, Unchanged>[]): Map<string, Unchanged> {
  const out = new Map<string, Unchanged>();
  for (const m of maps)
    for (const [k, u] of m) {
      const prior = out.get(k) ?? { digests: 0, tags: 0, files: 0 };
      out.set(k, {
        digests: prior.digests + u.digests,
        tags: prior.tags + u.tags,
        files: prior.files + u.files,
      });
    }
  return out;
}
