/**
 * What the file manifests want: per destination filestore base, each file with its sha256 and the
 * source base it is copied from. Pure: derived from a ManifestSet alone.
 */
import type { SourcePos } from '../domain/finding.js';
import type { ManifestSet } from '../domain/manifest-model.js';
import { normalizeBase } from '../domain/names.js';

/** The manifest entry that asks for a file. */
export interface FileOrigin {
  /** The file list it is in. */
  file: string;
  /** The project (the filestores manifest's directory name). */
  project: string;
  pos: SourcePos;
}

/** A file a destination should hold. */
export interface DesiredFile {
  name: string;
  /** Lowercase hex. */
  sha256: string;
  /** The source base (normalized). */
  source: string;
  origin: FileOrigin;
}

/** Everything the manifests want in one destination filestore base. */
export interface DesiredFilestore {
  /** The normalized base, ending in `/`. */
  base: string;
  files: Map<string, DesiredFile>;
}

/** Destination base → what it should hold. The first manifest to ask for a name wins (validation reports conflicts). */
export function desiredFiles(set: ManifestSet): Map<string, DesiredFilestore> {
  const out = new Map<string, DesiredFilestore>();
  for (const m of set.files) {
    const src = m.filestores.find((s) => s.src);
    if (!src) continue;
    const source = normalizeBase(src.base);
    for (const store of m.filestores.filter((s) => !s.src)) {
      const base = normalizeBase(store.base);
      if (base === source) continue;
      let d = out.get(base);
      if (!d) {
        d = { base, files: new Map() };
        out.set(base, d);
      }
      for (const f of m.files) {
        if (d.files.has(f.name)) continue;
        d.files.set(f.name, {
          name: f.name,
          sha256: f.sha256.toLowerCase(),
          source,
          origin: { file: f.pos.file, project: m.project, pos: f.pos },
        });
      }
    }
  }
  return out;
}

/** Destination bases managed by each project (a removal is a deletion only where the base is still managed). */
export function fileDestinationsByProject(set: ManifestSet): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of set.files) {
    const bases = m.filestores.filter((s) => !s.src).map((s) => normalizeBase(s.base));
    out.set(m.project, new Set([...(out.get(m.project) ?? []), ...bases]));
  }
  return out;
}
