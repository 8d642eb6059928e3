/** The OCI layout store on a real directory: tags, digests, untagged roots, referrers, atomic blob writes. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from '@jest/globals';
import { OciLayoutStore } from '../../../promoter/adapters/registry/oci-layout/layout-store.js';
import type { Digest } from '../../../promoter/domain/digest.js';
import { IntegrityError, NotFoundError } from '../../../promoter/errors.js';
import {
  buildArtifact,
  buildImage,
  buildIndex,
  randomBlob,
  type BuiltImage,
} from '../../helpers/oci/image-builder.js';
import { skopeoInspectRaw } from '../../helpers/oci/skopeo.js';
import { tempDir } from '../../helpers/temp.js';

const tmp = tempDir('promoter-layout-');
afterAll(() => tmp.cleanup());

async function putImage(store: OciLayoutStore, repo: string, img: BuiltImage): Promise<void> {
  for (const [digest, data] of img.blobs) {
    await store.putBlob(
      repo,
      { mediaType: 'x', digest: digest as Digest, size: data.length },
      Readable.from([data]),
    );
  }
  await store.putManifest(repo, img.digest, { bytes: img.manifest, mediaType: img.mediaType });
}

describe('OciLayoutStore', () => {
  const store = new OciLayoutStore(join(tmp.dir, 'store'));
  const amd = buildImage({ layers: [randomBlob(1000, 1)], platform: { os: 'linux', architecture: 'amd64' } });
  const arm = buildImage({ layers: [randomBlob(1000, 2)], platform: { os: 'linux', architecture: 'arm64' } });
  const index = buildIndex([amd, arm]);

  it('stores an index by digest, lists only the root untagged, then tags it', async () => {
    await putImage(store, 'app', amd);
    await putImage(store, 'app', arm);
    await store.putManifest('app', index.digest, { bytes: index.manifest, mediaType: index.mediaType });
    expect(await store.listTags('app')).toEqual([]);
    await store.putManifest('app', 'v1', { bytes: index.manifest, mediaType: index.mediaType });
    expect(await store.listTags('app')).toEqual(['v1']);
    const head = await store.headManifest('app', 'v1');
    expect(head).toEqual({ digest: index.digest, mediaType: index.mediaType, size: index.manifest.length });
    expect((await store.getManifest('app', arm.digest)).bytes.equals(arm.manifest)).toBe(true);
  });

  it('is a layout skopeo reads', async () => {
    const raw = await skopeoInspectRaw(`oci:${join(tmp.dir, 'store', 'app')}:v1`);
    expect(raw.equals(index.manifest)).toBe(true);
  });

  it('refuses a manifest whose blobs are missing', async () => {
    const lonely = buildImage({ layers: [randomBlob(10, 3)] });
    await expect(
      store.putManifest('app', lonely.digest, { bytes: lonely.manifest, mediaType: lonely.mediaType }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('never stores a blob whose bytes do not match, and leaves no temporary file', async () => {
    const data = randomBlob(5000, 4);
    const wrong = { mediaType: 'x', digest: amd.digest as Digest, size: data.length };
    await expect(store.putBlob('other', wrong, Readable.from([data]))).rejects.toBeInstanceOf(IntegrityError);
    expect(await store.headBlob('other', amd.digest as Digest)).toBeUndefined();
    expect(readdirSync(join(tmp.dir, 'store', 'other', 'blobs', 'sha256'))).toEqual([]);
  });

  it('keeps the referrers tag index current when a manifest with a subject arrives', async () => {
    const sig = buildArtifact({
      subject: index.descriptor,
      artifactType: 'application/vnd.example.sig',
      payload: Buffer.from('sig'),
    });
    await putImage(store, 'app', sig);
    const refs = await store.listReferrers('app', index.digest as Digest);
    expect(refs.map((r) => [r.digest, r.artifactType])).toEqual([
      [sig.digest, 'application/vnd.example.sig'],
    ]);
    expect(await store.listReferrers('app', index.digest as Digest, 'other/type')).toEqual([]);
  });

  it('deletes by digest, dropping its tags', async () => {
    await store.deleteManifest('app', index.digest as Digest);
    expect(await store.listTags('app')).not.toContain('v1');
    await expect(store.deleteManifest('app', index.digest as Digest)).rejects.toBeInstanceOf(NotFoundError);
  });
});
