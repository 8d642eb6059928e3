/**
 * ImageStore over OCI image layout directories (the format skopeo, oras and regclient write): the root
 * directory is one repository, and repository `a/b` is the layout in subdirectory `a/b`. Blobs are written
 * to a temporary file while their digest is checked and renamed into place only when it matches; index.json
 * changes are atomic and serialized per layout. Untagged manifests stay listed in index.json (so nothing
 * collects them) until an index that references them arrives.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Descriptor } from '../../../domain/descriptor.js';
import { type Digest, isDigest } from '../../../domain/digest.js';
import { digestOf, type ManifestBytes, parseManifest } from '../../../domain/manifest-content.js';
import { IntegrityError, InvalidManifestError, NotFoundError } from '../../../errors.js';
import { DigestMeter } from '../../../streams/digest-meter.js';
import type {
  BlobRead,
  FetchedManifest,
  ImageStore,
  ManifestHead,
  ReferrersLister,
  TagDigestLister,
  TagListing,
} from '../image-store.js';
import { referrersTag } from '../image-store.js';
import { updateReferrersIndex } from '../referrers-index.js';
import {
  blobPath,
  ensureLayout,
  exists,
  type LayoutIndex,
  readIndex,
  REF_NAME,
  tempPath,
  writeAtomic,
  writeIndex,
} from './layout-files.js';

const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;

/** The layouts below one root directory. */
export class OciLayoutStore implements ImageStore, ReferrersLister, TagDigestLister {
  readonly description: string;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly root: string) {
    this.description = `oci-layout ${root}`;
  }

  private dir(repo: string): string {
    if (repo.split('/').some((s) => s === '..' || s === '.'))
      throw new NotFoundError(`invalid repository "${repo}"`);
    return repo === '' ? this.root : join(this.root, ...repo.split('/'));
  }

  /** Runs index.json read-modify-write operations of one layout one at a time. */
  private async withIndex<T>(dir: string, fn: (index: LayoutIndex) => Promise<T> | T): Promise<T> {
    const prior = this.locks.get(dir) ?? Promise.resolve();
    const run = prior.then(async () => {
      await ensureLayout(dir);
      return fn(await readIndex(dir));
    });
    this.locks.set(
      dir,
      run.catch(() => undefined),
    );
    return run;
  }

  async listTags(repo: string): Promise<string[]> {
    return (await this.listTagDigests(repo)).tags;
  }

  /** Tags and every listed digest, from index.json alone. */
  async listTagDigests(repo: string): Promise<TagListing> {
    const index = await readIndex(this.dir(repo));
    const digests = new Map<Digest, { tags: string[]; mediaType?: string }>();
    for (const d of index.manifests) {
      const entry = digests.get(d.digest) ?? { tags: [], mediaType: d.mediaType };
      const tag = d.annotations?.[REF_NAME];
      if (tag) entry.tags.push(tag);
      digests.set(d.digest, entry);
    }
    return { tags: [...new Set([...digests.values()].flatMap((e) => e.tags))], digests };
  }

  private async descriptorFor(repo: string, ref: string): Promise<Descriptor | undefined> {
    const dir = this.dir(repo);
    if (isDigest(ref)) {
      const listed = (await readIndex(dir)).manifests.find((d) => d.digest === ref);
      if (listed) return listed;
      const path = blobPath(dir, ref);
      if (!(await exists(path))) return undefined;
      const bytes = await readFile(path);
      return {
        mediaType: parseManifest({ bytes, mediaType: '' }).mediaType,
        digest: ref,
        size: bytes.length,
      };
    }
    return (await readIndex(dir)).manifests.find((d) => d.annotations?.[REF_NAME] === ref);
  }

  async headManifest(repo: string, ref: string): Promise<ManifestHead | undefined> {
    const d = await this.descriptorFor(repo, ref);
    if (!d || !(await exists(blobPath(this.dir(repo), d.digest)))) return undefined;
    return { digest: d.digest, mediaType: d.mediaType, size: d.size };
  }

  async getManifest(repo: string, ref: string): Promise<FetchedManifest> {
    const d = await this.descriptorFor(repo, ref);
    if (!d)
      throw new NotFoundError(`manifest ${ref} not found in ${this.description}${repo ? `/${repo}` : ''}`);
    const path = blobPath(this.dir(repo), d.digest);
    const s = await stat(path).catch(() => undefined);
    if (!s)
      throw new NotFoundError(
        `manifest ${d.digest} is listed but its blob is missing in ${this.description}`,
      );
    if (s.size > MAX_MANIFEST_SIZE)
      throw new InvalidManifestError(`manifest ${d.digest} is larger than ${MAX_MANIFEST_SIZE} bytes`);
    const bytes = await readFile(path);
    const digest = digestOf(bytes);
    if (digest !== d.digest) throw new IntegrityError(`${path} has digest ${digest}, expected ${d.digest}`);
    return { bytes, mediaType: d.mediaType, digest };
  }

  async putManifest(repo: string, ref: string, manifest: ManifestBytes): Promise<void> {
    const dir = this.dir(repo);
    const digest = digestOf(manifest.bytes);
    if (isDigest(ref) && ref !== digest)
      throw new IntegrityError(`manifest bytes have digest ${digest}, not ${ref}`);
    const content = parseManifest(manifest);
    await ensureLayout(dir);
    for (const d of [...content.manifests, ...(content.config ? [content.config] : []), ...content.layers]) {
      if (d.urls?.length) continue;
      if (!(await exists(blobPath(dir, d.digest)))) {
        throw new NotFoundError(
          `cannot store ${digest}: it references ${d.digest}, which ${this.description}/${repo} does not hold`,
        );
      }
    }
    const path = blobPath(dir, digest);
    if (!(await exists(path))) await writeAtomic(path, manifest.bytes);
    const entry: Descriptor = { mediaType: content.mediaType, digest, size: manifest.bytes.length };
    const children = new Set(content.manifests.map((d) => d.digest));
    await this.withIndex(dir, async (index) => {
      let list = index.manifests.filter((d) => !(children.has(d.digest) && !d.annotations?.[REF_NAME]));
      if (isDigest(ref)) {
        if (!list.some((d) => d.digest === digest)) list.push(entry);
      } else {
        list = list.filter(
          (d) => d.annotations?.[REF_NAME] !== ref && !(d.digest === digest && !d.annotations?.[REF_NAME]),
        );
        list.push({ ...entry, annotations: { [REF_NAME]: ref } });
      }
      await writeIndex(dir, { ...index, manifests: list });
    });
    if (content.subject) {
      const referrer: Descriptor = { ...entry };
      const type = content.artifactType ?? content.config?.mediaType;
      if (type) referrer.artifactType = type;
      await updateReferrersIndex(this, repo, content.subject.digest, referrer);
    }
  }

  async deleteManifest(repo: string, digest: Digest): Promise<void> {
    const dir = this.dir(repo);
    const removed = await this.withIndex(dir, async (index) => {
      const kept = index.manifests.filter((d) => d.digest !== digest);
      if (kept.length === index.manifests.length) return false;
      await writeIndex(dir, { ...index, manifests: kept });
      return true;
    });
    if (!removed) throw new NotFoundError(`manifest ${digest} not found in ${this.description}/${repo}`);
  }

  async deleteTag(repo: string, tag: string): Promise<void> {
    const dir = this.dir(repo);
    const removed = await this.withIndex(dir, async (index) => {
      const kept = index.manifests.filter((d) => d.annotations?.[REF_NAME] !== tag);
      if (kept.length === index.manifests.length) return false;
      await writeIndex(dir, { ...index, manifests: kept });
      return true;
    });
    if (!removed) throw new NotFoundError(`tag ${tag} not found in ${this.description}/${repo}`);
  }

  async headBlob(repo: string, digest: Digest): Promise<number | undefined> {
    const s = await stat(blobPath(this.dir(repo), digest)).catch(() => undefined);
    return s?.isFile() ? s.size : undefined;
  }

  async getBlob(repo: string, digest: Digest): Promise<BlobRead> {
    const size = await this.headBlob(repo, digest);
    if (size === undefined)
      throw new NotFoundError(`blob ${digest} not found in ${this.description}${repo ? `/${repo}` : ''}`);
    return {
      stream: createReadStream(blobPath(this.dir(repo), digest), { highWaterMark: 256 * 1024 }),
      size,
    };
  }

  async putBlob(repo: string, desc: Descriptor, body: Readable): Promise<void> {
    const dir = this.dir(repo);
    await ensureLayout(dir);
    const path = blobPath(dir, desc.digest);
    const tmp = tempPath(path);
    const meter = new DigestMeter(desc, `blob ${desc.digest} for ${this.description}`);
    try {
      await pipeline(body, meter, createWriteStream(tmp));
      meter.verify();
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async listReferrers(repo: string, subject: Digest, artifactType?: string): Promise<Descriptor[]> {
    try {
      const list = parseManifest(await this.getManifest(repo, referrersTag(subject))).manifests;
      return artifactType ? list.filter((d) => d.artifactType === artifactType) : list;
    } catch (err) {
      if (err instanceof NotFoundError) return [];
      throw err;
    }
  }
}
