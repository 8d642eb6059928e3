/** Filestore resolution from promoter.yaml and the environment, and the checks on `filestores:` entries. */
import { describe, expect, it } from '@jest/globals';
import { resolveFilestore } from '../../../promoter/config/filestores.js';
import type { FilestoreEndpointConfig } from '../../../promoter/domain/manifest-model.js';
import { InputError, UnsupportedError } from '../../../promoter/errors.js';
import { checkFilestoreEndpoints } from '../../../promoter/manifest/check-filestore-endpoints.js';
import { validateFiles } from '../../helpers/validate.js';
import { fileProject, shaOf } from '../../helpers/manifests.js';

const pos = { file: 'promoter.yaml', line: 3, column: 5, path: '' };
const entry = (prefix: string, extra: Partial<FilestoreEndpointConfig> = {}): FilestoreEndpointConfig => ({
  prefix,
  pos,
  ...extra,
});

describe('resolveFilestore', () => {
  const entries = [
    entry('gs://example-staging/', { directory: 'stores/staging' }),
    entry('s3://mirror/', { endpoint: 'http://127.0.0.1:9000/', region: 'eu-west-1' }),
    entry('s3://mirror/private/', {
      endpoint: 'http://127.0.0.1:9001',
      credentials: { accessKeyIdEnv: 'MIRROR_KEY', secretAccessKeyEnv: 'MIRROR_SECRET' },
      concurrency: 4,
    }),
    entry('gs://prod/', { endpoint: 'http://127.0.0.1:4443', credentials: { keyFile: 'keys/sa.json' } }),
  ];
  const env = { MIRROR_KEY: 'AKIA', MIRROR_SECRET: 'shh' };

  it.each([
    [
      'a directory standing in for a prefix',
      'gs://example-staging/hello/v1/',
      { kind: 'local', root: '/repo/stores/staging', prefix: 'hello/v1/' },
    ],
    ['a file:// base', 'file:///srv/mirror/', { kind: 'local', root: '/srv/mirror/', prefix: '' }],
    [
      'an S3 endpoint with its region',
      's3://mirror/bin/',
      {
        kind: 's3',
        bucket: 'mirror',
        prefix: 'bin/',
        endpoint: 'http://127.0.0.1:9000',
        region: 'eu-west-1',
        credentialSource: 'default-chain',
      },
    ],
    [
      'the longest prefix, with named credentials',
      's3://mirror/private/x/',
      {
        kind: 's3',
        bucket: 'mirror',
        prefix: 'private/x/',
        endpoint: 'http://127.0.0.1:9001',
        credentials: { accessKeyId: 'AKIA', secretAccessKey: 'shh' },
        credentialSource: 'env:MIRROR_KEY',
        limits: { concurrency: 4 },
      },
    ],
    [
      'a GCS endpoint and key file',
      'gs://prod/bin/',
      {
        kind: 'gcs',
        bucket: 'prod',
        prefix: 'bin/',
        endpoint: 'http://127.0.0.1:4443',
        keyFile: '/repo/keys/sa.json',
      },
    ],
  ])('%s', (_name, base, want) => {
    expect(resolveFilestore(base, entries, env, '/repo')).toMatchObject(want);
  });

  it('follows the SDK conventions when no entry covers a base', () => {
    const e = {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:2',
      AWS_REGION: 'ap-south-1',
      STORAGE_EMULATOR_HOST: 'http://127.0.0.1:3',
    };
    expect(resolveFilestore('s3://b/', [], e, '/')).toMatchObject({
      endpoint: 'http://127.0.0.1:2',
      region: 'ap-south-1',
    });
    const { AWS_ENDPOINT_URL_S3: _unused, ...generic } = e;
    expect(resolveFilestore('s3://b/', [], generic, '/')).toMatchObject({ endpoint: 'http://127.0.0.1:1' });
    expect(resolveFilestore('s3://b/', [], {}, '/')).toEqual({
      kind: 's3',
      bucket: 'b',
      prefix: '',
      region: 'us-east-1',
      credentialSource: 'default-chain',
      limits: {},
    });
    expect(resolveFilestore('gs://b/x/', [], e, '/')).toMatchObject({
      kind: 'gcs',
      endpoint: 'http://127.0.0.1:3',
    });
    expect(
      resolveFilestore('s3://b/', [], { AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' }, '/'),
    ).toMatchObject({ credentialSource: 'env:AWS_ACCESS_KEY_ID' });
  });

  it('names a missing credential variable, never a value', () => {
    const err = (() => {
      try {
        resolveFilestore('s3://mirror/private/', entries, { MIRROR_KEY: 'AKIA' }, '/');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/MIRROR_SECRET/);
    expect((err as Error).message).not.toMatch(/AKIA/);
  });

  it('lists the known schemes for an unknown one', () => {
    expect(() => resolveFilestore('azure://x/', [], {}, '/')).toThrow(UnsupportedError);
    expect(() => resolveFilestore('azure://x/', [], {}, '/')).toThrow(/s3:\/\/, gs:\/\/, file:\/\//);
  });
});

describe('checkFilestoreEndpoints', () => {
  it.each([
    [entry('s3://m/', { directory: 'd', endpoint: 'http://x' }), /exclude each other/],
    [entry('file:///srv/', { endpoint: 'http://x' }), /no API endpoint/],
    [entry('gs://m/', { region: 'eu' }), /s3:\/\/ filestores only/],
    [entry('gs://m/', { credentials: { accessKeyIdEnv: 'A', secretAccessKeyEnv: 'B' } }), /access keys/],
    [entry('s3://m/', { credentials: { keyFile: 'k.json' } }), /keyFile/],
    [entry('s3://m/', { credentials: { accessKeyIdEnv: 'A' } }), /go together/],
    [entry('s3://m/', { directory: 'd', credentials: {} }), /no credentials/],
  ])('reports %j', (e, message) => {
    const found = checkFilestoreEndpoints([e]);
    expect(found.map((f) => f.code)).toEqual(['invalid-value']);
    expect(found[0]!.message).toMatch(message);
    expect(found[0]!.line).toBe(3);
  });

  it('accepts sound entries and reports a prefix listed twice', () => {
    const good = [
      entry('s3://m/', {
        endpoint: 'http://127.0.0.1:9000',
        region: 'us-east-1',
        credentials: { accessKeyIdEnv: 'A', secretAccessKeyEnv: 'B' },
      }),
      entry('gs://g/', { credentials: { keyFile: 'k.json' } }),
      entry('gs://staging/', { directory: 'stores/staging' }),
    ];
    expect(checkFilestoreEndpoints(good)).toEqual([]);
    expect(checkFilestoreEndpoints([...good, entry('s3://m/')]).map((f) => f.message)).toEqual([
      'filestore s3://m/: listed twice (first at line 3)',
    ]);
  });

  it('is part of validation, with the location of the entry in promoter.yaml', async () => {
    const repo = {
      ...fileProject('tool', 'gs://staging/', ['s3://mirror/'], { a: shaOf('a') }),
      'promoter.yaml':
        'filestores:\n  - prefix: s3://mirror/\n    directory: d\n    endpoint: http://127.0.0.1:9\n  - prefix: ftp://x/\n',
    };
    const found = await validateFiles(repo);
    expect(found.map((f) => `${f.code} ${f.file}:${f.line}`).sort()).toEqual([
      'invalid-value promoter.yaml:2',
      'invalid-value promoter.yaml:5',
    ]);
  });
});
