/**
 * Changes that need owners' review rather than a verdict: `registries:` and `filestores:` blocks that are
 * new, changed or removed, and a changed promoter.yaml.
 */
import { type Finding, filePos, finding, type SourcePos } from '../domain/finding.js';
import type { ManifestSet } from '../domain/manifest-model.js';
import { normalizeRegistryName } from '../domain/names.js';
import { normalizeBase } from '../domain/names.js';

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A `registries:` or `filestores:` block, reduced to what owners review. */
interface Block {
  file: string;
  pos: SourcePos;
  entries: string[];
}

/** Findings for blocks that are new, changed or removed between two revisions. */
function blockFindings(
  code: 'registries-changed' | 'filestores-changed',
  before: Block[],
  after: Block[],
): Finding[] {
  const what = code === 'registries-changed' ? 'registries' : 'filestores';
  const out: Finding[] = [];
  for (const b of after) {
    const old = before.find((x) => x.file === b.file);
    if (!old) out.push(finding(code, b.pos, `new manifest ${b.file}: its ${what} need owners' review`));
    else if (!sameJson(old.entries, b.entries))
      out.push(finding(code, b.pos, `${what} of ${b.file} changed: needs owners' review`));
  }
  for (const b of before) {
    if (after.some((x) => x.file === b.file)) continue;
    const message = `manifest ${b.file} was removed: what it promoted stays on the mirrors, no longer managed; needs owners' review`;
    out.push(finding(code, filePos(b.file), message));
  }
  return out;
}

function registryBlocks(set: ManifestSet): Block[] {
  return set.images.map((m) => ({
    file: m.file,
    pos: m.registriesPos,
    entries: m.registries
      .map((r) => `${normalizeRegistryName(r.name)}|${r.src}|${r.serviceAccount ?? ''}`)
      .sort(),
  }));
}

function filestoreBlocks(set: ManifestSet): Block[] {
  return set.files.flatMap((m) =>
    m.file && m.filestoresPos
      ? [
          {
            file: m.file,
            pos: m.filestoresPos,
            entries: m.filestores
              .map((s) => `${normalizeBase(s.base)}|${s.src}|${s.serviceAccount ?? ''}`)
              .sort(),
          },
        ]
      : [],
  );
}

/** Findings for changed registries, filestores and policy between two revisions (owners review them). */
export function checkBlocks(base: ManifestSet, head: ManifestSet): Finding[] {
  const out = [
    ...blockFindings('registries-changed', registryBlocks(base), registryBlocks(head)),
    ...blockFindings('filestores-changed', filestoreBlocks(base), filestoreBlocks(head)),
  ];
  const cfg = (s: ManifestSet) => ({
    policy: s.config.policy,
    roots: s.config.manifestRoots?.map((r) => r.path),
  });
  if (!sameJson(cfg(base), cfg(head))) {
    const pos = head.config.policyPos ?? filePos(head.config.file ?? base.config.file ?? 'promoter.yaml');
    out.push(
      finding(
        'policy-changed',
        pos,
        "promoter.yaml changed: needs owners' review; the base revision's policy applies to this change",
      ),
    );
  }
  return out;
}
