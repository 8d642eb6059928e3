/**
 * ImageStore over the OCI distribution API (`/v2/`): tags with Link pagination, manifests of every media
 * type by tag or digest, blobs, uploads (monolithic, chunked, cross-repository mount) and the referrers API
 * with the `sha256-<hex>` tag fallback. Plain http only for loopback hosts or registries configured insecure.
 */
import type { Readable } from 'node:stream';
import type { Descriptor } from '../../domain/descriptor.js';
import type { Digest } from '../../domain/digest.js';
import { digestOf, type ManifestBytes, parseManifest } from '../../domain/manifest-content.js';
import { MANIFEST_MEDIA_TYPES, MediaTypes } from '../../domain/media-types.js';
import { AuthError, IntegrityError, NotFoundError, RequestRejectedError } from '../../errors.js';
import { header, type HttpRequest, type HttpResponse, type Transport } from '../http/transport.js';
import { type Authenticator, type Scope } from './auth/authenticator.js';
import { uploadBlob } from './blob-upload.js';
import type {
  BlobMounter,
  BlobRead,
  FetchedManifest,
  ImageStore,
  ManifestHead,
  PutBlobOptions,
  ReferrersApi,
  ReferrersLister,
  TagDigestLister,
  TagListing,
} from './image-store.js';
import { referrersTag } from './image-store.js';
import { updateReferrersIndex } from './referrers-index.js';
import { deleteTagByPlaceholder } from './tag-delete.js';
import { registryError } from './registry-errors.js';

/** Largest manifest accepted (the distribution spec's recommended limit). */
export const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;

/** How to reach one registry. */
export interface RegistryStoreOptions {
  /** `host[:port]` as in image references. */
  host: string;
  transport: Transport;
  authenticator: Authenticator;
  /** Allow plain http for a host that is not loopback. */
  insecure?: boolean;
  /** Bytes per PATCH in a chunked upload (default 16 MiB). */
  chunkSize?: number;
  /** Blobs larger than this upload in chunks (default 512 MiB). */
  chunkedAbove?: number;
}

/** True for localhost and loopback addresses (where plain http is the norm for test and dev registries). */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

const pull = (repository: string): Scope[] => [{ repository, actions: ['pull'] }];
const push = (repository: string): Scope[] => [{ repository, actions: ['pull', 'push'] }];

/** Reads at most `limit` bytes of a body as text and discards the rest. */
async function readSmall(res: HttpResponse, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res.body as AsyncIterable<Buffer>) {
    if (n < limit) chunks.push(c.subarray(0, limit - n));
    n += c.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a whole body, refusing one larger than `limit`. */
async function readAll(res: HttpResponse, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res.body as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) {
      res.body.destroy();
      throw new RequestRejectedError(`${what}: larger than ${limit} bytes`);
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks, n);
}

