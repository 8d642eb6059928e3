/** Reading a repository's inventory: HEADs only where needed; none with Google's manifest map. */
import { describe, expect, it } from '@jest/globals';
import { Authenticator } from '../../../promoter/adapters/registry/auth/authenticator.js';
import { StaticCredentials } from '../../../promoter/adapters/registry/auth/credentials.js';
import { RegistryStore } from '../../../promoter/adapters/registry/registry-store.js';
import type { Digest } from '../../../promoter/domain/digest.js';
import { MediaTypes } from '../../../promoter/domain/media-types.js';
import { readRepo } from '../../../promoter/observe/read-repo.js';
import { type FakeAnswer, FakeTransport } from '../../fakes/fake-transport.js';

const D = (c: string) => `sha256:${c.repeat(64)}` as Digest;

function store(handler: (url: URL, method: string) => FakeAnswer) {
  const transport = new FakeTransport((req) => handler(new URL(req.url), req.method));
  const auth = new Authenticator(transport, new StaticCredentials({}), { allowPlainHttp: () => true });
  return { store: new RegistryStore({ host: 'r.io', transport, authenticator: auth }), transport };
}

describe('readRepo', () => {
  it('uses the manifest map of a Google tag list: every digest known, no HEADs', async () => {
    const body = JSON.stringify({
      name: 'app',
      tags: ['v1', 'v2'],
      manifest: {
        [D('a')]: { tag: ['v1'], mediaType: MediaTypes.dockerManifest, imageSizeBytes: '10' },
        [D('b')]: { tag: ['v2'], mediaType: MediaTypes.ociIndex },
        [D('c')]: { tag: [], mediaType: MediaTypes.ociManifest },
      },
    });
    const { store: s, transport } = store(() => ({ status: 200, body }));
    const inv = await readRepo(s, 'app', new Set(['v1', 'v2', 'v3']), new Set([D('c'), D('d')]));
    expect(inv.readable).toBe(true);
    if (!inv.readable) return;
    expect([...inv.tags]).toEqual([
      ['v1', D('a')],
      ['v2', D('b')],
    ]);
    expect(inv.digests.has(D('c'))).toBe(true);
    expect(inv.digests.has(D('d'))).toBe(false);
    expect(transport.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('HEADs only wanted tags the list has, then wanted digests still unknown', async () => {
    const { store: s, transport } = store((url, method) => {
      if (method === 'GET') return { status: 200, body: '{"tags":["v1","other"]}' };
      if (url.pathname.endsWith('/v1'))
        return {
          status: 200,
          headers: { 'docker-content-digest': D('a'), 'content-type': MediaTypes.ociManifest },
        };
      if (url.pathname.endsWith(D('b')))
        return {
          status: 200,
          headers: { 'docker-content-digest': D('b'), 'content-type': MediaTypes.ociManifest },
        };
      return { status: 404 };
    });
    const inv = await readRepo(s, 'app', new Set(['v1', 'v9']), new Set([D('a'), D('b'), D('c')]));
    expect(inv.readable && [...inv.digests].sort()).toEqual([D('a'), D('b')]);
    expect(
      transport.requests.map((r) => `${r.method} ${new URL(r.url).pathname.split('/').pop()}`).sort(),
    ).toEqual(['GET list', `HEAD ${D('b')}`, `HEAD ${D('c')}`, 'HEAD v1']);
  });

  it('marks a repository it cannot read unreadable instead of guessing', async () => {
    const { store: s } = store(() => ({ status: 500, body: 'boom' }));
    const inv = await readRepo(s, 'app', new Set(['v1']), new Set());
    expect(inv).toMatchObject({ readable: false });
  });
});
