/**
 * Registry credentials: explicit ones (promoter.yaml, the environment) first, then the Docker/Podman auth
 * files (`$REGISTRY_AUTH_FILE`, `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`) with their
 * `auths`, `credHelpers` and `credsStore` (the `docker-credential-<name>` helper protocol).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AuthError, errorMessage } from '../../../errors.js';

/** A credential for one registry host. Never printed. */
export interface Credential {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (Docker's `identitytoken`), exchanged at the token endpoint. */
  identityToken?: string;
}

/** Somewhere credentials come from. */
export interface CredentialSource {
  /** The credential for `host` (`host[:port]`), or undefined when this source has none. */
  get(host: string): Promise<Credential | undefined>;
}

/** Credentials given directly, host → credential. */
export class StaticCredentials implements CredentialSource {
  constructor(private readonly byHost: Record<string, Credential>) {}

  async get(host: string): Promise<Credential | undefined> {
    return this.byHost[host] ?? this.byHost[host.toLowerCase()];
  }
}

/** Tries sources in order; the first that has a credential wins. */
export class ChainCredentials implements CredentialSource {
  constructor(private readonly sources: CredentialSource[]) {}

  async get(host: string): Promise<Credential | undefined> {
    for (const s of this.sources) {
      const c = await s.get(host);
      if (c) return c;
    }
    return undefined;
  }
}

interface AuthFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** The host an `auths` key names (keys may be URLs such as `https://index.docker.io/v1/`). */
function keyHost(key: string): string {
  const bare = key.replace(/^[a-z]+:\/\//, '');
  return bare.split('/')[0]!.toLowerCase();
}

/** Runs `docker-credential-<helper> get` for `host`, per the credential-helper protocol. */
export function runCredentialHelper(
  helper: string,
  host: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Credential | undefined> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      `docker-credential-${helper}`,
      ['get'],
      { timeout: 15_000, env },
      (err, stdout, stderr) => {
        if (err) {
          // Helpers answer "credentials not found" with a non-zero exit; that is "no credential", not an error.
          if (/credentials not found/i.test(`${stdout}${stderr}`)) return resolve(undefined);
          return reject(
            new AuthError(
              `credential helper docker-credential-${helper} failed for ${host}: ${errorMessage(err)}`,
            ),
          );
        }
        try {
          const out = JSON.parse(stdout) as { Username?: string; Secret?: string };
          if (!out.Secret) return resolve(undefined);
          resolve(
            out.Username === '<token>'
              ? { identityToken: out.Secret }
              : { username: out.Username ?? '', password: out.Secret },
          );
        } catch {
          reject(
            new AuthError(`credential helper docker-credential-${helper} gave unreadable output for ${host}`),
          );
        }
      },
    );
    child.stdin?.end(host);
  });
}

/** Credentials from one Docker/Podman auth file. */
export class AuthFileCredentials implements CredentialSource {
  private file: Promise<AuthFile | undefined> | undefined;

  constructor(
    private readonly path: string,
    private readonly helper: (
      helper: string,
      host: string,
    ) => Promise<Credential | undefined> = runCredentialHelper,
  ) {}

  private load(): Promise<AuthFile | undefined> {
    this.file ??= readFile(this.path, 'utf8').then(
      (text) => JSON.parse(text) as AuthFile,
      () => undefined,
    );
    return this.file;
  }

  async get(host: string): Promise<Credential | undefined> {
    const f = await this.load();
    if (!f) return undefined;
    const h = host.toLowerCase();
    const helperName = f.credHelpers?.[h];
    if (helperName) return this.helper(helperName, h);
    const entry = Object.entries(f.auths ?? {}).find(([k]) => keyHost(k) === h)?.[1];
    if (entry) {
      if (entry.identitytoken) return { identityToken: entry.identitytoken };
      if (entry.username !== undefined && entry.password !== undefined)
        return { username: entry.username, password: entry.password };
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
      }
    }
    if (f.credsStore) return this.helper(f.credsStore, h);
    return undefined;
  }
}

/** The default chain: `$REGISTRY_AUTH_FILE`, then Docker's config.json. */
export function defaultCredentialSources(env: NodeJS.ProcessEnv = process.env): CredentialSource[] {
  const out: CredentialSource[] = [];
  if (env.REGISTRY_AUTH_FILE) out.push(new AuthFileCredentials(env.REGISTRY_AUTH_FILE));
  const dockerDir = env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker');
  out.push(new AuthFileCredentials(join(dockerDir, 'config.json')));
  return out;
}
