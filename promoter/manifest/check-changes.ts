/**
 * Checks a change against its base revision (the pull-request case): tags that move, digests, tags and
 * files that are removed (deletions), files whose sha256 changes, and changed registries, filestores or
 * policy, which need owners' review. The base revision's policy decides what is allowed.
 */
import type { Digest } from '../domain/digest.js';
import { type Finding, filePos, finding, type SourcePos } from '../domain/finding.js';
import type { FileManifest, ImageManifest, ManifestSet, Policy } from '../domain/manifest-model.js';
import { normalizeRegistryName, repositoryPath } from '../domain/names.js';
import { checkBlocks } from './check-blocks.js';
import { normalizeBase } from '../domain/names.js';

/** Which manifest entry put something on a destination. */
interface Origin {
  file: string;
  name: string;
  pos: SourcePos;
}

/** What the manifests put in one destination repository. */
interface RepoState {
  /** The destination registry the repository is under. */
  registry: string;
  digests: Map<Digest, Origin>;
  tags: Map<string, { digest: Digest; pos: SourcePos }>;
}

/** Destination repository path → state, for every image manifest. */
function imageState(manifests: ImageManifest[]): Map<string, RepoState> {
  const out = new Map<string, RepoState>();
  for (const m of manifests) {
    const dests = m.registries.filter((r) => !r.src).map((r) => normalizeRegistryName(r.name));
    for (const image of m.images) {
      for (const dest of dests) {
        const path = repositoryPath(dest, image.name);
        let state = out.get(path);
        if (!state) {
          state = { registry: dest, digests: new Map(), tags: new Map() };
          out.set(path, state);
        }
        for (const d of image.digests) {
          if (!state.digests.has(d.digest))
            state.digests.set(d.digest, { file: m.imagesFile, name: image.name, pos: d.pos });
          for (const t of d.tags)
            if (!state.tags.has(t.tag)) state.tags.set(t.tag, { digest: d.digest, pos: t.pos });
        }
      }
    }
  }
  return out;
}

/** Destination repository paths each image manifest file (by imagesFile) still promotes to, in the head. */
function headDestinations(manifests: ImageManifest[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of manifests) {
    const dests = m.registries.filter((r) => !r.src).map((r) => normalizeRegistryName(r.name));
    out.set(m.imagesFile, new Set(dests));
  }
  return out;
}

/** Accumulates removals (deduplicated per manifest entry) and moves (per head position). */
class ChangeLog {
  readonly removals = new Map<string, { pos: SourcePos; message: string; mirrors: Set<string> }>();
  readonly moves = new Map<string, { pos: SourcePos; message: string; mirrors: Set<string> }>();

  remove(key: string, pos: SourcePos, message: string, mirror: string): void {
    const r = this.removals.get(key) ?? { pos, message, mirrors: new Set<string>() };
    r.mirrors.add(mirror);
    this.removals.set(key, r);
  }

  move(pos: SourcePos, message: string, mirror: string): void {
    const key = `${pos.file}:${pos.line}:${pos.column}`;
    const m = this.moves.get(key) ?? { pos, message, mirrors: new Set<string>() };
    m.mirrors.add(mirror);
    this.moves.set(key, m);
  }
}

/** Where a removal is reported: the image in the head file, else the head file, else the base file. */
function removalPos(head: ManifestSet, origin: Origin): SourcePos {
  const m = head.images.find((x) => x.imagesFile === origin.file);
  return m?.images.find((i) => i.name === origin.name)?.pos ?? filePos(origin.file);
}

function diffImages(base: ManifestSet, head: ManifestSet, log: ChangeLog): void {
  const before = imageState(base.images);
  const after = imageState(head.images);
  const stillDest = headDestinations(head.images);
  for (const [path, old] of before) {
    const now = after.get(path);
    for (const [digest, origin] of old.digests) {
      if (now?.digests.has(digest)) continue;
      // A destination dropped from the registries list stops being managed; that is not a deletion.
      if (!stillDest.get(origin.file)?.has(old.registry)) continue;
      log.remove(
        `d\0${origin.file}\0${origin.name}\0${digest}`,
        removalPos(head, origin),
        `digest ${digest} of image "${origin.name}" was removed`,
        path,
      );
    }
    for (const [tag, was] of old.tags) {
      const is = now?.tags.get(tag);
      if (is && is.digest !== was.digest) {
        log.move(is.pos, `tag "${tag}" moved from ${was.digest} to ${is.digest}`, path);
      } else if (!is && now?.digests.has(was.digest)) {
        const origin = old.digests.get(was.digest)!;
        log.remove(
          `t\0${origin.file}\0${origin.name}\0${tag}`,
          removalPos(head, origin),
          `tag "${tag}" of image "${origin.name}" was removed`,
          path,
        );
      }
    }
  }
}

