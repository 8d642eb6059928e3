/**
 * The README's run command: `promoter serve --repo manifests/example` on a copy of the example release,
 * with no servers — its OCI layouts and directories are promoted, checked with skopeo, an edit to the
 * directory is picked up by the next poll, and drift is repaired by the periodic full pass.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ROOT } from '../../helpers/cli.js';
import { skopeoInspectRaw } from '../../helpers/oci/skopeo.js';
import { eventually, type ServeProcess, startServe } from '../../helpers/serve/serve-process.js';
import { copyTree, tempDir } from '../../helpers/temp.js';

const tmp = tempDir('promoter-serve-example-');
let serve: ServeProcess | undefined;
afterAll(async () => {
  if (serve) await serve.terminate(5000);
  tmp.cleanup();
});

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Status {
  applied?: { revision: string };
  lastPass?: { outcome: string; results?: Record<string, number> };
}

describe('promoter serve --repo manifests/example', () => {
  it('promotes the example release into its directories, then follows an edit', async () => {
    const repo = join(tmp.dir, 'example');
    copyTree(join(ROOT, 'manifests', 'example'), repo);
    serve = await startServe(
      ['--repo', repo, '--state', join(tmp.dir, 'state'), '--interval', '1s', '--drift-interval', '3s'],
      { ...process.env, XDG_CACHE_HOME: join(tmp.dir, 'cache') },
      join(tmp.dir, 'serve.log'),
    );
    const first = await eventually('the first pass', 20_000, async () => {
      const s = await serve!.json<Status>('/status');
      return s.applied ? s : undefined;
    });
    expect(first.lastPass).toMatchObject({ outcome: 'applied', results: { done: 14 } });
    const images = readFileSync(join(repo, 'registry/images/hello/images.yaml'), 'utf8');
    const server = /'(sha256:[0-9a-f]{64})': \['v1.0.0', 'v1.0'\]/.exec(images)![1]!;
    for (const mirror of ['mirror-a', 'mirror-b']) {
      for (const tag of ['v1.0.0', 'v1.0']) {
        const raw = await skopeoInspectRaw(
          `oci:${join(repo, 'stores', mirror, 'hello', 'hello-server')}:${tag}`,
        );
        expect(sha(raw)).toBe(server);
      }
    }
    for (const bucket of ['prod-bucket', 'mirror-bucket'])
      expect(readFileSync(join(repo, 'stores', bucket, 'hello/v1.0.0/hello.sh'))).toEqual(
        readFileSync(join(repo, 'stores/staging-bucket/hello/v1.0.0/hello.sh')),
      );

    // A new tag in the manifests: the next poll promotes it, incrementally.
    writeFileSync(
      join(repo, 'registry/images/hello/images.yaml'),
      images.replace("['v1.0.0', 'v1.0']", "['v1.0.0', 'v1.0', 'stable']"),
    );
    await eventually('the edit to be applied', 20_000, async () => {
      const s = await serve!.json<Status>('/status');
      return s.applied && s.applied.revision !== first.applied!.revision ? s : undefined;
    });
    const raw = await skopeoInspectRaw(`oci:${join(repo, 'stores/mirror-b/hello/hello-server')}:stable`);
    expect(sha(raw)).toBe(server);
    // Drift: a file deleted from a mirror behind promoter's back is restored by the next full pass.
    const readme = join(repo, 'stores/prod-bucket/hello/v1.0.0/README.txt');
    const want = readFileSync(readme);
    rmSync(readme);
    await eventually('the drift pass to restore the file', 20_000, async () =>
      existsSync(readme) ? true : undefined,
    );
    expect(readFileSync(readme)).toEqual(want);
    const metrics = await serve.text('/metrics');
    expect(metrics).toMatch(/promoter_reconcile_total\{outcome="applied",reason="drift"\} [1-9]/);
    expect(await serve.terminate()).toBe(0);
    serve = undefined;
  }, 60_000);
});
