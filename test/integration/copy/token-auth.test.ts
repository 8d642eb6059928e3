/**
 * The Bearer token flow against a distribution registry with `auth.token` and a test token issuer: the
 * challenge is answered, tokens are cached per scope (a handful of token requests for many blobs), a mount
 * asks for one token with pull on the source and push on the target, and a rejected token is replaced.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { StaticCredentials } from '../../../promoter/adapters/registry/auth/credentials.js';
import { StoreResolver } from '../../../promoter/adapters/registry/store-resolver.js';
import { runCopy } from '../../../promoter/copy/copy-references.js';
import { parseReference } from '../../../promoter/domain/reference.js';
import { buildImage, pushImage, randomBlob, sha256 } from '../../helpers/oci/image-builder.js';
import { type RegistryServer, startRegistry } from '../../helpers/oci/registry-server.js';
import { skopeoInspectRaw } from '../../helpers/oci/skopeo.js';
import { fetchToken, startTokenIssuer, type TokenIssuer } from '../../helpers/oci/token-issuer.js';

let issuer: TokenIssuer;
let reg: RegistryServer;
let plain: RegistryServer;
const image = buildImage({ layers: Array.from({ length: 8 }, (_, i) => randomBlob(20_000, `tok-${i}`)) });
const creds = () => new StaticCredentials({ [reg.host]: { username: 'bob', password: 'pw' } });

beforeAll(async () => {
  issuer = await startTokenIssuer({ service: 'test-registry', users: { bob: 'pw' } });
  reg = await startRegistry({ token: issuer.authBlock });
  plain = await startRegistry();
  const token = await fetchToken(issuer.realm, issuer.service, ['repository:src:pull,push'], {
    user: 'bob',
    password: 'pw',
  });
  await pushImage(reg.url, 'src', image, 'v1', { bearer: token });
});

afterAll(async () => {
  await reg.stop();
  await plain.stop();
  await issuer.stop();
});

async function copy(from: string, to: string[], resolver: StoreResolver) {
  try {
    return await runCopy(
      { source: parseReference(from), targets: to.map(parseReference), allTags: false },
      resolver,
    );
  } finally {
    await resolver.close();
  }
}

describe('bearer token registries', () => {
  it('answers the challenge, caches tokens per scope, and mounts with one token for both repositories', async () => {
    issuer.requests.length = 0;
    const r = await copy(
      `${reg.host}/src:v1`,
      [`${reg.host}/dst`, `${plain.host}/dst`],
      new StoreResolver({ credentials: creds() }),
    );
    expect(r.failures).toBe(0);
    expect(r.images[0]!.targets[0]).toMatchObject({ blobsMounted: 9, blobsCopied: 0 });
    expect(r.images[0]!.targets[1]).toMatchObject({ blobsCopied: 9 });
    // 9 blobs, each HEAD/GET/mount authorized: yet only a few token requests, all as bob.
    expect(issuer.requests.length).toBeLessThanOrEqual(4);
    expect(issuer.requests.every((q) => q.account === 'bob' && q.status === 200)).toBe(true);
    const scopes = issuer.requests.map((q) =>
      q.scopes
        .map((s) => `${s.name}:${s.actions.join(',')}`)
        .sort()
        .join(' '),
    );
    expect(scopes).toContain('dst:pull,push src:pull');
    const raw = await skopeoInspectRaw(`${reg.host}/dst:v1`, { creds: 'bob:pw' });
    expect(sha256(raw)).toBe(image.digest);
  });

  it('reads anonymously where the registry grants anonymous pull', async () => {
    const r = await copy(`${reg.host}/src:v1`, [`${plain.host}/anon`], new StoreResolver());
    expect(r.failures).toBe(0);
  });

  it('replaces a token the registry rejects with a fresh one', async () => {
    const resolver = new StoreResolver({ credentials: creds() });
    const store = resolver.resolve({ kind: 'registry', host: reg.host });
    issuer.expiresIn = -120; // already expired: the registry refuses it
    await store.headManifest('src', 'v1').catch(() => undefined);
    issuer.expiresIn = 300;
    issuer.requests.length = 0;
    expect((await store.headManifest('src', 'v1'))?.digest).toBe(image.digest);
    expect(issuer.requests.length).toBe(1);
    await resolver.close();
  });

  it('fails with an auth error for a push without credentials', async () => {
    const r = await copy(`${plain.host}/anon:v1`, [`${reg.host}/nope`], new StoreResolver());
    expect(r.failures).toBe(1);
    expect(r.images[0]!.targets[0]!.error).toMatch(/refused|401|denied/i);
  });
});
