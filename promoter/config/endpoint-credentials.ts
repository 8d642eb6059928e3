/**
 * Credentials named by promoter.yaml endpoints, read from the environment or files when a registry asks.
 * The config holds only where secrets are, never the secrets.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Credential, CredentialSource } from '../adapters/registry/auth/credentials.js';
import type { EndpointConfig } from '../domain/manifest-model.js';
import { normalizeRegistryName } from '../domain/names.js';
import { InputError } from '../errors.js';

/** The host an endpoint's requests go to. */
export function endpointHost(e: EndpointConfig): string {
  if (e.url && !e.url.startsWith('oci-layout:')) return new URL(e.url).host.toLowerCase();
  return normalizeRegistryName(e.prefix).split('/')[0]!;
}

/** Credentials of the endpoints that declare them, by host. */
export class EndpointCredentialSource implements CredentialSource {
  constructor(
    private readonly endpoints: readonly EndpointConfig[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly baseDir: string,
  ) {}

  async get(host: string): Promise<Credential | undefined> {
    const e = this.endpoints.find((x) => x.credentials && endpointHost(x) === host.toLowerCase());
    if (!e?.credentials) return undefined;
    const c = e.credentials;
    const username = c.usernameEnv ? this.env[c.usernameEnv] : c.username;
    let password: string | undefined;
    if (c.passwordEnv) password = this.env[c.passwordEnv];
    else if (c.passwordFile) {
      const file = isAbsolute(c.passwordFile) ? c.passwordFile : join(this.baseDir, c.passwordFile);
      try {
        password = readFileSync(file, 'utf8').trim();
      } catch (err) {
        throw new InputError(
          `cannot read the password file of endpoint ${e.prefix}: ${(err as Error).message}`,
          { cause: err },
        );
      }
    }
    if (username === undefined || password === undefined) {
      const missing = username === undefined ? (c.usernameEnv ?? 'username') : (c.passwordEnv ?? 'password');
      throw new InputError(`endpoint ${e.prefix} names credentials, but ${missing} is not set`);
    }
    return { username, password };
  }
}
