/** The files of an OCI image layout: `oci-layout`, `index.json`, `blobs/sha256/<hex>`, written atomically. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Descriptor } from '../../../domain/descriptor.js';
import type { Digest } from '../../../domain/digest.js';
import { MediaTypes } from '../../../domain/media-types.js';
import { InputError } from '../../../errors.js';

/** The annotation that names a tag in index.json. */
export const REF_NAME = 'org.opencontainers.image.ref.name';

/** index.json as promoter reads and writes it. */
export interface LayoutIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** The path of a blob in a layout. */
export function blobPath(dir: string, digest: Digest): string {
  return join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

/** A unique temporary name beside `path`, for write-then-rename. */
export function tempPath(path: string): string {
  return `${path}.tmp-${randomBytes(6).toString('hex')}`;
}

/** Writes a file atomically (a reader sees the old or the new content, never half of it). */
export async function writeAtomic(path: string, data: Buffer | string): Promise<void> {
  const tmp = tempPath(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** True when `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Creates the layout's skeleton when missing. */
export async function ensureLayout(dir: string): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  if (!(await exists(join(dir, 'oci-layout'))))
    await writeAtomic(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  if (!(await exists(join(dir, 'index.json')))) {
    await writeAtomic(
      join(dir, 'index.json'),
      JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] }),
    );
  }
}

/** Reads index.json; an absent layout reads as empty. */
export async function readIndex(dir: string): Promise<LayoutIndex> {
  let text: string;
  try {
    text = await readFile(join(dir, 'index.json'), 'utf8');
  } catch {
    return { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] };
  }
  try {
    const index = JSON.parse(text) as LayoutIndex;
    if (!Array.isArray(index.manifests)) throw new Error('no manifests list');
    return index;
  } catch (err) {
    throw new InputError(`${join(dir, 'index.json')} is not a valid OCI index: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Writes index.json atomically. */
export async function writeIndex(dir: string, index: LayoutIndex): Promise<void> {
  await writeAtomic(join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
}
