/** Reads an images list (images/<project>/images.yaml): the fast path when canonical, else full YAML. */
import type { Finding } from '../domain/finding.js';
import type { ImageSpec } from '../domain/manifest-model.js';
import { readImagesFast } from './images-fast-path.js';
import { readImages } from './read-image-parts.js';
import { checkManifestText, readManifestBytes } from './read-yaml.js';
import { matchesSchema } from './schema-check.js';
import type { TreeReader } from './tree.js';
import { decodeText, notText } from './yaml-file.js';

/** The images of one list and what was wrong with it. */
export interface ImagesRead {
  images: ImageSpec[];
  findings: Finding[];
}

/** Reads and checks an images list; any problem sends it through the full parser for exact locations. */
export async function readImagesFile(tree: TreeReader, path: string): Promise<ImagesRead> {
  const bytes = await readManifestBytes(tree, path);
  if (!Buffer.isBuffer(bytes)) return { images: [], findings: [bytes] };
  const text = decodeText(bytes);
  if (typeof text !== 'string') return { images: [], findings: [notText(path, text.problem)] };
  const fast = readImagesFast(path, text);
  if (fast && matchesSchema('images', fast.data)) return { images: fast.images, findings: [] };
  const read = checkManifestText(path, text, 'images');
  return {
    images: read.yaml ? readImages(read.yaml, read.yaml.doc.contents, '') : [],
    findings: read.findings,
  };
}
