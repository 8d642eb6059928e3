/**
 * Registry authentication: anonymous, HTTP Basic, and the Bearer token flow (`WWW-Authenticate: Bearer
 * realm, service, scope`). Tokens are cached per (realm, service) with the scopes they carry until they
 * expire; one token can carry pull on a source repository and push on a target (for a cross-repo mount).
 * Concurrent requests for the same token share one fetch. Credentials go only to https or loopback realms.
 */
import { AuthError, errorMessage } from '../../../errors.js';
import { header, type Transport } from '../../http/transport.js';
import { parseChallenges } from './challenge.js';
import type { Credential, CredentialSource } from './credentials.js';

/** What a request needs: actions on repositories. */
export interface Scope {
  repository: string;
  actions: readonly ('pull' | 'push' | 'delete')[];
}

/** `repository:name:pull,push` */
export function scopeString(s: Scope): string {
  return `repository:${s.repository}:${[...s.actions].sort().join(',')}`;
}

/** Parses a challenge's scope parameter (space-separated `type:name:actions`). */
function parseScopes(text: string | undefined): Scope[] {
  if (!text) return [];
  return text.split(' ').flatMap((s) => {
    const m = /^repository:(.+):([a-z,*]+)$/.exec(s);
    return m
      ? [
          {
            repository: m[1]!,
            actions: m[2]!
              .split(',')
              .filter((a) => a === 'pull' || a === 'push' || a === 'delete') as Scope['actions'],
          },
        ]
      : [];
  });
}

/** Merges scope lists: one entry per repository with the union of actions. */
export function mergeScopes(...lists: Scope[][]): Scope[] {
  const byRepo = new Map<string, Set<Scope['actions'][number]>>();
  for (const s of lists.flat()) {
    const set = byRepo.get(s.repository) ?? new Set();
    for (const a of s.actions) set.add(a);
    byRepo.set(s.repository, set);
  }
  return [...byRepo]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([repository, actions]) => ({ repository, actions: [...actions].sort() }));
}

interface CachedToken {
  token: string;
  scopes: Scope[];
  expiresAt: number;
}

/** How a host wants to be authenticated, learnt from its first challenge. */
type HostScheme = { kind: 'basic' } | { kind: 'bearer'; realm: string; service: string };

function covers(have: Scope[], want: Scope[]): boolean {
  return want.every((w) => {
    const h = have.find((x) => x.repository === w.repository);
    return h !== undefined && w.actions.every((a) => h.actions.includes(a));
  });
}

/** Options for the authenticator. */
export interface AuthenticatorOptions {
  /** True when credentials may be sent to this plain-http URL (loopback or a registry configured insecure). */
  allowPlainHttp(url: URL): boolean;
  /** Clock, for tests. */
  now?: () => number;
}

/** Produces Authorization headers for registry requests. */
export class Authenticator {
  private readonly schemes = new Map<string, HostScheme>();
  private readonly tokens = new Map<string, CachedToken[]>();
  private readonly inflight = new Map<string, Promise<CachedToken>>();
  private readonly now: () => number;
  /** Token requests made (for tests and statistics). */
  tokenRequests = 0;

  constructor(
    private readonly transport: Transport,
    private readonly credentials: CredentialSource,
    private readonly opts: AuthenticatorOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** The header to send up front for `scopes`, when the host's scheme is already known. */
  async header(host: string, scopes: Scope[]): Promise<string | undefined> {
    const scheme = this.schemes.get(host);
    if (!scheme) return undefined;
    if (scheme.kind === 'basic') return this.basic(host);
    return `Bearer ${(await this.token(host, scheme, scopes)).token}`;
  }

  /**
   * Handles a 401: learns the challenge and returns a header to retry with. `rejected` is the header the
   * failed request carried (its token is dropped from the cache). Throws AuthError when there is no way in.
   */
  async challenge(
    host: string,
    wwwAuthenticate: string | undefined,
    scopes: Scope[],
    rejected?: string,
  ): Promise<string> {
    const challenges = parseChallenges(wwwAuthenticate ?? '');
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer?.params.realm) {
      const scheme: HostScheme = {
        kind: 'bearer',
        realm: bearer.params.realm,
        service: bearer.params.service ?? '',
      };
      this.schemes.set(host, scheme);
      if (rejected?.startsWith('Bearer ')) this.forget(scheme, rejected.slice(7));
      const wanted = mergeScopes(scopes, parseScopes(bearer.params.scope));
      return `Bearer ${(await this.token(host, scheme, wanted, true)).token}`;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      this.schemes.set(host, { kind: 'basic' });
      const basic = await this.basic(host);
      if (!basic || basic === rejected)
        throw new AuthError(
          `${host} refused the request: ${basic ? 'wrong credentials' : 'no credentials for it'}`,
          { host, status: 401 },
        );
      return basic;
    }
    throw new AuthError(`${host} answered 401 without a usable challenge`, { host, status: 401 });
  }

