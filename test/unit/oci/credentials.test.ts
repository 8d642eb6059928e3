/** Credentials from Docker/Podman auth files: auths (auth or username/password), credHelpers, credsStore. */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  AuthFileCredentials,
  runCredentialHelper,
} from '../../../promoter/adapters/registry/auth/credentials.js';
import { tempDir } from '../../helpers/temp.js';

const tmp = tempDir('promoter-creds-');
afterAll(() => tmp.cleanup());

function authFile(content: unknown): string {
  const path = join(tmp.dir, `auth-${Math.random()}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('AuthFileCredentials', () => {
  it('decodes auths entries, whatever the key spelling', async () => {
    const f = new AuthFileCredentials(
      authFile({
        auths: {
          'https://gcr.io/v1/': { auth: Buffer.from('u1:p:with:colons').toString('base64') },
          'quay.io': { username: 'u2', password: 'p2' },
          'ghcr.io': { identitytoken: 'refresh' },
        },
      }),
    );
    expect(await f.get('gcr.io')).toEqual({ username: 'u1', password: 'p:with:colons' });
    expect(await f.get('quay.io')).toEqual({ username: 'u2', password: 'p2' });
    expect(await f.get('ghcr.io')).toEqual({ identityToken: 'refresh' });
    expect(await f.get('other.io')).toBeUndefined();
  });

  it('asks credHelpers first, then credsStore', async () => {
    const calls: string[] = [];
    const helper = async (name: string, host: string) => {
      calls.push(`${name}:${host}`);
      return { username: name, password: 'x' };
    };
    const f = new AuthFileCredentials(
      authFile({
        credHelpers: { 'gcr.io': 'gcloud' },
        credsStore: 'desktop',
        auths: { 'quay.io': { auth: Buffer.from('a:b').toString('base64') } },
      }),
      helper,
    );
    expect((await f.get('gcr.io'))?.username).toBe('gcloud');
    expect((await f.get('quay.io'))?.username).toBe('a');
    expect((await f.get('other.io'))?.username).toBe('desktop');
    expect(calls).toEqual(['gcloud:gcr.io', 'desktop:other.io']);
  });

  it('treats a missing file as no credentials', async () => {
    expect(await new AuthFileCredentials(join(tmp.dir, 'nope.json')).get('gcr.io')).toBeUndefined();
  });
});

describe('the docker-credential helper protocol', () => {
  it('runs docker-credential-NAME get with the host on stdin', async () => {
    const bin = join(tmp.dir, 'bin');
    const script = join(bin, 'docker-credential-fake');
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      script,
      '#!/bin/sh\nread host\nif [ "$host" = "known.io" ]; then echo "{\\"ServerURL\\":\\"$host\\",\\"Username\\":\\"me\\",\\"Secret\\":\\"s3\\"}"; else echo "credentials not found in native keychain"; exit 1; fi\n',
    );
    chmodSync(script, 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    expect(await runCredentialHelper('fake', 'known.io', env)).toEqual({ username: 'me', password: 's3' });
    expect(await runCredentialHelper('fake', 'other.io', env)).toBeUndefined();
  });
});
