/** Reads one manifest file from a tree: size limit, YAML parse, schema check, all as findings. */
import { type Finding, filePos, finding } from '../domain/finding.js';
import { errorMessage, FileTooLargeError } from '../errors.js';
import { type SchemaKind, schemaFindings } from './schema-check.js';
import type { TreeReader } from './tree.js';
import { MAX_MANIFEST_BYTES, parseYamlFile, type YamlFile } from './yaml-file.js';

/** A file read for a loader: the YAML (absent when unusable) and everything found wrong with it. */
export interface ManifestFileRead {
  yaml: YamlFile | undefined;
  findings: Finding[];
  /** True when the file passed its schema, so readers may rely on its structure. */
  schemaValid: boolean;
}

/** Reads the bytes of a manifest file, or the finding that explains why it cannot be read. */
export async function readManifestBytes(tree: TreeReader, path: string): Promise<Buffer | Finding> {
  try {
    return await tree.read(path, MAX_MANIFEST_BYTES);
  } catch (err) {
    const code = err instanceof FileTooLargeError ? 'file-too-large' : 'file-unreadable';
    const message =
      err instanceof FileTooLargeError
        ? `${path} is ${err.size} bytes; manifest files are limited to ${MAX_MANIFEST_BYTES} bytes`
        : `cannot read ${path}: ${errorMessage(err)}`;
    return finding(code, filePos(path), message);
  }
}

/** Parses and schema-checks text or bytes already read from `path`. */
export function checkManifestText(
  path: string,
  content: Buffer | string,
  kind: SchemaKind,
): ManifestFileRead {
  // promoter.yaml has numeric fields; the kpromo formats have none, and kpromo reads their numbers as text.
  const parsed = parseYamlFile(path, content, { numbersAsText: kind !== 'promoter' });
  if (!parsed.yaml) return { yaml: undefined, findings: parsed.findings, schemaValid: false };
  const schema = schemaFindings(kind, parsed.yaml);
  return { yaml: parsed.yaml, findings: [...parsed.findings, ...schema], schemaValid: schema.length === 0 };
}

/** Reads, parses and schema-checks `path` as a file of `kind`. */
export async function readManifestFile(
  tree: TreeReader,
  path: string,
  kind: SchemaKind,
): Promise<ManifestFileRead> {
  const bytes = await readManifestBytes(tree, path);
  if (!Buffer.isBuffer(bytes)) return { yaml: undefined, findings: [bytes], schemaValid: false };
  return checkManifestText(path, bytes, kind);
}