/** Destination file path → sha256 and where it is listed. */
function fileState(
  manifests: FileManifest[],
): Map<string, { sha256: string; pos: SourcePos; project: string; name: string }> {
  const out = new Map<string, { sha256: string; pos: SourcePos; project: string; name: string }>();
  for (const m of manifests) {
    for (const store of m.filestores.filter((s) => !s.src)) {
      const base = normalizeBase(store.base);
      for (const f of m.files)
        if (!out.has(base + f.name))
          out.set(base + f.name, { sha256: f.sha256, pos: f.pos, project: m.project, name: f.name });
    }
  }
  return out;
}

function diffFiles(
  base: ManifestSet,
  head: ManifestSet,
  policy: Policy,
  log: ChangeLog,
  out: Finding[],
): void {
  const before = fileState(base.files);
  const after = fileState(head.files);
  const headStores = new Set(
    head.files.flatMap((m) =>
      m.filestores.filter((s) => !s.src).map((s) => `${m.project}\0${normalizeBase(s.base)}`),
    ),
  );
  const changed = new Map<string, Finding>();
  for (const [path, was] of before) {
    const is = after.get(path);
    if (is && is.sha256 !== was.sha256) {
      const key = `${is.pos.file}:${is.pos.line}`;
      if (!changed.has(key)) {
        const message = `file "${is.name}" changed sha256 from ${was.sha256} to ${is.sha256}${policy.allowFileOverwrite ? ' (allowed by policy)' : '; promoted files are immutable'}`;
        changed.set(
          key,
          finding('file-changed', is.pos, message, policy.allowFileOverwrite ? 'info' : 'error'),
        );
      }
    } else if (!is) {
      const store = path.slice(0, path.length - was.name.length);
      if (!headStores.has(`${was.project}\0${store}`)) continue;
      const m = head.files.find((x) => x.project === was.project);
      const pos = m?.fileLists[0] ? filePos(m.fileLists[0]) : filePos(was.pos.file);
      log.remove(
        `f\0${was.project}\0${was.name}`,
        pos,
        `file "${was.name}" of project ${was.project} was removed`,
        path,
      );
    }
  }
  out.push(...changed.values());
}

function mirrors(set: Set<string>): string {
  const list = [...set];
  return list.length === 1 ? ` from ${list[0]}` : ` from ${list.length} destinations`;
}

function reportRemovalsAndMoves(log: ChangeLog, policy: Policy, configFile: string, out: Finding[]): void {
  for (const m of log.moves.values()) {
    const allowed = policy.allowTagMoves;
    const tail = allowed
      ? ' (allowed by policy)'
      : `; tags are immutable unless ${configFile} sets policy.allowTagMoves`;
    out.push(
      finding(
        'tag-moved',
        m.pos,
        `${m.message}${mirrors(m.mirrors).replace(' from', ' on')}${tail}`,
        allowed ? 'info' : 'error',
      ),
    );
  }
  const removals = [...log.removals.values()];
  const { allowed, maxDeletes } = policy.deletions;
  for (const r of removals) {
    const tail = allowed
      ? ' (a deletion, allowed by policy)'
      : `; deleting needs policy.deletions.allowed in ${configFile}`;
    out.push(
      finding('entry-removed', r.pos, `${r.message}${mirrors(r.mirrors)}${tail}`, allowed ? 'info' : 'error'),
    );
  }
  if (allowed && removals.length > maxDeletes) {
    out.push(
      finding(
        'delete-limit-exceeded',
        removals[0]!.pos,
        `${removals.length} removals exceed policy.deletions.maxDeletes (${maxDeletes}); none of them will be deleted`,
      ),
    );
  }
}

/** Every finding about how `head` changes `base`, judged by the base revision's policy. */
export function checkChanges(base: ManifestSet, head: ManifestSet): Finding[] {
  const policy = base.config.policy;
  const configFile = base.config.file ?? 'promoter.yaml';
  const out: Finding[] = [];
  const log = new ChangeLog();
  diffImages(base, head, log);
  diffFiles(base, head, policy, log, out);
  reportRemovalsAndMoves(log, policy, configFile, out);
  out.push(...checkBlocks(base, head));
  return out;
}
