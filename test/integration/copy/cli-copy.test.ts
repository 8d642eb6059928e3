/** `promoter copy` as a user runs it: reports, exit codes, credentials from an auth file, bounded memory. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../helpers/cli.js';
import { buildImage, pushImage, randomBlob, sha256 } from '../../helpers/oci/image-builder.js';
import { type RegistryServer, startRegistry } from '../../helpers/oci/registry-server.js';
import { skopeoInspectRaw } from '../../helpers/oci/skopeo.js';
import { watchPeakRss } from '../../helpers/peak-rss.js';
import { tempDir } from '../../helpers/temp.js';

const tmp = tempDir('promoter-cli-copy-');
let src: RegistryServer;
let dst: RegistryServer;
let secured: RegistryServer;
const image = buildImage({ layers: [randomBlob(100_000, 'cli-1'), randomBlob(3000, 'cli-2')] });

beforeAll(async () => {
  [src, dst, secured] = await Promise.all([
    startRegistry(),
    startRegistry(),
    startRegistry({ htpasswd: { user: 'ci', password: 'pw' } }),
  ]);
  await pushImage(src.url, 'app', image, 'v1');
});

afterAll(async () => {
  await Promise.all([src.stop(), dst.stop(), secured.stop()]);
  tmp.cleanup();
});

describe('promoter copy', () => {
  it('copies and says what it did (text)', async () => {
    const r = await runCli([
      'copy',
      `${src.host}/app:v1`,
      `${dst.host}/app`,
      `oci-layout:${join(tmp.dir, 'layout')}`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `registry ${dst.host}/app: copied — 3 blobs uploaded \\(101 KiB\\), 0 mounted, 0 already there; 1 manifests put; tagged v1`,
      ),
    );
    expect(r.stdout).toMatch(/source: 3 blobs read \(101 KiB\) for 3 unique blobs \(101 KiB\)/);
    expect(r.stdout).toMatch(/✔ done/);
    expect(sha256(await skopeoInspectRaw(`oci:${join(tmp.dir, 'layout')}:v1`))).toBe(image.digest);
  });

  it('reports JSON with per-destination results, totals and requests per host', async () => {
    const r = await runCli([
      'copy',
      `${src.host}/app@${image.digest}`,
      `${dst.host}/by-digest`,
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean;
      images: { targets: { status: string; tagsPut: string[] }[] }[];
      requests: Record<string, { requests: number; byStatus: Record<string, number> }>;
    };
    expect(doc.ok).toBe(true);
    expect(doc.images[0]!.targets[0]).toMatchObject({ status: 'copied', tagsPut: [] });
    expect(doc.requests[src.host]!.requests).toBeGreaterThan(0);
    expect(doc.requests[dst.host]!.byStatus['201']).toBeGreaterThan(0);
  });

  it('reads credentials from REGISTRY_AUTH_FILE and never prints them', async () => {
    const auth = join(tmp.dir, 'auth.json');
    writeFileSync(
      auth,
      JSON.stringify({ auths: { [secured.host]: { auth: Buffer.from('ci:pw').toString('base64') } } }),
    );
    const r = await runCli(['copy', `${src.host}/app:v1`, `${secured.host}/app`], {
      env: { REGISTRY_AUTH_FILE: auth },
    });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/pw|Y2k6cHc/);
  });

  it('remembers between runs where blobs are, and mounts a shared base layer instead of uploading it', async () => {
    const base = randomBlob(80_000, 'cli-base');
    await pushImage(src.url, 'first', buildImage({ layers: [base, randomBlob(100, 'f')] }), 'v1');
    await pushImage(src.url, 'second', buildImage({ layers: [base, randomBlob(100, 's')] }), 'v1');
    expect((await runCli(['copy', `${src.host}/first:v1`, `${dst.host}/first`])).code).toBe(0);
    const r = await runCli(['copy', `${src.host}/second:v1`, `${dst.host}/second`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 blobs uploaded \(\d+ B\), 1 mounted/);
  });

  it('exits 1 when a destination fails, after finishing the others', async () => {
    const r = await runCli([
      'copy',
      `${src.host}/app:v1`,
      '127.0.0.1:9/unreachable',
      `${dst.host}/after-failure`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/127\.0\.0\.1:9\/unreachable: failed/);
    expect(r.stdout).toMatch(new RegExp(`${dst.host}/after-failure: copied`));
    expect(r.stdout).toMatch(/✖ 1 destination copies failed/);
  });

  it.each([
    [['copy', 'nohost:v1', 'x.io/y'], /no registry host/],
    [['copy', '127.0.0.1:1/app', '127.0.0.1:1/b'], /names no tag or digest/],
    [['copy', '127.0.0.1:1/app:v1', `127.0.0.1:1/b@sha256:${'a'.repeat(64)}`], /may not name a digest/],
    [['copy', '127.0.0.1:1/app:v1', '127.0.0.1:1/b', '--all-tags'], /--all-tags copies a whole repository/],
  ])('exits 2 for %j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('streams a 192 MiB layer with bounded memory (no whole-blob buffering, no temp files)', async () => {
    const big = buildImage({ layers: [randomBlob(192 * 1024 * 1024, 'huge')] });
    await pushImage(src.url, 'huge', big, 'v1');
    let peak: () => number = () => 0;
    const r = await runCli(
      ['copy', `${src.host}/huge:v1`, `${dst.host}/huge`, `oci-layout:${join(tmp.dir, 'huge')}`],
      {
        timeoutMs: 120_000,
        onSpawn: (pid) => {
          peak = watchPeakRss(pid);
        },
      },
    );
    const rss = peak();
    expect(r.code).toBe(0);
    expect(rss).toBeGreaterThan(0);
    // Node itself is ~60 MiB; a copy that buffered the layer would need over 250 MiB.
    expect(rss).toBeLessThan(180 * 1024 * 1024);
    expect(sha256(await skopeoInspectRaw(`${dst.host}/huge:v1`))).toBe(big.digest);
  }, 180_000);
});
