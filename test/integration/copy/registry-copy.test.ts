/**
 * Copying against real CNCF distribution registries, each behind a counting proxy so the tests can see
 * every request and byte; every copied image is checked by skopeo, an independent client.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { StaticCredentials } from '../../../promoter/adapters/registry/auth/credentials.js';
import { StoreResolver } from '../../../promoter/adapters/registry/store-resolver.js';
import { runCopy } from '../../../promoter/copy/copy-references.js';
import { CopySession } from '../../../promoter/copy/copy-session.js';
import type { Digest } from '../../../promoter/domain/digest.js';
import { parseReference } from '../../../promoter/domain/reference.js';
import { type CountingProxy, startCountingProxy } from '../../helpers/oci/counting-proxy.js';
import {
  type Built,
  buildArtifact,
  buildDockerImage,
  buildDockerList,
  buildImage,
  buildIndex,
  pushImage,
  randomBlob,
  sha256,
} from '../../helpers/oci/image-builder.js';
import { type RegistryServer, startRegistry } from '../../helpers/oci/registry-server.js';
import { skopeoCopy, skopeoInspectRaw } from '../../helpers/oci/skopeo.js';
import { tempDir } from '../../helpers/temp.js';

const tmp = tempDir('promoter-copy-');
const servers: RegistryServer[] = [];
const proxies: CountingProxy[] = [];
let src: RegistryServer;
let srcProxy: CountingProxy;
let dst1: CountingProxy;
let dst2: CountingProxy;

async function registryBehindProxy(): Promise<[RegistryServer, CountingProxy]> {
  const r = await startRegistry();
  const p = await startCountingProxy(r.url);
  servers.push(r);
  proxies.push(p);
  return [r, p];
}

beforeAll(async () => {
  [src, srcProxy] = await registryBehindProxy();
  [, dst1] = await registryBehindProxy();
  [, dst2] = await registryBehindProxy();
});

afterAll(async () => {
  for (const p of proxies) await p.stop();
  for (const s of servers) await s.stop();
  tmp.cleanup();
});

const resetAll = () => proxies.forEach((p) => p.reset());

async function copy(
  srcRef: string,
  dstRefs: string[],
  opts: { allTags?: boolean; resolver?: StoreResolver } = {},
) {
  const resolver = opts.resolver ?? new StoreResolver();
  try {
    return await runCopy(
      {
        source: parseReference(srcRef),
        targets: dstRefs.map(parseReference),
        allTags: opts.allTags ?? false,
      },
      resolver,
    );
  } finally {
    await resolver.close();
  }
}

let outCount = 0;

/** skopeo, an independent client, sees the source's digest at `ref`, and can copy the image back out. */
async function expectSameDigest(ref: string, built: Built | string): Promise<void> {
  const raw = await skopeoInspectRaw(ref);
  expect(sha256(raw)).toBe(typeof built === 'string' ? built : built.digest);
  const from = ref.startsWith('oci:') ? ref : `docker://${ref}`;
  // Out to a registry: skopeo cannot write Docker lists to an OCI layout without converting them.
  await skopeoCopy(from, `docker://${src.host}/skopeo-out-${outCount++}:out`);
}

const single = buildImage({
  layers: [randomBlob(300_000, 'a1'), randomBlob(200_000, 'a2'), randomBlob(1000, 'a3')],
});
const index = buildIndex([
  buildImage({
    layers: [randomBlob(100_000, 'base'), randomBlob(50_000, 'amd')],
    platform: { os: 'linux', architecture: 'amd64' },
  }),
  buildImage({
    layers: [randomBlob(100_000, 'base'), randomBlob(50_000, 'arm')],
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
  }),
]);

