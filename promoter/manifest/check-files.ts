/**
 * Meaning checks for file manifests: filestore schemes and bases, one source, destinations, safe file
 * names, duplicates, and one destination file aimed at two different sha256 values.
 */
import { type Finding, finding, type SourcePos } from '../domain/finding.js';
import type { FileManifest, FileSpec } from '../domain/manifest-model.js';
import { normalizeBase } from '../domain/names.js';
import { endpointFindings } from './check-endpoints.js';

/** The filestore schemes promoter can read and write. */
export const FILESTORE_SCHEMES = ['gs://', 's3://', 'file://'] as const;

/** Explains what is wrong with a filestore base, or returns undefined when it is usable. */
function baseProblem(
  base: string,
): { code: 'filestore-scheme-unknown' | 'filestore-base-invalid'; message: string } | undefined {
  const scheme = FILESTORE_SCHEMES.find((s) => base.startsWith(s));
  if (!scheme) {
    const shown = base.match(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//)?.[0] ?? base;
    return {
      code: 'filestore-scheme-unknown',
      message: `filestore base "${base}": unknown scheme "${shown}"; known schemes are ${FILESTORE_SCHEMES.join(', ')}`,
    };
  }
  const rest = base.slice(scheme.length);
  if (scheme === 'file://') {
    if (!rest.startsWith('/'))
      return {
        code: 'filestore-base-invalid',
        message: `filestore base "${base}": file:// needs an absolute path (file:///dir/)`,
      };
  } else if (rest === '' || rest.startsWith('/')) {
    return {
      code: 'filestore-base-invalid',
      message: `filestore base "${base}": no bucket name after ${scheme}`,
    };
  }
  return undefined;
}

/** Explains what is wrong with a file name, or returns undefined when it is a clean relative path. */
export function fileNameProblem(name: string): string | undefined {
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains control characters';
  if (name.includes('\\')) return 'contains a backslash';
  if (name.startsWith('/')) return 'is absolute; names are relative to the filestore base';
  const segments = name.split('/');
  if (segments.includes('..')) return 'contains a ".." segment';
  if (segments.includes('.')) return 'contains a "." segment';
  if (segments.includes(''))
    return name.endsWith('/')
      ? 'ends with "/" (a directory, not a file)'
      : 'contains an empty segment ("//")';
  return undefined;
}

function checkFileNames(files: FileSpec[], out: Finding[]): Map<string, FileSpec> {
  const byName = new Map<string, FileSpec>();
  for (const f of files) {
    const problem = fileNameProblem(f.name);
    if (problem) {
      out.push(finding('file-name-invalid', f.pos, `file name ${JSON.stringify(f.name)} ${problem}`));
      continue;
    }
    const prior = byName.get(f.name);
    if (!prior) {
      byName.set(f.name, f);
    } else if (prior.sha256 === f.sha256) {
      out.push(
        finding(
          'file-duplicate',
          f.pos,
          `file "${f.name}" is listed again with the same sha256 (first at ${prior.pos.file}:${prior.pos.line})`,
        ),
      );
    } else {
      out.push(
        finding(
          'file-conflict',
          f.pos,
          `file "${f.name}" has sha256 ${f.sha256} here but ${prior.sha256} at ${prior.pos.file}:${prior.pos.line}`,
        ),
      );
    }
  }
  return byName;
}

/** Every meaning check on the file manifests of a repository. */
export function checkFileManifests(manifests: FileManifest[]): Finding[] {
  const out: Finding[] = [];
  const byDest = new Map<string, { sha256: string; pos: SourcePos }>();
  const conflicts = new Map<
    string,
    { f: FileSpec; other: { sha256: string; pos: SourcePos }; count: number; dest: string }
  >();
  for (const m of manifests) {
    const usable = m.filestores.filter((s) => {
      const problem = baseProblem(s.base);
      if (problem) out.push(finding(problem.code, s.pos, problem.message));
      return !problem;
    });
    if (m.file && m.filestoresPos) {
      const endpoints = m.filestores.map((s) => ({ key: normalizeBase(s.base), src: s.src, pos: s.pos }));
      out.push(...endpointFindings(endpoints, m.filestoresPos, 'filestore'));
    }
    const files = checkFileNames(m.files, out);
    for (const store of usable.filter((s) => !s.src)) {
      const base = normalizeBase(store.base);
      for (const f of files.values()) {
        const dest = base + f.name;
        const prior = byDest.get(dest);
        if (!prior) byDest.set(dest, { sha256: f.sha256, pos: f.pos });
        else if (prior.sha256 !== f.sha256) {
          const key = `${f.pos.file}:${f.pos.line}`;
          const c = conflicts.get(key) ?? { f, other: prior, count: 0, dest };
          c.count++;
          conflicts.set(key, c);
        }
      }
    }
  }
  for (const { f, other, count, dest } of conflicts.values()) {
    const where = count === 1 ? dest : `${dest} and ${count - 1} more destinations`;
    out.push(
      finding(
        'file-conflict',
        f.pos,
        `${where} gets sha256 ${f.sha256} here but ${other.sha256} from ${other.pos.file}:${other.pos.line}`,
      ),
    );
  }
  return out;
}
