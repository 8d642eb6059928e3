/** `promoter copy` as a library call: copy one reference (or every tag of a repository) to destinations. */
import type { StoreResolver } from '../adapters/registry/store-resolver.js';
import type { HostStats } from '../adapters/http/request-stats.js';
import { formatReference, type ImageRef } from '../domain/reference.js';
import { UsageError } from '../errors.js';
import { CopySession, type Endpoint, type ImageCopyReport, type SessionTotals } from './copy-session.js';

/** What to copy. */
export interface CopyJob {
  source: ImageRef;
  targets: ImageRef[];
  /** Copy every tag of the source repository. */
  allTags: boolean;
}

/** What a copy run did. */
export interface CopyRunReport {
  images: ImageCopyReport[];
  totals: SessionTotals;
  requests: Record<string, HostStats>;
  /** Destination copies that failed. */
  failures: number;
  elapsedMs: number;
}

function check(job: CopyJob): void {
  const src = formatReference(job.source);
  if (job.allTags && (job.source.tag || job.source.digest))
    throw new UsageError(`--all-tags copies a whole repository: drop the tag or digest from ${src}`);
  if (!job.allTags && !job.source.tag && !job.source.digest)
    throw new UsageError(`${src} names no tag or digest (or use --all-tags)`);
  for (const t of job.targets) {
    if (t.digest)
      throw new UsageError(
        `destination ${formatReference(t)} may not name a digest: the copy keeps the source's`,
      );
    if (job.allTags && t.tag)
      throw new UsageError(`with --all-tags, destination ${formatReference(t)} may not name a tag`);
  }
  if (job.targets.length === 0) throw new UsageError('name at least one destination');
}

/** Runs a copy job; failures of single destinations are reported, not thrown. */
export async function runCopy(
  job: CopyJob,
  resolver: StoreResolver,
  session = new CopySession(),
): Promise<CopyRunReport> {
  check(job);
  const started = performance.now();
  const source: Endpoint = { store: resolver.resolve(job.source.store), repo: job.source.repository };
  const endpoint = (r: ImageRef): Endpoint => ({ store: resolver.resolve(r.store), repo: r.repository });
  const images: ImageCopyReport[] = [];
  if (job.allTags) {
    const tags = (await source.store.listTags(source.repo)).sort();
    const targets = job.targets.map(endpoint);
    for (const tag of tags) images.push(await session.copyImage(source, tag, targets, [tag]));
  } else {
    const ref = job.source.digest ?? job.source.tag!;
    // Destinations that ask for the same tags are copied together (one read of each source blob).
    const groups = new Map<string, { tags: string[]; targets: Endpoint[] }>();
    for (const t of job.targets) {
      const tags = t.tag ? [t.tag] : job.source.tag ? [job.source.tag] : [];
      const key = tags.join(',');
      const g = groups.get(key) ?? { tags, targets: [] };
      g.targets.push(endpoint(t));
      groups.set(key, g);
    }
    for (const g of groups.values()) images.push(await session.copyImage(source, ref, g.targets, g.tags));
  }
  const failures = images.reduce((n, i) => n + i.targets.filter((t) => t.status === 'failed').length, 0);
  return {
    images,
    totals: session.totals,
    requests: resolver.stats.snapshot(),
    failures,
    elapsedMs: performance.now() - started,
  };
}
