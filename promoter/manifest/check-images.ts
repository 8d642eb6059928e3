/**
 * Meaning checks for image manifests: registries (one source, destinations), duplicates, and overlapping
 * edges — one destination `registry/image:tag` aimed at two digests, within a file or across projects.
 */
import type { Digest } from '../domain/digest.js';
import { type Finding, finding, type SourcePos } from '../domain/finding.js';
import type { ImageManifest } from '../domain/manifest-model.js';
import { normalizeRegistryName, repositoryPath } from '../domain/names.js';
import { endpointFindings } from './check-endpoints.js';

/** Where a tag is aimed: its digest and the place it is written. */
interface TagTarget {
  digest: Digest;
  pos: SourcePos;
}

/** The merged tags of one image name in one manifest: tag → target. */
type TagMap = Map<string, TagTarget>;

function at(pos: SourcePos): string {
  return `${pos.file}:${pos.line}`;
}

function short(d: Digest): string {
  return d.slice(0, 19);
}

/**
 * Collects overlapping edges: a tag aimed at two digests. Each side gets a finding (so a pull request
 * annotates the line it added, whichever side that is), however many destinations share the conflict.
 */
class Conflicts {
  private readonly sides = new Map<
    string,
    { tag: string; mine: TagTarget; other: TagTarget; where: string[] }
  >();

  /** Records that `tag` is aimed at `a` and at `b` on destination (or image) `where`. */
  add(tag: string, a: TagTarget, b: TagTarget, where: string): void {
    this.side(tag, a, b, where);
    this.side(tag, b, a, where);
  }

  private side(tag: string, mine: TagTarget, other: TagTarget, where: string): void {
    const key = `${at(mine.pos)}:${mine.pos.column}`;
    const entry = this.sides.get(key) ?? { tag, mine, other, where: [] };
    if (!entry.where.includes(where)) entry.where.push(where);
    this.sides.set(key, entry);
  }

  /** One tag-conflict finding per side. */
  findings(): Finding[] {
    return [...this.sides.values()].map(({ tag, mine, other, where }) => {
      const dest = where.length === 1 ? where[0] : `${where[0]} and ${where.length - 1} more destinations`;
      return finding(
        'tag-conflict',
        mine.pos,
        `tag "${tag}" is aimed at ${mine.digest} here and at ${other.digest} at ${at(other.pos)}: ${dest} would get two digests for one tag (overlapping edges)`,
      );
    });
  }
}

/**
 * Merges the entries of one manifest's images by name, reporting duplicates and conflicts inside the
 * file. Returns name → tag map.
 */
function mergeImages(m: ImageManifest, conflicts: Conflicts, out: Finding[]): Map<string, TagMap> {
  const byName = new Map<string, TagMap>();
  const firstEntry = new Map<string, SourcePos>();
  for (const image of m.images) {
    const first = firstEntry.get(image.name);
    if (first) {
      out.push(
        finding(
          'image-duplicate',
          image.pos,
          `image "${image.name}" is listed again (first at line ${first.line}); the entries are merged`,
        ),
      );
    } else {
      firstEntry.set(image.name, image.pos);
    }
    if (image.digests.length === 0) {
      out.push(
        finding(
          'image-without-digests',
          image.pos,
          `image "${image.name}" lists no digests, so it promotes nothing`,
        ),
      );
    }
    let tags = byName.get(image.name);
    if (!tags) {
      tags = new Map();
      byName.set(image.name, tags);
    }
    for (const d of image.digests) {
      const seenHere = new Set<string>();
      for (const t of d.tags) {
        if (seenHere.has(t.tag)) {
          out.push(finding('tag-duplicate', t.pos, `tag "${t.tag}" is listed twice for ${short(d.digest)}…`));
          continue;
        }
        seenHere.add(t.tag);
        const prior = tags.get(t.tag);
        const here = { digest: d.digest, pos: t.pos };
        if (!prior) tags.set(t.tag, here);
        else if (prior.digest !== d.digest) conflicts.add(t.tag, here, prior, `image "${image.name}"`);
      }
    }
  }
  return byName;
}

interface Contribution {
  id: string;
  tags: TagMap;
}

/** Cross-checks every destination repository that more than one (manifest, image) promotes to. */
function crossConflicts(byPath: Map<string, Contribution[]>, conflicts: Conflicts): void {
  for (const [path, contributions] of byPath) {
    if (contributions.length < 2) continue;
    const claimed = new Map<string, TagTarget>();
    for (const c of contributions) {
      for (const [tag, target] of c.tags) {
        const prior = claimed.get(tag);
        if (!prior) claimed.set(tag, target);
        else if (prior.digest !== target.digest) conflicts.add(tag, target, prior, path);
      }
    }
  }
}

/** Every meaning check on the image manifests of a repository. */
export function checkImageManifests(manifests: ImageManifest[]): Finding[] {
  const out: Finding[] = [];
  const byPath = new Map<string, Contribution[]>();
  const conflicts = new Conflicts();
  for (const m of manifests) {
    const endpoints = m.registries.map((r) => ({
      key: normalizeRegistryName(r.name),
      src: r.src,
      pos: r.pos,
    }));
    out.push(...endpointFindings(endpoints, m.registriesPos, 'registry'));
    const merged = mergeImages(m, conflicts, out);
    const dests = [...new Set(endpoints.filter((e) => !e.src).map((e) => e.key))];
    for (const [name, tags] of merged) {
      if (tags.size === 0) continue;
      const id = `${m.file}\0${name}`;
      for (const dest of dests) {
        const path = repositoryPath(dest, name);
        const list = byPath.get(path);
        if (!list) byPath.set(path, [{ id, tags }]);
        else if (!list.some((c) => c.id === id)) list.push({ id, tags });
      }
    }
  }
  crossConflicts(byPath, conflicts);
  out.push(...conflicts.findings());
  return out;
}