describe('promoter copy between registries', () => {
  beforeAll(async () => {
    await pushImage(src.url, 'app', single, 'v1');
    await pushImage(src.url, 'multi', index, 'v2');
  });

  it('copies a single-platform image to two registries, reading each source blob once', async () => {
    resetAll();
    const r = await copy(`${srcProxy.host}/app:v1`, [`${dst1.host}/app`, `${dst2.host}/mirror/app`]);
    expect(r.failures).toBe(0);
    expect(r.images[0]!.targets.map((t) => [t.status, t.blobsCopied, t.tagsPut])).toEqual([
      ['copied', 4, ['v1']],
      ['copied', 4, ['v1']],
    ]);
    expect(srcProxy.counts().requests['GET blob']).toBe(4);
    expect(r.totals.sourceBytesRead).toBe(r.totals.uniqueBlobBytes);
    expect(r.totals.bytesUploaded).toBe(2 * r.totals.uniqueBlobBytes);
    await expectSameDigest(`${dst1.host}/app:v1`, single);
    await expectSameDigest(`${dst2.host}/mirror/app:v1`, single);
    await skopeoCopy(`docker://${dst2.host}/mirror/app:v1`, `oci:${join(tmp.dir, 'out-single')}:v1`);
  });

  it('copies a two-platform index: children first, then the index, then the tag', async () => {
    resetAll();
    const r = await copy(`${srcProxy.host}/multi:v2`, [`${dst1.host}/multi`]);
    expect(r.failures).toBe(0);
    const t = r.images[0]!.targets[0]!;
    expect([t.manifestsPut, t.blobsCopied, t.blobsSkipped]).toEqual([3, 5, 1]);
    await expectSameDigest(`${dst1.host}/multi:v2`, index);
    for (const child of index.children) await expectSameDigest(`${dst1.host}/multi@${child.digest}`, child);
    await skopeoCopy(`docker://${dst1.host}/multi:v2`, `oci:${join(tmp.dir, 'out-index')}:v2`);
  });

  it('copies an OCI artifact with a subject and keeps the referrers fallback tag on the destination', async () => {
    const sig = buildArtifact({
      subject: index.descriptor,
      artifactType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      payload: Buffer.from('{"sig":1}'),
    });
    await pushImage(src.url, 'multi', sig);
    const r = await copy(`${srcProxy.host}/multi@${sig.digest}`, [`${dst1.host}/multi`]);
    expect(r.failures).toBe(0);
    await expectSameDigest(`${dst1.host}/multi@${sig.digest}`, sig);
    const fallback = JSON.parse(
      (await skopeoInspectRaw(`${dst1.host}/multi:${index.digest.replace(':', '-')}`)).toString(),
    ) as { manifests: { digest: string; artifactType: string }[] };
    expect(fallback.manifests.map((m) => [m.digest, m.artifactType])).toEqual([
      [sig.digest, 'application/vnd.dev.cosign.simplesigning.v1+json'],
    ]);
    const resolver = new StoreResolver();
    const store = resolver.resolve({ kind: 'registry', host: dst1.host });
    const refs = await (
      store as unknown as { listReferrers(r: string, d: Digest): Promise<{ digest: string }[]> }
    ).listReferrers('multi', index.digest as Digest);
    expect(refs.map((x) => x.digest)).toEqual([sig.digest]);
    await resolver.close();
  });

  it('does nothing but check when the tag already holds the same digest (no blob traffic)', async () => {
    resetAll();
    const r = await copy(`${srcProxy.host}/app:v1`, [`${dst1.host}/app`]);
    expect(r.images[0]!.targets[0]).toMatchObject({
      status: 'present',
      tagsUnchanged: ['v1'],
      blobsCopied: 0,
      manifestsPut: 0,
    });
    const d = dst1.counts().requests;
    expect(Object.keys(d).sort()).toEqual(['HEAD manifest']);
    expect(srcProxy.counts().requests['GET blob']).toBeUndefined();
  });

  it('mounts blobs for a copy within one registry: no blob bytes uploaded', async () => {
    resetAll();
    const r = await copy(`${srcProxy.host}/app:v1`, [`${srcProxy.host}/app-copy:v1`]);
    expect(r.failures).toBe(0);
    expect(r.images[0]!.targets[0]).toMatchObject({ blobsMounted: 4, blobsCopied: 0, bytesUploaded: 0 });
    const c = srcProxy.counts();
    expect(c.requests['PUT upload']).toBeUndefined();
    expect(c.requests['GET blob']).toBeUndefined();
    expect(c.bytesIn.upload ?? 0).toBe(0);
    await expectSameDigest(`${src.host}/app-copy:v1`, single);
  });

  it('uploads once per destination registry and mounts into its other repositories', async () => {
    resetAll();
    const r = await copy(`${srcProxy.host}/app:v1`, [`${dst2.host}/team-a/app`, `${dst2.host}/team-b/app`]);
    expect(r.failures).toBe(0);
    const [a, b] = r.images[0]!.targets;
    expect([a!.blobsCopied, a!.blobsMounted, b!.blobsCopied, b!.blobsMounted]).toEqual([4, 0, 0, 4]);
    expect(dst2.counts().requests['PUT upload']).toBe(4);
    await expectSameDigest(`${dst2.host}/team-b/app:v1`, single);
  });

  it('mounts a base layer another repository of the destination received earlier in the run', async () => {
    const base = randomBlob(150_000, 'shared-base');
    const one = buildImage({ layers: [base, randomBlob(1000, 'one')] });
    const two = buildImage({ layers: [base, randomBlob(1000, 'two')] });
    await pushImage(src.url, 'one', one, 'v1');
    await pushImage(src.url, 'two', two, 'v1');
    const resolver = new StoreResolver();
    const session = new CopySession();
    const job = (repo: string) => ({
      source: parseReference(`${srcProxy.host}/${repo}:v1`),
      targets: [parseReference(`${dst1.host}/${repo}`)],
      allTags: false,
    });
    await runCopy(job('one'), resolver, session);
    const r = await runCopy(job('two'), resolver, session);
    await resolver.close();
    expect(r.images[0]!.targets[0]).toMatchObject({ blobsMounted: 1, blobsCopied: 2 });
    await expectSameDigest(`${dst1.host}/two:v1`, two);
  });

  it('copies Docker v2 schema 2 manifests and lists', async () => {
    const list = buildDockerList([
      buildDockerImage({
        layers: [randomBlob(20_000, 'd1')],
        platform: { os: 'linux', architecture: 'amd64' },
      }),
      buildDockerImage({
        layers: [randomBlob(20_000, 'd2')],
        platform: { os: 'linux', architecture: 's390x' },
      }),
    ]);
    await pushImage(src.url, 'docker', list, 'v3');
    const r = await copy(`${srcProxy.host}/docker:v3`, [`${dst2.host}/docker`]);
    expect(r.failures).toBe(0);
    await expectSameDigest(`${dst2.host}/docker:v3`, list);
  });

  it('copies every tag of a repository with --all-tags', async () => {
    for (const tag of ['a', 'b', 'c'])
      await pushImage(src.url, 'many', buildImage({ layers: [randomBlob(5000, `many-${tag}`)] }), tag);
    const r = await copy(`${srcProxy.host}/many`, [`${dst2.host}/many`], { allTags: true });
    expect(r.failures).toBe(0);
    expect(r.images.map((i) => i.ref)).toEqual(['a', 'b', 'c']);
    const resolver = new StoreResolver();
    expect((await resolver.resolve({ kind: 'registry', host: dst2.host }).listTags('many')).sort()).toEqual([
      'a',
      'b',
      'c',
    ]);
    await resolver.close();
  });

  it('copies to and from an OCI layout directory', async () => {
    const layout = join(tmp.dir, 'layout');
    const out = await copy(`${srcProxy.host}/multi:v2`, [`oci-layout:${layout}:v2`]);
    expect(out.failures).toBe(0);
    await expectSameDigest(`oci:${layout}:v2`, index);
    const back = await copy(`oci-layout:${layout}:v2`, [`${dst2.host}/from-layout`]);
    expect(back.failures).toBe(0);
    await expectSameDigest(`${dst2.host}/from-layout:v2`, index);
  });
});

