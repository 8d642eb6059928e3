/** Writes a kpromo file list (`files:` with name and sha256 per file), as `promoter manifest files` prints it. */
import { stringify } from 'yaml';
import type { HashedFile } from '../observe/hash-files.js';

/** The YAML of a file list. */
export function formatFilesManifest(files: HashedFile[]): string {
  return stringify({ files: files.map((f) => ({ name: f.name, sha256: f.sha256 })) }, { lineWidth: 0 });
}
