/** Image references: registry and OCI layout forms, and clear errors for the rest. */
import { describe, expect, it } from '@jest/globals';
import { formatReference, parseReference } from '../../../promoter/domain/reference.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  it.each([
    [
      '127.0.0.1:5000/app:v1',
      { store: { kind: 'registry', host: '127.0.0.1:5000' }, repository: 'app', tag: 'v1' },
    ],
    [
      'gcr.io/k8s-staging/a/b',
      { store: { kind: 'registry', host: 'gcr.io' }, repository: 'k8s-staging/a/b' },
    ],
    [`localhost/app@${D}`, { store: { kind: 'registry', host: 'localhost' }, repository: 'app', digest: D }],
    [
      `Registry.Example.com/app:v1@${D}`,
      { store: { kind: 'registry', host: 'registry.example.com' }, repository: 'app', tag: 'v1', digest: D },
    ],
    ['oci-layout:/tmp/x:v1', { store: { kind: 'oci-layout', path: '/tmp/x' }, repository: '', tag: 'v1' }],
    ['oci-layout:./rel/dir', { store: { kind: 'oci-layout', path: './rel/dir' }, repository: '' }],
    [`oci:/tmp/x@${D}`, { store: { kind: 'oci-layout', path: '/tmp/x' }, repository: '', digest: D }],
  ])('%s', (text, want) => {
    expect(parseReference(text)).toEqual(want);
  });

  it.each([
    ['app:v1', /no registry host/],
    ['library/app:v1', /is not a registry host/],
    ['docker://gcr.io/app', /without a scheme/],
    ['gcr.io/App', /not a valid repository name/],
    ['gcr.io/app:-bad', /not a valid tag/],
    ['gcr.io/app@sha256:abc', /not a sha256 digest/],
    ['oci-layout:', /names no directory/],
  ])('rejects %s', (text, why) => {
    expect(() => parseReference(text)).toThrow(why);
  });

  it('formats what it parses', () => {
    for (const t of ['127.0.0.1:5000/app:v1', `gcr.io/a/b@${D}`, 'oci-layout:/tmp/x:v1'])
      expect(formatReference(parseReference(t))).toBe(t);
  });
});