describe('deleting', () => {
  it('deletes a manifest by digest, and with it its tags', async () => {
    const img = buildImage({ layers: [randomBlob(1000, 'doomed')] });
    await pushImage(src.url, 'doomed', img, 'v1');
    const resolver = new StoreResolver();
    const store = resolver.resolve({ kind: 'registry', host: src.host });
    await store.deleteManifest('doomed', img.digest as Digest);
    expect(await store.headManifest('doomed', 'v1')).toBeUndefined();
    expect(await store.headManifest('doomed', img.digest)).toBeUndefined();
    await resolver.close();
  });
});

describe('uploads', () => {
  it('sends large blobs in PATCH chunks', async () => {
    const big = buildImage({ layers: [randomBlob(700_000, 'chunky')] });
    await pushImage(src.url, 'chunky', big, 'v1');
    resetAll();
    const resolver = new StoreResolver({ chunkedAbove: 64 * 1024, chunkSize: 100 * 1024 });
    const r = await copy(`${srcProxy.host}/chunky:v1`, [`${dst1.host}/chunky`], { resolver });
    expect(r.failures).toBe(0);
    expect(dst1.counts().requests['PATCH upload']).toBe(7);
    await expectSameDigest(`${dst1.host}/chunky:v1`, big);
  });

  it('falls back to chunks when a registry refuses a large single request (413)', async () => {
    const [, plain] = await registryBehindProxy();
    const strict = await startCountingProxy(plain.url, {
      hook: (req) =>
        req.method === 'PUT' && req.kind === 'upload' && Number(req.headers['content-length'] ?? 0) > 0
          ? { status: 413, body: 'too large' }
          : 'pass',
    });
    proxies.push(strict);
    const img = buildImage({ layers: [randomBlob(50_000, 'strict')] });
    await pushImage(src.url, 'strict', img, 'v1');
    const r = await copy(`${srcProxy.host}/strict:v1`, [`${strict.host}/strict`]);
    expect(r.failures).toBe(0);
    expect(strict.counts().requests['PATCH upload']).toBeGreaterThan(0);
    await expectSameDigest(`${strict.host}/strict:v1`, img);
  });
});