/** One registry host. */
export class RegistryStore
  implements ImageStore, BlobMounter, ReferrersLister, ReferrersApi, TagDigestLister
{
  readonly description: string;
  readonly host: string;
  private readonly base: string;
  private readonly locks = new Map<string, Promise<void>>();

  constructor(private readonly opts: RegistryStoreOptions) {
    this.host = opts.host;
    const plain = opts.insecure === true || isLoopbackHost(opts.host);
    this.base = `${plain ? 'http' : 'https'}://${opts.host}`;
    this.description = `registry ${opts.host}`;
  }

  /** Sends a request with authentication; a 401 is answered once (when the body can be sent again). */
  async send(req: Omit<HttpRequest, 'url'> & { path: string }, scopes: Scope[]): Promise<HttpResponse> {
    const url = new URL(req.path, this.base);
    const auth = await this.opts.authenticator.header(this.host, scopes);
    const withAuth = (h: string | undefined) => ({
      ...req,
      url,
      headers: { ...req.headers, ...(h ? { authorization: h } : {}) },
    });
    const res = await this.opts.transport.request(withAuth(auth));
    if (res.status !== 401) return res;
    await res.body.dump();
    const replayable = req.body === undefined || typeof req.body === 'string' || Buffer.isBuffer(req.body);
    const retryAuth = await this.opts.authenticator.challenge(
      this.host,
      header(res.headers, 'www-authenticate'),
      scopes,
      auth,
    );
    if (!replayable)
      throw new AuthError(
        `${req.method} ${req.path} on ${this.host}: authentication expired during the upload`,
        { host: this.host, status: 401 },
      );
    const again = await this.opts.transport.request(withAuth(retryAuth));
    if (again.status === 401) {
      await again.body.dump();
      throw new AuthError(`${req.method} ${req.path} on ${this.host}: credentials refused`, {
        host: this.host,
        status: 401,
      });
    }
    return again;
  }

  /** Throws the catalogued error for a failed response. */
  async fail(what: string, res: HttpResponse): Promise<never> {
    const err = registryError(what, this.host, res.status, res.headers, await readSmall(res));
    if (res.exhausted) err.details.exhausted = true;
    throw err;
  }

  /** Checks that the registry answers `/v2/` (authenticating if it asks to). */
  async ping(): Promise<void> {
    const res = await this.send({ method: 'GET', path: '/v2/', kind: 'ping' }, []);
    if (res.status !== 200) await this.fail('pinging', res);
    await res.body.dump();
  }

  async listTags(repo: string): Promise<string[]> {
    return (await this.listTagDigests(repo)).tags;
  }

  /**
   * Every tag (all pages). Google's registries add a `manifest` map (digest → tags, media type) to the
   * answer; when present, it is returned too, and it lists every digest of the repository.
   */
  async listTagDigests(repo: string): Promise<TagListing> {
    const tags: string[] = [];
    let digests: TagListing['digests'];
    let path: string | undefined = `/v2/${repo}/tags/list?n=1000`;
    for (let page = 0; path && page < 10_000; page++) {
      const res = await this.send({ method: 'GET', path, kind: 'tags' }, pull(repo));
      if (res.status === 404) {
        await res.body.dump();
        // No such repository: nothing in it.
        if (page === 0) return { tags, digests: new Map(), complete: true };
        return { tags, digests, complete: digests !== undefined };
      }
      if (res.status !== 200) await this.fail(`listing tags of ${repo}`, res);
      const body = JSON.parse((await readAll(res, 64 * 1024 * 1024, `tags of ${repo}`)).toString('utf8')) as {
        tags?: string[] | null;
        manifest?: Record<string, { tag?: string[]; mediaType?: string }>;
      };
      tags.push(...(body.tags ?? []));
      if (body.manifest && typeof body.manifest === 'object') {
        digests ??= new Map();
        for (const [digest, info] of Object.entries(body.manifest)) {
          if (!digest.startsWith('sha256:')) continue;
          digests.set(digest as Digest, {
            tags: Array.isArray(info?.tag) ? info.tag : [],
            ...(info?.mediaType ? { mediaType: info.mediaType } : {}),
          });
        }
      }
      path = nextLink(header(res.headers, 'link'));
    }
    return { tags, digests, complete: digests !== undefined };
  }

  /** Deletes one tag, leaving its digest and the digest's other tags: DELETE by tag where the registry allows it, else a placeholder swap. */
  async deleteTag(repo: string, tag: string): Promise<void> {
    const res = await this.send(
      { method: 'DELETE', path: `/v2/${repo}/manifests/${tag}`, kind: 'manifest' },
      [{ repository: repo, actions: ['delete', 'pull', 'push'] }],
    );
    await res.body.dump();
    if (res.status === 202 || res.status === 200) return;
    if (res.status === 404)
      throw registryError(`deleting tag ${repo}:${tag}`, this.host, 404, res.headers, '');
    // Registries that delete by digest only (the CNCF registry answers 400): point the tag at a placeholder
    // manifest of its own, then delete that placeholder by digest, which takes the tag with it.
    await deleteTagByPlaceholder(this, repo, tag);
  }

  async headManifest(repo: string, ref: string): Promise<ManifestHead | undefined> {
    const res = await this.send(
      {
        method: 'HEAD',
        path: `/v2/${repo}/manifests/${ref}`,
        headers: { accept: MANIFEST_MEDIA_TYPES.join(', ') },
        kind: 'manifest',
      },
      pull(repo),
    );
    await res.body.dump();
    if (res.status === 404) return undefined;
    if (res.status !== 200) await this.fail(`checking manifest ${repo}:${ref}`, res);
    const digest = header(res.headers, 'docker-content-digest') as Digest | undefined;
    const mediaType = header(res.headers, 'content-type') ?? '';
    const size = Number(header(res.headers, 'content-length') ?? -1);
    if (!digest) {
      // Some registries omit the digest on HEAD; fall back to fetching.
      const m = await this.getManifest(repo, ref);
      return { digest: m.digest, mediaType: m.mediaType, size: m.bytes.length };
    }
    return { digest, mediaType, size };
  }

  async getManifest(repo: string, ref: string): Promise<FetchedManifest> {
    const res = await this.send(
      {
        method: 'GET',
        path: `/v2/${repo}/manifests/${ref}`,
        headers: { accept: MANIFEST_MEDIA_TYPES.join(', ') },
        kind: 'manifest',
      },
      pull(repo),
    );
    if (res.status !== 200) await this.fail(`getting manifest ${repo}:${ref}`, res);
    const bytes = await readAll(res, MAX_MANIFEST_SIZE, `manifest ${repo}:${ref}`);
    const digest = digestOf(bytes);
    const claimed = header(res.headers, 'docker-content-digest');
    if (
      (ref.startsWith('sha256:') && ref !== digest) ||
      (claimed && claimed.startsWith('sha256:') && claimed !== digest)
    ) {
      throw new IntegrityError(
        `manifest ${repo}:${ref} from ${this.host} has digest ${digest}, expected ${ref.startsWith('sha256:') ? ref : claimed}`,
      );
    }
    const contentType = header(res.headers, 'content-type')?.split(';')[0]?.trim() ?? '';
    return { bytes, mediaType: contentType, digest };
  }

  async putManifest(repo: string, ref: string, manifest: ManifestBytes): Promise<void> {
    const res = await this.send(
      {
        method: 'PUT',
        path: `/v2/${repo}/manifests/${ref}`,
        headers: { 'content-type': manifest.mediaType },
        body: manifest.bytes,
        kind: 'manifest',
      },
      push(repo),
    );
    if (res.status !== 201 && res.status !== 200) await this.fail(`putting manifest ${repo}:${ref}`, res);
    await res.body.dump();
    const digest = digestOf(manifest.bytes);
    const stored = header(res.headers, 'docker-content-digest');
    if (stored && stored !== digest)
      throw new IntegrityError(
        `${this.host} stored manifest ${repo}:${ref} as ${stored}, expected ${digest}`,
      );
    const content = parseManifest(manifest);
    // A registry without the referrers API does not answer OCI-Subject; keep the fallback tag index current.
    if (content.subject && !header(res.headers, 'oci-subject') && ref.startsWith('sha256:')) {
      const entry: Descriptor = { mediaType: content.mediaType, digest, size: manifest.bytes.length };
      if (content.artifactType ?? content.config?.mediaType)
        entry.artifactType = content.artifactType ?? content.config!.mediaType;
      await this.serialized(`${repo}@${content.subject.digest}`, () =>
        updateReferrersIndex(this, repo, content.subject!.digest, entry),
      );
    }
  }

  async deleteManifest(repo: string, digest: Digest): Promise<void> {
    const res = await this.send(
      { method: 'DELETE', path: `/v2/${repo}/manifests/${digest}`, kind: 'manifest' },
      [{ repository: repo, actions: ['delete', 'pull', 'push'] }],
    );
    if (res.status !== 202 && res.status !== 200) await this.fail(`deleting manifest ${repo}@${digest}`, res);
    await res.body.dump();
  }

  async headBlob(repo: string, digest: Digest): Promise<number | undefined> {
    const res = await this.send(
      { method: 'HEAD', path: `/v2/${repo}/blobs/${digest}`, kind: 'blob' },
      pull(repo),
    );
    await res.body.dump();
    if (res.status === 404) return undefined;
    if (res.status !== 200) await this.fail(`checking blob ${repo}@${digest}`, res);
    return Number(header(res.headers, 'content-length') ?? -1);
  }

  async getBlob(repo: string, digest: Digest): Promise<BlobRead> {
    const res = await this.send(
      { method: 'GET', path: `/v2/${repo}/blobs/${digest}`, kind: 'blob' },
      pull(repo),
    );
    if (res.status !== 200) await this.fail(`getting blob ${repo}@${digest}`, res);
    const length = header(res.headers, 'content-length');
    return {
      stream: res.body as unknown as Readable,
      size: length === undefined ? undefined : Number(length),
    };
  }

  async putBlob(repo: string, desc: Descriptor, body: Readable, opts: PutBlobOptions = {}): Promise<void> {
    const chunked = opts.chunked === true || desc.size > (this.opts.chunkedAbove ?? 512 * 1024 * 1024);
    await uploadBlob(this, repo, desc, body, { chunked, chunkSize: this.opts.chunkSize ?? 16 * 1024 * 1024 });
  }

  async mountBlob(repo: string, digest: Digest, fromRepo: string): Promise<boolean> {
    const path = `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepo)}`;
    const res = await this.send({ method: 'POST', path, kind: 'upload' }, [...push(repo), ...pull(fromRepo)]);
    if (res.status === 201) {
      await res.body.dump();
      return true;
    }
    if (res.status === 202) {
      // The registry opened an ordinary upload session instead: close it, the caller uploads.
      await res.body.dump();
      const location = header(res.headers, 'location');
      if (location) await this.cancelUpload(repo, location);
      return false;
    }
    return this.fail(`mounting blob ${digest} from ${fromRepo} into ${repo}`, res);
  }

  /** Best-effort cancellation of an upload session. */
  async cancelUpload(repo: string, location: string): Promise<void> {
    try {
      const url = new URL(location, this.base);
      const res = await this.send(
        { method: 'DELETE', path: url.pathname + url.search, kind: 'upload' },
        push(repo),
      );
      await res.body.dump();
    } catch {
      // The session expires on its own; nothing was committed.
    }
  }

  async referrersApi(repo: string, subject: Digest): Promise<Descriptor[] | undefined> {
    const res = await this.send(
      {
        method: 'GET',
        path: `/v2/${repo}/referrers/${subject}`,
        headers: { accept: MediaTypes.ociIndex },
        kind: 'referrers',
      },
      pull(repo),
    );
    if (res.status === 200 && (header(res.headers, 'content-type') ?? '').includes(MediaTypes.ociIndex)) {
      const bytes = await readAll(res, MAX_MANIFEST_SIZE, 'referrers');
      return parseManifest({ bytes, mediaType: MediaTypes.ociIndex }).manifests;
    }
    await res.body.dump();
    if (res.status === 404 || res.status === 200) return undefined;
    return this.fail(`listing referrers of ${repo}@${subject}`, res);
  }

  async listReferrers(repo: string, subject: Digest, artifactType?: string): Promise<Descriptor[]> {
    const list = (await this.referrersApi(repo, subject)) ?? (await this.referrersFromTag(repo, subject));
    return artifactType ? list.filter((d) => d.artifactType === artifactType) : list;
  }

  private async referrersFromTag(repo: string, subject: Digest): Promise<Descriptor[]> {
    try {
      const m = await this.getManifest(repo, referrersTag(subject));
      return parseManifest(m).manifests;
    } catch (err) {
      if (err instanceof NotFoundError) return [];
      throw err;
    }
  }

  /** Runs `fn` after every earlier call with the same key has finished (read-modify-write of one tag). */
  private async serialized(key: string, fn: () => Promise<void>): Promise<void> {
    const prior = this.locks.get(key) ?? Promise.resolve();
    const next = prior.then(fn, fn);
    this.locks.set(
      key,
      next.catch(() => undefined),
    );
    await next;
  }
}

/** The path of a `Link: <…>; rel="next"` header, if any. */
export function nextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
  if (!m) return undefined;
  const url = new URL(m[1]!, 'http://placeholder');
  return url.pathname + url.search;
}
