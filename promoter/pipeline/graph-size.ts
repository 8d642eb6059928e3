/** Sizes an image graph (manifests and unique blobs) by walking its manifests from the source. */
import type { CopySession, Endpoint } from '../copy/copy-session.js';
import type { Digest } from '../domain/digest.js';
import { parseManifest, requiredBlobs } from '../domain/manifest-content.js';
import type { GraphSize } from '../plan/estimate.js';

/** The manifests and blobs under `digest` in `source` (fetched through the session's manifest cache). */
export async function graphSize(session: CopySession, source: Endpoint, digest: Digest): Promise<GraphSize> {
  const out: GraphSize = { manifests: 0, blobs: new Map() };
  const walk = async (d: Digest): Promise<void> => {
    const content = parseManifest(await session.manifest(source, d));
    out.manifests++;
    for (const b of requiredBlobs(content)) out.blobs.set(b.digest, b.size);
    for (const child of content.manifests) await walk(child.digest);
  };
  await walk(digest);
  return out;
}