describe('integrity', () => {
  it('aborts a copy whose source blob does not match its digest, and tags nothing', async () => {
    const corrupting = await startCountingProxy(src.url, { corruptBlobs: true });
    proxies.push(corrupting);
    const img = buildImage({ layers: [randomBlob(200_000, 'bad')] });
    await pushImage(src.url, 'bad', img, 'v1');
    const r = await copy(`${corrupting.host}/bad:v1`, [`${dst1.host}/bad`, `${dst2.host}/bad`]);
    expect(r.failures).toBe(2);
    for (const t of r.images[0]!.targets) expect(t.error).toMatch(/digest/);
    const resolver = new StoreResolver();
    for (const host of [dst1.host, dst2.host]) {
      const store = resolver.resolve({ kind: 'registry', host });
      expect(await store.headManifest('bad', 'v1')).toBeUndefined();
      expect(await store.headManifest('bad', img.digest)).toBeUndefined();
      const layer = [...img.blobs.keys()].find((d) => img.blobs.get(d)!.length === 200_000)! as Digest;
      expect(await store.headBlob('bad', layer)).toBeUndefined();
    }
    await resolver.close();
  });
});

describe('registry authentication', () => {
  it('copies to a registry with HTTP basic auth, and fails cleanly without credentials', async () => {
    const secured = await startRegistry({ htpasswd: { user: 'alice', password: 's3cret' } });
    servers.push(secured);
    const anonymous = await copy(`${srcProxy.host}/app:v1`, [`${secured.host}/app`]);
    expect(anonymous.failures).toBe(1);
    expect(anonymous.images[0]!.targets[0]!.error).toMatch(/no credentials|401/);
    const resolver = new StoreResolver({
      credentials: new StaticCredentials({ [secured.host]: { username: 'alice', password: 's3cret' } }),
    });
    const r = await copy(`${srcProxy.host}/app:v1`, [`${secured.host}/app`], { resolver });
    expect(r.failures).toBe(0);
    const raw = await skopeoInspectRaw(`${secured.host}/app:v1`, { creds: 'alice:s3cret' });
    expect(sha256(raw)).toBe(single.digest);
  });
});
