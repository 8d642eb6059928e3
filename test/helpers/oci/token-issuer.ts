/** A tiny Docker token issuer (`GET /token`) whose RS256 JWTs a distribution registry accepts. */
import { execFileSync } from 'node:child_process';
import { randomUUID, sign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverUrl } from './free-port.js';
import type { TokenAuthBlock } from './registry-server.js';

/** One scope a client asked for or was granted, e.g. `repository:team/app:pull,push`. */
export interface TokenScope {
  type: string;
  name: string;
  actions: string[];
}

/** One `GET /token` request as the issuer saw it. */
export interface TokenRequest {
  /** The authenticated user, or `''` when anonymous (or refused). */
  account: string;
  service: string;
  /** The scopes requested. */
  scopes: TokenScope[];
  /** The scopes granted (empty when refused). */
  granted: TokenScope[];
  /** 200, or 401 for bad credentials. */
  status: number;
}

/** How to start an issuer. */
export interface TokenIssuerOptions {
  /** The registry's service name (the JWT audience). */
  service: string;
  /** user → password; each may pull, push and delete anything. */
  users: Record<string, string>;
  /** Token lifetime in seconds; 300 unless given (also settable later on the issuer). */
  expiresIn?: number;
  /** The JWT `iss`; `promoter-test-issuer` unless given. */
  issuer?: string;
}

/** A running issuer. */
export interface TokenIssuer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** `http://127.0.0.1:PORT/token`. */
  realm: string;
  service: string;
  issuer: string;
  /** Path of the PEM certificate that signs tokens (the registry's `rootcertbundle`). */
  rootCertBundle: string;
  /** Every token request so far, oldest first. */
  requests: TokenRequest[];
  /** Token lifetime in seconds for tokens issued from now on. */
  expiresIn: number;
  /** The `auth.token` block to start a registry with. */
  authBlock: TokenAuthBlock;
  /** Closes the server and removes the key material. */
  stop(): Promise<void>;
}

const ALLOWED = ['pull', 'push', 'delete'];

/** Parses `type:name:actions`; the name may itself hold colons. */
export function parseScope(scope: string): TokenScope | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  const actions = scope
    .slice(last + 1)
    .split(',')
    .filter(Boolean);
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions };
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function basicCredentials(req: IncomingMessage): { user: string; password: string } | undefined {
  const header = req.headers.authorization ?? '';
  if (!header.toLowerCase().startsWith('basic ')) return undefined;
  const text = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

function grant(account: string, scopes: TokenScope[]): TokenScope[] {
  return scopes.map((s) => {
    if (!account)
      return { ...s, actions: s.type === 'repository' ? s.actions.filter((a) => a === 'pull') : [] };
    if (s.type === 'repository') return { ...s, actions: s.actions.filter((a) => ALLOWED.includes(a)) };
    return { ...s };
  });
}

/** Starts an issuer on a free port; its key and self-signed certificate are made with the openssl CLI. */
export async function startTokenIssuer(opts: TokenIssuerOptions): Promise<TokenIssuer> {
  const dir = mkdtempSync(join(tmpdir(), 'promoter-token-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const subject = '/CN=promoter-test-token-issuer';
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', subject];
  execFileSync('openssl', [...args, '-keyout', keyFile, '-out', certFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 30_000,
  });
  const key = readFileSync(keyFile, 'utf8');
  const x5c = new X509Certificate(readFileSync(certFile)).raw.toString('base64');
  const issuerName = opts.issuer ?? 'promoter-test-issuer';

  const issuer: TokenIssuer = {
    url: '',
    realm: '',
    service: opts.service,
    issuer: issuerName,
    rootCertBundle: certFile,
    requests: [],
    expiresIn: opts.expiresIn ?? 300,
    authBlock: { realm: '', service: opts.service, issuer: issuerName, rootcertbundle: certFile },
    stop: async () => undefined,
  };

  const mint = (account: string, access: TokenScope[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [x5c] };
    const claims = {
      iss: issuerName,
      sub: account,
      aud: opts.service,
      exp: now + issuer.expiresIn,
      nbf: now - 1,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    return `${input}.${b64url(sign('RSA-SHA256', Buffer.from(input), key))}`;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    const scopes = url.searchParams
      .getAll('scope')
      .flatMap((s) => s.split(' '))
      .map(parseScope)
      .filter((s): s is TokenScope => s !== undefined);
    const service = url.searchParams.get('service') ?? '';
    const creds = basicCredentials(req);
    if (creds && opts.users[creds.user] !== creds.password) {
      issuer.requests.push({ account: '', service, scopes, granted: [], status: 401 });
      res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Basic realm="token"' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
      return;
    }
    const account = creds?.user ?? '';
    const granted = grant(account, scopes);
    issuer.requests.push({ account, service, scopes, granted, status: 200 });
    const token = mint(account, granted);
    const body = {
      token,
      access_token: token,
      expires_in: issuer.expiresIn,
      issued_at: new Date().toISOString(),
    };
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  issuer.url = serverUrl(server);
  issuer.realm = `${issuer.url}/token`;
  issuer.authBlock.realm = issuer.realm;
  let stopping: Promise<void> | undefined;
  issuer.stop = () => {
    stopping ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }).then(() => rmSync(dir, { recursive: true, force: true }));
    return stopping;
  };
  return issuer;
}

/** Asks an issuer for a token (`scopes` like `repository:app:pull,push`), with Basic credentials when given. */
export async function fetchToken(
  realm: string,
  service: string,
  scopes: string[],
  creds?: { user: string; password: string },
): Promise<string> {
  const url = new URL(realm);
  url.searchParams.set('service', service);
  for (const s of scopes) url.searchParams.append('scope', s);
  const headers: Record<string, string> = {};
  if (creds)
    headers.authorization = `Basic ${Buffer.from(`${creds.user}:${creds.password}`).toString('base64')}`;
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(`token request to ${realm} failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new Error(`token response from ${realm} holds no token`);
  return token;
}
