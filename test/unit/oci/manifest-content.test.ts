/** Reading manifests: what they reference, and what promoter refuses. */
import { describe, expect, it } from '@jest/globals';
import { digestOf, parseManifest, requiredBlobs } from '../../../promoter/domain/manifest-content.js';
import { MediaTypes } from '../../../promoter/domain/media-types.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const desc = (c: string, mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip', extra = {}) => ({
  mediaType,
  digest: d(c),
  size: 10,
  ...extra,
});
const bytes = (o: unknown) => Buffer.from(JSON.stringify(o));

describe('parseManifest', () => {
  it('reads an OCI image: config, layers, subject', () => {
    const m = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: desc('c', 'application/vnd.oci.image.config.v1+json'),
      layers: [desc('1'), desc('2')],
      subject: desc('9', MediaTypes.ociManifest),
    };
    const c = parseManifest({ bytes: bytes(m), mediaType: '' });
    expect(c.kind).toBe('image');
    expect(requiredBlobs(c).map((x) => x.digest)).toEqual([d('c'), d('1'), d('2')]);
    expect(c.subject?.digest).toBe(d('9'));
  });

  it('reads an index and a Docker manifest list (type from the response when the JSON omits it)', () => {
    const idx = {
      schemaVersion: 2,
      manifests: [desc('a', MediaTypes.dockerManifest, { platform: { os: 'linux', architecture: 'amd64' } })],
    };
    expect(parseManifest({ bytes: bytes(idx), mediaType: MediaTypes.dockerList }).manifests).toHaveLength(1);
  });

  it('skips non-distributable layers (with urls) from the blobs to copy', () => {
    const m = {
      schemaVersion: 2,
      mediaType: MediaTypes.dockerManifest,
      config: desc('c'),
      layers: [
        desc('1', 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', { urls: ['https://x'] }),
        desc('2'),
      ],
    };
    expect(requiredBlobs(parseManifest({ bytes: bytes(m), mediaType: '' })).map((x) => x.digest)).toEqual([
      d('c'),
      d('2'),
    ]);
  });

  it.each([
    ['not JSON', Buffer.from('{'), /not valid JSON/],
    ['schema 1', bytes({ schemaVersion: 1, name: 'x' }), /schema 1/],
    ['unknown type', bytes({ schemaVersion: 2, mediaType: 'text/plain' }), /unsupported manifest media type/],
    [
      'bad descriptor',
      bytes({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: { digest: 'x' }, layers: [] }),
      /not a valid descriptor/,
    ],
    [
      'negative size',
      bytes({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [{ ...desc('a'), size: -1 }] }),
      /invalid size/,
    ],
  ])('refuses %s', (_n, b, why) => {
    expect(() => parseManifest({ bytes: b, mediaType: MediaTypes.ociManifest })).toThrow(why);
  });

  it('digests exact bytes', () => {
    expect(digestOf('')).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
