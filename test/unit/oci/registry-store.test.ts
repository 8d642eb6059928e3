/**
 * Registry client behaviour that the CNCF registry cannot show (it has no tag pagination and no referrers
 * API): exercised against a fake transport that plays the registry.
 */
import { describe, expect, it } from '@jest/globals';
import { Authenticator } from '../../../promoter/adapters/registry/auth/authenticator.js';
import { StaticCredentials } from '../../../promoter/adapters/registry/auth/credentials.js';
import {
  isLoopbackHost,
  nextLink,
  RegistryStore,
} from '../../../promoter/adapters/registry/registry-store.js';
import { digestOf } from '../../../promoter/domain/manifest-content.js';
import { MediaTypes } from '../../../promoter/domain/media-types.js';
import { IntegrityError, NotFoundError } from '../../../promoter/errors.js';
import { type FakeAnswer, FakeTransport } from '../../fakes/fake-transport.js';

function store(host: string, handler: (url: URL, method: string) => FakeAnswer, insecure = false) {
  const transport = new FakeTransport((req) => handler(new URL(req.url), req.method));
  const auth = new Authenticator(transport, new StaticCredentials({}), { allowPlainHttp: () => false });
  return { store: new RegistryStore({ host, transport, authenticator: auth, insecure }), transport };
}

const D = (c: string) => `sha256:${c.repeat(64)}` as const;
const index = (digests: { digest: string; artifactType?: string }[]) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociIndex,
    manifests: digests.map((d) => ({ mediaType: MediaTypes.ociManifest, size: 1, ...d })),
  });

describe('RegistryStore', () => {
  it.each([
    ['127.0.0.1:5000', false, 'http:'],
    ['localhost', false, 'http:'],
    ['[::1]:5000', false, 'http:'],
    ['registry.internal:5000', false, 'https:'],
    ['registry.internal:5000', true, 'http:'],
  ])('talks to %s (insecure %s) over %s', async (host, insecure, protocol) => {
    const { store: s, transport } = store(host, () => ({ status: 200, body: '{"tags":[]}' }), insecure);
    await s.listTags('x');
    expect(new URL(transport.requests[0]!.url).protocol).toBe(protocol);
  });

  it('follows Link pagination for tags', async () => {
    const { store: s } = store('r.io', (url) => {
      const last = url.searchParams.get('last');
      if (!last)
        return {
          status: 200,
          headers: { link: '</v2/app/tags/list?n=2&last=b>; rel="next"' },
          body: '{"tags":["a","b"]}',
        };
      return { status: 200, body: '{"tags":["c"]}' };
    });
    expect(await s.listTags('app')).toEqual(['a', 'b', 'c']);
  });

  it('uses the referrers API when the registry has it, filtering by artifact type', async () => {
    const { store: s, transport } = store('r.io', () => ({
      status: 200,
      headers: { 'content-type': MediaTypes.ociIndex },
      body: index([
        { digest: D('1'), artifactType: 'sig' },
        { digest: D('2'), artifactType: 'sbom' },
      ]),
    }));
    expect((await s.listReferrers('app', D('a'), 'sig')).map((d) => d.digest)).toEqual([D('1')]);
    expect(transport.requests.map((r) => new URL(r.url).pathname)).toEqual([`/v2/app/referrers/${D('a')}`]);
  });

  it('falls back to the sha256-<hex> tag when the referrers API answers 404', async () => {
    const body = index([{ digest: D('3') }]);
    const { store: s, transport } = store('r.io', (url) => {
      if (url.pathname.includes('/referrers/')) return { status: 404, body: '404 page not found' };
      return { status: 200, headers: { 'content-type': MediaTypes.ociIndex }, body };
    });
    expect((await s.listReferrers('app', D('a'))).map((d) => d.digest)).toEqual([D('3')]);
    expect(new URL(transport.requests[1]!.url).pathname).toBe(`/v2/app/manifests/sha256-${'a'.repeat(64)}`);
  });

  it('refuses a manifest whose bytes do not match the digest asked for', async () => {
    const { store: s } = store('r.io', () => ({
      status: 200,
      headers: { 'content-type': MediaTypes.ociIndex },
      body: index([]),
    }));
    await expect(s.getManifest('app', D('f'))).rejects.toBeInstanceOf(IntegrityError);
  });

  it('fetches the manifest when HEAD omits Docker-Content-Digest', async () => {
    const body = index([]);
    const { store: s } = store('r.io', (_u, method) =>
      method === 'HEAD'
        ? { status: 200, headers: { 'content-type': MediaTypes.ociIndex } }
        : { status: 200, headers: { 'content-type': MediaTypes.ociIndex }, body },
    );
    expect((await s.headManifest('app', 'v1'))?.digest).toBe(digestOf(body));
  });

  it('labels a missing manifest NotFoundError with the registry error code', async () => {
    const { store: s } = store('r.io', () => ({
      status: 404,
      body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}',
    }));
    const err = await s.getManifest('app', 'v9').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).details.errorCode).toBe('MANIFEST_UNKNOWN');
  });

  it('parses Link headers and recognises loopback hosts', () => {
    expect(nextLink('<https://r.io/v2/a/tags/list?last=x&n=5>; rel="next"')).toBe(
      '/v2/a/tags/list?last=x&n=5',
    );
    expect(nextLink(undefined)).toBeUndefined();
    expect(isLoopbackHost('127.10.0.1:80')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
  });
});
