/** Turns the YAML of `filestores:` and `files:` into the manifest model, keeping every position. */
import { type Finding, finding } from '../domain/finding.js';
import type { FileSpec, FilestoreSpec } from '../domain/manifest-model.js';
import { type YamlFile } from './yaml-file.js';
import { pointer } from './json-pointer.js';
import { mapEntry, posOf, scalarBool, scalarString, seqItems } from './yaml-nodes.js';

/** Reads a `filestores:` list; entries without a string base are skipped (the schema reported them). */
export function readFilestores(y: YamlFile, node: unknown, path: string): FilestoreSpec[] {
  const out: FilestoreSpec[] = [];
  seqItems(y, node).forEach((item, i) => {
    const baseEntry = mapEntry(y, item, 'base');
    const base = scalarString(baseEntry?.value);
    if (base === undefined) return;
    const sa = scalarString(mapEntry(y, item, 'service-account')?.value);
    out.push({
      base,
      src: scalarBool(mapEntry(y, item, 'src')?.value) === true,
      ...(sa === undefined ? {} : { serviceAccount: sa }),
      pos: posOf(y, baseEntry?.value, pointer(path, i, 'base')),
    });
  });
  return out;
}

/**
 * Reads a `files:` list; entries without a name or a 64-hex sha256 are skipped (the schema reported them).
 * Uppercase hex (which kpromo accepts) is stored lowercase with a warning.
 */
export function readFiles(
  y: YamlFile,
  node: unknown,
  path: string,
): { files: FileSpec[]; findings: Finding[] } {
  const files: FileSpec[] = [];
  const findings: Finding[] = [];
  seqItems(y, node).forEach((item, i) => {
    const nameEntry = mapEntry(y, item, 'name');
    const name = scalarString(nameEntry?.value);
    const sha = scalarString(mapEntry(y, item, 'sha256')?.value);
    if (name === undefined || sha === undefined || !/^[0-9a-fA-F]{64}$/.test(sha)) return;
    const sha256 = sha.toLowerCase();
    if (sha256 !== sha) {
      const pos = posOf(y, mapEntry(y, item, 'sha256')?.value, pointer(path, i, 'sha256'));
      findings.push(
        finding('sha256-uppercase', pos, `sha256 of ${name} uses uppercase hex; write it lowercase`),
      );
    }
    files.push({ name, sha256, pos: posOf(y, nameEntry?.value, pointer(path, i, 'name')) });
  });
  return { files, findings };
}
