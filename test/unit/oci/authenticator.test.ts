/** The token flow: challenges, scopes, caching until expiry, one token for a mount, and credential safety. */
import { describe, expect, it } from '@jest/globals';
import { Authenticator, mergeScopes } from '../../../promoter/adapters/registry/auth/authenticator.js';
import { StaticCredentials } from '../../../promoter/adapters/registry/auth/credentials.js';
import { AuthError } from '../../../promoter/errors.js';
import { FakeTransport } from '../../fakes/fake-transport.js';

const CHALLENGE = 'Bearer realm="https://auth.example.com/token",service="reg"';

function setup(creds: Record<string, { username: string; password: string }> = {}, expiresIn = 300) {
  let clock = 1_000_000;
  let n = 0;
  const transport = new FakeTransport((req) => {
    n++;
    return {
      status: 200,
      body: JSON.stringify({
        token: `t${n}:${new URL(req.url).searchParams.getAll('scope').join(' ')}`,
        expires_in: expiresIn,
      }),
    };
  });
  const auth = new Authenticator(transport, new StaticCredentials(creds), {
    allowPlainHttp: () => false,
    now: () => clock,
  });
  return { auth, transport, tick: (ms: number) => (clock += ms) };
}

describe('Authenticator', () => {
  it('answers a bearer challenge with a token for the wanted scopes, sending credentials to the realm', async () => {
    const { auth, transport } = setup({ 'reg.example.com': { username: 'u', password: 'p' } });
    const h = await auth.challenge('reg.example.com', `${CHALLENGE},scope="repository:app:pull"`, [
      { repository: 'app', actions: ['pull', 'push'] },
    ]);
    expect(h).toBe('Bearer t1:repository:app:pull,push');
    const req = transport.requests[0]!;
    expect(new URL(req.url).searchParams.get('service')).toBe('reg');
    expect(req.headers?.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('reuses a cached token while it covers the scopes and has not expired', async () => {
    const { auth, transport, tick } = setup({}, 120);
    await auth.challenge('r.io', CHALLENGE, [{ repository: 'app', actions: ['pull', 'push'] }]);
    expect(await auth.header('r.io', [{ repository: 'app', actions: ['pull'] }])).toBe(
      'Bearer t1:repository:app:pull,push',
    );
    expect(transport.requests).toHaveLength(1);
    await auth.header('r.io', [{ repository: 'other', actions: ['pull'] }]);
    expect(transport.requests).toHaveLength(2);
    tick(200_000);
    expect(await auth.header('r.io', [{ repository: 'app', actions: ['pull'] }])).toMatch(/^Bearer t3/);
  });

  it('asks for one token carrying pull on the source and push on the target (mount)', async () => {
    const { auth } = setup();
    const h = await auth.challenge('r.io', CHALLENGE, [
      { repository: 'dst', actions: ['pull', 'push'] },
      { repository: 'src', actions: ['pull'] },
    ]);
    expect(h).toBe('Bearer t1:repository:dst:pull,push repository:src:pull');
  });

  it('shares one token request among concurrent callers', async () => {
    const { auth, transport } = setup();
    await auth.challenge('r.io', CHALLENGE, [{ repository: 'app', actions: ['pull'] }]);
    transport.requests.length = 0;
    await Promise.all(
      Array.from({ length: 10 }, () => auth.header('r.io', [{ repository: 'x', actions: ['pull'] }])),
    );
    expect(transport.requests).toHaveLength(1);
  });

  it('drops a rejected token and fetches a fresh one', async () => {
    const { auth, transport } = setup();
    const first = await auth.challenge('r.io', CHALLENGE, [{ repository: 'app', actions: ['pull'] }]);
    const second = await auth.challenge('r.io', CHALLENGE, [{ repository: 'app', actions: ['pull'] }], first);
    expect(second).not.toBe(first);
    expect(transport.requests).toHaveLength(2);
  });

  it('uses basic credentials for a basic challenge and refuses when it has none', async () => {
    const { auth } = setup({ 'r.io': { username: 'u', password: 'p' } });
    expect(await auth.challenge('r.io', 'Basic realm="x"', [])).toBe(
      `Basic ${Buffer.from('u:p').toString('base64')}`,
    );
    await expect(setup().auth.challenge('r.io', 'Basic realm="x"', [])).rejects.toBeInstanceOf(AuthError);
  });

  it('never sends credentials to a plain-http realm of a remote registry', async () => {
    const { auth, transport } = setup({ 'r.io': { username: 'u', password: 'p' } });
    await expect(auth.challenge('r.io', 'Bearer realm="http://evil.example.com/token"', [])).rejects.toThrow(
      /plain-http token realm/,
    );
    expect(transport.requests).toHaveLength(0);
  });

  it('merges scopes per repository', () => {
    expect(
      mergeScopes(
        [{ repository: 'a', actions: ['pull'] }],
        [
          { repository: 'a', actions: ['push'] },
          { repository: 'b', actions: ['pull'] },
        ],
      ),
    ).toEqual([
      { repository: 'a', actions: ['pull', 'push'] },
      { repository: 'b', actions: ['pull'] },
    ]);
  });
});
