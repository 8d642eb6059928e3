/** Endpoint resolution: longest prefix on segment boundaries, registry and OCI layout URLs, plain http. */
import { describe, expect, it } from '@jest/globals';
import { EndpointCredentialSource } from '../../../promoter/config/endpoint-credentials.js';
import { insecureHosts, locate } from '../../../promoter/config/endpoints.js';
import type { EndpointConfig } from '../../../promoter/domain/manifest-model.js';

const pos = { file: 'promoter.yaml', line: 1, column: 1, path: '' };
const ep = (prefix: string, url?: string, extra: Partial<EndpointConfig> = {}): EndpointConfig => ({
  prefix,
  insecure: false,
  pos,
  ...(url ? { url } : {}),
  ...extra,
});
const endpoints = [
  ep('us-central1-docker.pkg.dev/k8s-artifacts-prod', 'http://127.0.0.1:5002'),
  ep('us-central1-docker.pkg.dev/k8s-artifacts-prod/images/kubernetes', 'http://127.0.0.1:5003/k8s'),
  ep('staging.example.com', 'oci-layout:stores/staging'),
  ep('gcr.io/k8s-staging-foo'),
];

describe('locate', () => {
  it.each([
    [
      'us-central1-docker.pkg.dev/k8s-artifacts-prod/images/pause',
      { kind: 'registry', host: '127.0.0.1:5002' },
      'images/pause',
    ],
    [
      'us-central1-docker.pkg.dev/k8s-artifacts-prod/images/kubernetes/kube-proxy',
      { kind: 'registry', host: '127.0.0.1:5003' },
      'k8s/kube-proxy',
    ],
    [
      'us-central1-docker.pkg.dev/k8s-artifacts-prodx/app',
      { kind: 'registry', host: 'us-central1-docker.pkg.dev' },
      'k8s-artifacts-prodx/app',
    ],
    ['staging.example.com/hello/app', { kind: 'oci-layout', path: '/repo/stores/staging' }, 'hello/app'],
    ['gcr.io/k8s-staging-foo/app', { kind: 'registry', host: 'gcr.io' }, 'k8s-staging-foo/app'],
  ])('%s', (path, store, repo) => {
    const loc = locate(path, endpoints, '/repo');
    expect(loc.store).toEqual(store);
    expect(loc.repo).toBe(repo);
  });

  it('allows plain http for http:// endpoints and insecure ones only', () => {
    expect(
      insecureHosts([...endpoints, ep('registry.internal:5000', undefined, { insecure: true })]).sort(),
    ).toEqual(['127.0.0.1:5002', '127.0.0.1:5003', 'registry.internal:5000']);
  });
});

describe('endpoint credentials', () => {
  const withCreds = [
    ep('registry.example.com', 'https://mirror.example.com', {
      credentials: { usernameEnv: 'U', passwordEnv: 'P' },
    }),
  ];

  it('reads secrets from the environment when the endpoint’s host asks', async () => {
    const src = new EndpointCredentialSource(withCreds, { U: 'alice', P: 's3cret' }, '/');
    expect(await src.get('mirror.example.com')).toEqual({ username: 'alice', password: 's3cret' });
    expect(await src.get('other.example.com')).toBeUndefined();
  });

  it('says which variable is missing, never a value', async () => {
    const src = new EndpointCredentialSource(withCreds, { U: 'alice' }, '/');
    await expect(src.get('mirror.example.com')).rejects.toThrow(/P is not set/);
  });
});
