/**
 * `promoter copy` vs `skopeo copy --all` on the same data: a generated set of multi-arch images sharing base
 * layers, copied from one local registry to three others. promoter copies each image to the three mirrors
 * in one run; skopeo copies each image to each mirror. Every registry is reached through a counting proxy,
 * so requests and bytes are counted alike for both tools. Prints the figures and the ratios.
 *
 * Run: npm run bench:copy   (IMAGES=20 by default; ~215 MiB unique)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImage, buildIndex, pushImage, randomBlob } from '../test/helpers/oci/image-builder.js';
import { mib, run, skopeoCopyArgs, startEndpoints, stopEndpoints, sumCounts, timed } from './bench-env.js';

const IMAGES = Number(process.env.IMAGES ?? 20);
const BASE = 8 * 1024 * 1024;
const UNIQUE = Math.round(4.5 * 1024 * 1024);
const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const bin = join(root, 'dist', 'promoter', 'cli', 'bin.js');

async function main(): Promise<void> {
  // A fresh blob-location cache, so earlier runs give promoter no head start.
  process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'promoter-bench-cache-'));
  const [src, ...dests] = await startEndpoints(7);
  const ours = dests.slice(0, 3);
  const theirs = dests.slice(3);
  try {
    const platforms = [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ];
    const bases = platforms.map((p) => [
      randomBlob(BASE, `base-a-${p.architecture}`),
      randomBlob(BASE, `base-b-${p.architecture}`),
    ]);
    let unique = bases.flat().reduce((n, b) => n + b.length, 0);
    process.stdout.write(`pushing ${IMAGES} two-platform images to the source registry… `);
    for (let i = 0; i < IMAGES; i++) {
      const children = platforms.map((p, k) =>
        buildImage({ layers: [...bases[k]!, randomBlob(UNIQUE, `img-${i}-${p.architecture}`)], platform: p }),
      );
      unique +=
        children.reduce((n, c) => n + [...c.blobs.values()].reduce((m, b) => m + b.length, 0), 0) -
        2 * 2 * BASE;
      await pushImage(src!.registry.url, `img-${i}`, buildIndex(children), 'v1');
    }
    console.log(`done (${mib(unique)} unique)`);
    const refs = Array.from({ length: IMAGES }, (_, i) => `img-${i}`);

    for (const e of [src!, ...dests]) e.proxy.reset();
    const promoterMs = await timed(async () => {
      for (const r of refs)
        await run(process.execPath, [
          bin,
          'copy',
          `${src!.host}/${r}:v1`,
          ...ours.map((d) => `${d.host}/${r}`),
          '--format',
          'json',
        ]);
    });
    const promoterSrc = sumCounts([src!]);
    const promoterAll = sumCounts([src!, ...ours]);

    for (const e of [src!, ...dests]) e.proxy.reset();
    const skopeoMs = await timed(async () => {
      for (const r of refs)
        for (const d of theirs)
          await run('skopeo', skopeoCopyArgs(`${src!.host}/${r}:v1`, `${d.host}/${r}:v1`));
    });
    const skopeoSrc = sumCounts([src!]);
    const skopeoAll = sumCounts([src!, ...theirs]);

    // Both mirrors sets must now hold the same images.
    for (const r of refs) {
      const a = await run('skopeo', [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${ours[2]!.host}/${r}:v1`,
      ]);
      const b = await run('skopeo', [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${theirs[2]!.host}/${r}:v1`,
      ]);
      if (a !== b) throw new Error(`${r}: the two tools' copies differ`);
    }

    console.log(
      `\ncopy ${IMAGES} images (2 platforms, shared base layers, ${mib(unique)} unique) to 3 registries`,
    );
    console.log(`                        promoter copy        skopeo copy --all`);
    console.log(
      `  wall time             ${(promoterMs / 1000).toFixed(2).padStart(8)} s         ${(skopeoMs / 1000).toFixed(2).padStart(8)} s`,
    );
    console.log(
      `  requests (all)        ${String(promoterAll.requests).padStart(8)}           ${String(skopeoAll.requests).padStart(8)}`,
    );
    console.log(
      `  source requests       ${String(promoterSrc.requests).padStart(8)}           ${String(skopeoSrc.requests).padStart(8)}`,
    );
    console.log(
      `  source blob bytes     ${mib(promoterSrc.blobBytesOut).padStart(12)}       ${mib(skopeoSrc.blobBytesOut).padStart(12)}`,
    );
    console.log(
      `  bytes uploaded        ${mib(promoterAll.uploadBytesIn).padStart(12)}       ${mib(skopeoAll.uploadBytesIn).padStart(12)}`,
    );
    console.log(
      `\n  ratios (skopeo / promoter): wall ${(skopeoMs / promoterMs).toFixed(2)}×, requests ${(skopeoAll.requests / promoterAll.requests).toFixed(2)}×, ` +
        `source bytes ${(skopeoSrc.blobBytesOut / promoterSrc.blobBytesOut).toFixed(2)}×`,
    );
    console.log(
      `  source bytes read / unique bytes: promoter ${(promoterSrc.blobBytesOut / unique).toFixed(2)}, skopeo ${(skopeoSrc.blobBytesOut / unique).toFixed(2)}`,
    );
    console.log(`  promoter requests by kind: ${JSON.stringify(promoterAll.byKind)}`);
    console.log(`  skopeo requests by kind:   ${JSON.stringify(skopeoAll.byKind)}`);
  } finally {
    await stopEndpoints([src!, ...dests]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
