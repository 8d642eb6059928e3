/** Reads a thin manifest (manifests/<project>/promoter-manifest.yaml): fast path when canonical, else full YAML. */
import { type Finding, finding, type SourcePos } from '../domain/finding.js';
import type { RegistrySpec } from '../domain/manifest-model.js';
import { DEPRECATED_IMAGES_PATH, kpromoFieldFindings, readRegistries } from './read-image-parts.js';
import { checkManifestText, readManifestBytes } from './read-yaml.js';
import { readRegistriesFast } from './registries-fast-path.js';
import { matchesSchema } from './schema-check.js';
import type { TreeReader } from './tree.js';
import { decodeText, notText } from './yaml-file.js';
import { mapEntry, posOf } from './yaml-nodes.js';

/** The registries of one thin manifest and what was wrong with it (undefined registries: unusable file). */
export interface RegistriesRead {
  registries: RegistrySpec[] | undefined;
  registriesPos: SourcePos;
  findings: Finding[];
}

/** Reads and checks a thin manifest; any problem sends it through the full parser for exact locations. */
export async function readRegistriesFile(tree: TreeReader, path: string): Promise<RegistriesRead> {
  const top: SourcePos = { file: path, line: 1, column: 1, path: '' };
  const bytes = await readManifestBytes(tree, path);
  if (!Buffer.isBuffer(bytes)) return { registries: undefined, registriesPos: top, findings: [bytes] };
  const text = decodeText(bytes);
  if (typeof text !== 'string')
    return { registries: undefined, registriesPos: top, findings: [notText(path, text.problem)] };
  const fast = readRegistriesFast(path, text);
  if (fast && matchesSchema('promoter-manifest', fast.data)) {
    const findings = fast.imagesPathPos
      ? [finding('deprecated-field', fast.imagesPathPos, DEPRECATED_IMAGES_PATH)]
      : [];
    return { registries: fast.registries, registriesPos: fast.registriesPos, findings };
  }
  const read = checkManifestText(path, text, 'promoter-manifest');
  if (!read.yaml) return { registries: undefined, registriesPos: top, findings: read.findings };
  const root = read.yaml.doc.contents;
  const entry = mapEntry(read.yaml, root, 'registries');
  return {
    registries: readRegistries(read.yaml, entry?.value, '/registries'),
    registriesPos: posOf(read.yaml, entry?.keyNode, '/registries'),
    findings: [...read.findings, ...kpromoFieldFindings(read.yaml, root)],
  };
}
