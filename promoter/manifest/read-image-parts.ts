/** Turns the YAML of `registries:` and `images:` into the manifest model, keeping every position. */

import { isMap } from 'yaml';
import { DIGEST_PATTERN, type Digest } from '../domain/digest.js';
import { type Finding, finding } from '../domain/finding.js';
import type { DigestSpec, ImageSpec, RegistrySpec, TagSpec } from '../domain/manifest-model.js';
import { TAG_PATTERN } from '../domain/tag.js';
import { type YamlFile } from './yaml-file.js';
import { pointer } from './json-pointer.js';
import { mapEntries, mapEntry, posOf, resolve, scalarBool, scalarString, seqItems } from './yaml-nodes.js';

/** Reads a `registries:` list; entries without a string name are skipped (the schema reported them). */
export function readRegistries(y: YamlFile, node: unknown, path: string): RegistrySpec[] {
  const out: RegistrySpec[] = [];
  seqItems(y, node).forEach((item, i) => {
    const name = scalarString(mapEntry(y, item, 'name')?.value);
    if (name === undefined) return;
    const sa = scalarString(mapEntry(y, item, 'service-account')?.value);
    out.push({
      name,
      src: scalarBool(mapEntry(y, item, 'src')?.value) === true,
      ...(sa === undefined ? {} : { serviceAccount: sa }),
      pos: posOf(y, mapEntry(y, item, 'name')?.value, pointer(path, i, 'name')),
    });
  });
  return out;
}

function readTags(y: YamlFile, node: unknown, path: string): TagSpec[] {
  const out: TagSpec[] = [];
  seqItems(y, node).forEach((item, i) => {
    const tag = scalarString(item);
    if (tag !== undefined && TAG_PATTERN.test(tag)) out.push({ tag, pos: posOf(y, item, pointer(path, i)) });
  });
  return out;
}

/** Reads an images list; malformed entries, digests and tags are skipped (the schema reported them). */
export function readImages(y: YamlFile, node: unknown, path: string): ImageSpec[] {
  const out: ImageSpec[] = [];
  seqItems(y, node).forEach((item, i) => {
    const nameEntry = mapEntry(y, item, 'name');
    const name = scalarString(nameEntry?.value);
    if (name === undefined) return;
    const dmap = resolve(y, mapEntry(y, item, 'dmap')?.value);
    if (!isMap(dmap)) return; // the schema reported the missing or mistyped dmap
    const digests: DigestSpec[] = [];
    const dmapPath = pointer(path, i, 'dmap');
    for (const e of mapEntries(y, dmap)) {
      if (!DIGEST_PATTERN.test(e.key)) continue;
      const digestPath = pointer(dmapPath, e.key);
      digests.push({
        digest: e.key as Digest,
        tags: readTags(y, e.value, digestPath),
        pos: posOf(y, e.keyNode, digestPath),
      });
    }
    out.push({ name, digests, pos: posOf(y, nameEntry?.value, pointer(path, i, 'name')) });
  });
  return out;
}

/** The message for kpromo's deprecated, ignored `imagesPath`. */
export const DEPRECATED_IMAGES_PATH =
  '"imagesPath" is deprecated and ignored: images always come from images/<project>/images.yaml';

/** Findings for kpromo-only fields of a manifest mapping: `imagesPath` (ignored) and `provenance`. */
export function kpromoFieldFindings(y: YamlFile, root: unknown): Finding[] {
  const out: Finding[] = [];
  const imagesPath = mapEntry(y, root, 'imagesPath');
  if (imagesPath) {
    out.push(
      finding('deprecated-field', posOf(y, imagesPath.keyNode, '/imagesPath'), DEPRECATED_IMAGES_PATH),
    );
  }
  const provenance = mapEntry(y, root, 'provenance');
  const mode = scalarString(mapEntry(y, provenance?.value, 'mode')?.value);
  if (provenance && mode !== undefined && mode !== 'off') {
    out.push(
      finding(
        'provenance-unsupported',
        posOf(y, provenance.keyNode, '/provenance'),
        `provenance policy mode "${mode}" is not enforced by promoter: images are promoted without provenance verification`,
      ),
    );
  }
  return out;
}