  private async basic(host: string): Promise<string | undefined> {
    const c = await this.credentials.get(host);
    if (!c?.username || c.password === undefined) return undefined;
    return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
  }

  private cacheKey(s: { realm: string; service: string }): string {
    return `${s.realm}\n${s.service}`;
  }

  private forget(scheme: { realm: string; service: string }, token: string): void {
    const list = this.tokens.get(this.cacheKey(scheme));
    if (list)
      this.tokens.set(
        this.cacheKey(scheme),
        list.filter((t) => t.token !== token),
      );
  }

  private async token(
    host: string,
    scheme: { realm: string; service: string },
    scopes: Scope[],
    fresh = false,
  ): Promise<CachedToken> {
    const key = this.cacheKey(scheme);
    const now = this.now();
    if (!fresh) {
      const hit = (this.tokens.get(key) ?? []).find((t) => t.expiresAt > now && covers(t.scopes, scopes));
      if (hit) return hit;
    }
    const flightKey = `${key}\n${scopes.map(scopeString).join(' ')}`;
    const pending = this.inflight.get(flightKey);
    if (pending) return pending;
    const p = this.fetchToken(host, scheme, scopes).finally(() => this.inflight.delete(flightKey));
    this.inflight.set(flightKey, p);
    const t = await p;
    const list = (this.tokens.get(key) ?? []).filter((x) => x.expiresAt > now);
    list.push(t);
    this.tokens.set(key, list);
    return t;
  }

  private async fetchToken(
    host: string,
    scheme: { realm: string; service: string },
    scopes: Scope[],
  ): Promise<CachedToken> {
    let realm: URL;
    try {
      realm = new URL(scheme.realm);
    } catch {
      throw new AuthError(`${host} named an invalid token realm`, { host });
    }
    const cred = await this.credentials.get(host);
    const mayShare = realm.protocol === 'https:' || this.opts.allowPlainHttp(realm);
    if (cred && !mayShare)
      throw new AuthError(
        `refusing to send credentials for ${host} to a plain-http token realm (${realm.host})`,
        { host },
      );
    this.tokenRequests++;
    const res = cred?.identityToken
      ? await this.refreshGrant(realm, scheme.service, scopes, cred)
      : await this.getToken(realm, scheme.service, scopes, cred);
    const text = await res.body.text();
    if (res.status === 401 || res.status === 403)
      throw new AuthError(`token request for ${host} was refused (${res.status})`, {
        host,
        status: res.status,
      });
    if (res.status !== 200)
      throw new AuthError(`token request for ${host} failed with ${res.status}`, {
        host,
        status: res.status,
      });
    let json: { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
    try {
      json = JSON.parse(text) as typeof json;
    } catch (err) {
      throw new AuthError(`token response from ${realm.host} is not JSON: ${errorMessage(err)}`, { host });
    }
    const token = json.token ?? json.access_token;
    if (!token) throw new AuthError(`token response from ${realm.host} has no token`, { host });
    const lifetime = Math.max(typeof json.expires_in === 'number' ? json.expires_in : 60, 10);
    return { token, scopes, expiresAt: this.now() + (lifetime - 5) * 1000 };
  }

  private getToken(realm: URL, service: string, scopes: Scope[], cred: Credential | undefined) {
    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    for (const s of scopes) url.searchParams.append('scope', scopeString(s));
    const headers: Record<string, string> = {};
    if (cred?.username && cred.password !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
    }
    return this.transport.request({ method: 'GET', url, headers, kind: 'token' });
  }

  private refreshGrant(realm: URL, service: string, scopes: Scope[], cred: Credential) {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: cred.identityToken!,
      service,
      client_id: 'promoter',
    });
    form.set('scope', scopes.map(scopeString).join(' '));
    return this.transport.request({
      method: 'POST',
      url: realm,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      kind: 'token',
    });
  }
}

/** True when `www-authenticate` of a response asks for credentials. */
export function needsAuth(status: number, headers: Record<string, string | string[] | undefined>): boolean {
  return status === 401 && header(headers, 'www-authenticate') !== undefined;
}
