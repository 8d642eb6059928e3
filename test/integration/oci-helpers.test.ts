/** Smoke test of the OCI test infrastructure: real registries, a token issuer, skopeo and a counting proxy. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startCountingProxy, type CountingProxy } from '../helpers/oci/counting-proxy.js';
import {
  buildArtifact,
  buildImage,
  buildIndex,
  MANIFEST_ACCEPT,
  randomBlob,
  referrersTag,
  sha256,
  pushImage,
  writeOciLayout,
} from '../helpers/oci/image-builder.js';
import { type RegistryServer, startRegistry } from '../helpers/oci/registry-server.js';
import { skopeoCopy, skopeoInspectRaw } from '../helpers/oci/skopeo.js';
import { fetchToken, startTokenIssuer, type TokenIssuer } from '../helpers/oci/token-issuer.js';
import { tempDir } from '../helpers/temp.js';

const tmp = tempDir('promoter-oci-');
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(stops.map((stop) => stop()));
  tmp.cleanup();
});

function twoPlatformIndex(seed: string) {
  const amd64 = buildImage({ layers: [randomBlob(4096, `${seed}-amd64`)] });
  const arm64 = buildImage({
    layers: [randomBlob(2048, `${seed}-arm64-a`), randomBlob(1024, `${seed}-arm64-b`)],
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
  });
  return buildIndex([amd64, arm64], { 'org.opencontainers.image.version': seed });
}

describe('plain registry, pushImage and skopeo', () => {
  let reg: RegistryServer;
  const index = twoPlatformIndex('plain');
  const sbom = buildArtifact({
    subject: index.descriptor,
    artifactType: 'application/spdx+json',
    payload: Buffer.from('{"spdxVersion":"SPDX-2.3"}'),
    payloadMediaType: 'application/spdx+json',
  });
  beforeAll(async () => {
    reg = await startRegistry();
    stops.push(reg.stop);
  });

  it('builds deterministic blobs and exact digests', () => {
    expect(randomBlob(100, 'x').equals(randomBlob(100, 'x'))).toBe(true);
    expect(randomBlob(100, 'x').equals(randomBlob(100, 'y'))).toBe(false);
    expect(index.digest).toBe(sha256(index.manifest));
    expect(twoPlatformIndex('plain').digest).toBe(index.digest);
    expect(
      JSON.parse(index.manifest.toString()).manifests.map((m: { platform: unknown }) => m.platform),
    ).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
  });

  it('pushes an index and an artifact that skopeo reads back byte for byte', async () => {
    const first = await pushImage(reg.url, 'team/app', index, 'v1');
    expect(first).toEqual({ digest: index.digest, uploaded: 5, skipped: 0 });
    expect((await pushImage(reg.url, 'team/app', index, 'v1')).skipped).toBe(5);
    await pushImage(reg.url, 'team/app', sbom, referrersTag(index.digest));

    const raw = await skopeoInspectRaw(`${reg.host}/team/app:v1`);
    expect(sha256(raw)).toBe(index.digest);
    const child = await skopeoInspectRaw(`docker://${reg.host}/team/app@${index.children[1]!.digest}`);
    expect(child.equals(index.children[1]!.manifest)).toBe(true);
    const art = await skopeoInspectRaw(`${reg.host}/team/app:${referrersTag(index.digest)}`);
    expect(sha256(art)).toBe(sbom.digest);
    expect(JSON.parse(art.toString()).subject.digest).toBe(index.digest);

    const res = await fetch(`${reg.url}/v2/team/app/manifests/v1`, { headers: { accept: MANIFEST_ACCEPT } });
    expect(res.headers.get('docker-content-digest')).toBe(index.digest);
  });

  it('copies the index out to an oci: layout and back in with skopeo', async () => {
    const out = join(tmp.dir, 'out');
    await skopeoCopy(`docker://${reg.host}/team/app:v1`, `oci:${out}:v1`);
    const layoutIndex = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    expect(layoutIndex.manifests[0].digest).toBe(index.digest);

    const mine = join(tmp.dir, 'mine');
    writeOciLayout(mine, index, 'v1');
    writeOciLayout(mine, sbom, 'sbom');
    await skopeoCopy(`oci:${mine}:v1`, `docker://${reg.host}/copied/app:v1`);
    expect(sha256(await skopeoInspectRaw(`${reg.host}/copied/app:v1`))).toBe(index.digest);
  });
});

describe('htpasswd registry', () => {
  let reg: RegistryServer;
  const basic = { user: 'alice', password: 's3cret' };
  beforeAll(async () => {
    reg = await startRegistry({ htpasswd: basic });
    stops.push(reg.stop);
  });

  it('refuses anonymous requests and accepts Basic auth', async () => {
    const anon = await fetch(`${reg.url}/v2/`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic /);
    const img = buildImage({ layers: [randomBlob(512)] });
    await expect(pushImage(reg.url, 'private/app', img, 'v1')).rejects.toThrow(/401/);
    await pushImage(reg.url, 'private/app', img, 'v1', { basic });
    const raw = await skopeoInspectRaw(`${reg.host}/private/app:v1`, { creds: 'alice:s3cret' });
    expect(sha256(raw)).toBe(img.digest);
  });
});

describe('token registry', () => {
  let issuer: TokenIssuer;
  let reg: RegistryServer;
  beforeAll(async () => {
    issuer = await startTokenIssuer({ service: 'promoter-test-registry', users: { bob: 'hunter2' } });
    stops.push(issuer.stop);
    reg = await startRegistry({ token: issuer.authBlock });
    stops.push(reg.stop);
  });

  it('pushes with a token from the issuer and refuses an anonymous one', async () => {
    const ping = await fetch(`${reg.url}/v2/`);
    expect(ping.status).toBe(401);
    expect(ping.headers.get('www-authenticate')).toContain(`realm="${issuer.realm}"`);

    const img = buildImage({ layers: [randomBlob(1000, 'tok')] });
    const anon = await fetchToken(issuer.realm, issuer.service, ['repository:tok/app:pull,push']);
    await expect(pushImage(reg.url, 'tok/app', img, 'v1', { bearer: anon })).rejects.toThrow(/401/);

    const creds = { user: 'bob', password: 'hunter2' };
    const token = await fetchToken(
      issuer.realm,
      issuer.service,
      ['repository:tok/app:pull,push,delete'],
      creds,
    );
    await pushImage(reg.url, 'tok/app', img, 'v1', { bearer: token });
    const res = await fetch(`${reg.url}/v2/tok/app/manifests/${img.digest}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(202);
    await expect(
      fetchToken(issuer.realm, issuer.service, [], { user: 'bob', password: 'no' }),
    ).rejects.toThrow(/401/);
    expect(issuer.requests.map((r) => [r.account, r.status, r.granted[0]?.actions ?? []])).toEqual([
      ['', 200, ['pull']],
      ['bob', 200, ['pull', 'push', 'delete']],
      ['', 401, []],
    ]);

    const raw = await skopeoInspectRaw(`${reg.host}/tok/app:v1`, { creds: 'bob:hunter2' }).catch(
      (e: Error) => e,
    );
    expect(String(raw)).toMatch(/manifest unknown|not found/i);
    expect(issuer.requests.at(-1)!.account).toBe('bob');
  });
});

describe('counting proxy', () => {
  let reg: RegistryServer;
  let proxy: CountingProxy;
  const img = buildImage({ layers: [randomBlob(64 * 1024, 'proxied')] });
  const layer = [...img.blobs.keys()].find((d) => img.blobs.get(d)!.length === 64 * 1024)!;
  beforeAll(async () => {
    reg = await startRegistry();
    stops.push(reg.stop);
    proxy = await startCountingProxy(reg.url, { corruptBlobs: true });
    stops.push(proxy.stop);
  });

  it('counts requests by kind and corrupts blobs keeping their length', async () => {
    await pushImage(proxy.url, 'via/proxy', img, 'v1');
    const pushed = proxy.counts();
    expect(pushed.requests).toEqual({
      'HEAD blob': 2,
      'POST upload': 2,
      'PUT upload': 2,
      'PUT manifest': 1,
    });
    expect(pushed.bytesIn.upload).toBe(64 * 1024 + img.config.length);
    proxy.reset();

    const direct = Buffer.from(await (await fetch(`${reg.url}/v2/via/proxy/blobs/${layer}`)).arrayBuffer());
    expect(sha256(direct)).toBe(layer);
    const res = await fetch(`${proxy.url}/v2/via/proxy/blobs/${layer}`);
    expect(res.headers.get('docker-content-digest')).toBe(layer);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBe(64 * 1024);
    expect(sha256(body)).not.toBe(layer);
    expect(proxy.counts()).toEqual({
      requests: { 'GET blob': 1 },
      bytesOut: { blob: 64 * 1024 },
      bytesIn: {},
      total: 1,
    });
  });
});
