/** Pushes built images to a registry with plain `fetch`, independent of the promoter's own client. */
import { createHash } from 'node:crypto';
import type { Built, BuiltImage } from './oci-types.js';

/** Credentials for a push: HTTP Basic, or a bearer token got from a token issuer. */
export type PushAuth = { basic: { user: string; password: string } } | { bearer: string };

/** What a push did. */
export interface PushResult {
  /** The digest of the top manifest. */
  digest: string;
  /** Blobs uploaded. */
  uploaded: number;
  /** Blobs already present (HEAD said 200). */
  skipped: number;
}

function headers(auth?: PushAuth, extra: Record<string, string> = {}): Record<string, string> {
  if (!auth) return extra;
  const value =
    'basic' in auth
      ? `Basic ${Buffer.from(`${auth.basic.user}:${auth.basic.password}`).toString('base64')}`
      : `Bearer ${auth.bearer}`;
  return { ...extra, authorization: value };
}

async function fail(what: string, res: Response): Promise<never> {
  throw new Error(`${what}: HTTP ${res.status} ${(await res.text()).slice(0, 500)}`);
}

/** Uploads one blob (POST, then PUT `?digest=` with the body) unless HEAD finds it; true when uploaded. */
export async function pushBlob(
  registryUrl: string,
  repo: string,
  blob: Buffer,
  auth?: PushAuth,
): Promise<boolean> {
  const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
  const head = await fetch(`${registryUrl}/v2/${repo}/blobs/${digest}`, {
    method: 'HEAD',
    headers: headers(auth),
  });
  if (head.status === 200) return false;
  const post = await fetch(`${registryUrl}/v2/${repo}/blobs/uploads/`, {
    method: 'POST',
    headers: headers(auth),
  });
  if (post.status !== 202) await fail(`POST blob upload ${repo}`, post);
  await post.arrayBuffer();
  const location = post.headers.get('location');
  if (!location) throw new Error(`POST blob upload ${repo}: no Location header`);
  const url = new URL(location, registryUrl);
  url.searchParams.set('digest', digest);
  const put = await fetch(url, {
    method: 'PUT',
    headers: headers(auth, { 'content-type': 'application/octet-stream' }),
    body: blob,
  });
  if (put.status !== 201) await fail(`PUT blob ${digest} to ${repo}`, put);
  await put.arrayBuffer();
  return true;
}

/** PUTs manifest bytes under `ref` (a tag or digest) with their media type as Content-Type. */
export async function pushManifest(
  registryUrl: string,
  repo: string,
  manifest: Buffer,
  mediaType: string,
  ref: string,
  auth?: PushAuth,
): Promise<string> {
  const res = await fetch(`${registryUrl}/v2/${repo}/manifests/${ref}`, {
    method: 'PUT',
    headers: headers(auth, { 'content-type': mediaType }),
    body: manifest,
  });
  if (res.status !== 201) await fail(`PUT manifest ${repo}:${ref}`, res);
  await res.arrayBuffer();
  return res.headers.get('docker-content-digest') ?? '';
}

async function pushOne(registryUrl: string, repo: string, img: BuiltImage, ref: string, auth?: PushAuth) {
  let uploaded = 0;
  for (const blob of img.blobs.values()) if (await pushBlob(registryUrl, repo, blob, auth)) uploaded++;
  await pushManifest(registryUrl, repo, img.manifest, img.mediaType, ref, auth);
  return { uploaded, skipped: img.blobs.size - uploaded };
}

/** Pushes blobs, then child manifests (by digest), then the top manifest under `tag` (or its digest). */
export async function pushImage(
  registryUrl: string,
  repo: string,
  built: Built,
  tag?: string,
  auth?: PushAuth,
): Promise<PushResult> {
  const result: PushResult = { digest: built.digest, uploaded: 0, skipped: 0 };
  const add = (r: { uploaded: number; skipped: number }) => {
    result.uploaded += r.uploaded;
    result.skipped += r.skipped;
  };
  if (built.kind === 'image') {
    add(await pushOne(registryUrl, repo, built, tag ?? built.digest, auth));
    return result;
  }
  for (const child of built.children) add(await pushOne(registryUrl, repo, child, child.digest, auth));
  await pushManifest(registryUrl, repo, built.manifest, built.mediaType, tag ?? built.digest, auth);
  return result;
}
