/**
 * `promoter promote` vs `skopeo sync --all` on the same release: a generated set of two-platform images
 * sharing base layers, in one staging repository tree, promoted to three empty mirrors — cold, then the
 * no-op second pass. promoter does all mirrors in one run; skopeo syncs each mirror in turn. Every registry
 * is reached through a counting proxy, so requests and bytes are counted alike. Prints figures and ratios.
 *
 * Run: npm run bench:promote   (IMAGES=60 by default; about 210 MiB unique)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImage, buildIndex, pushImage, randomBlob } from '../test/helpers/oci/image-builder.js';
import { mib, run, startEndpoints, stopEndpoints, sumCounts, timed, type Endpoint } from './bench-env.js';

const IMAGES = Number(process.env.IMAGES ?? 60);
const BASE = 6 * 1024 * 1024;
const UNIQUE = Math.round(1.6 * 1024 * 1024);
const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const bin = join(root, 'dist', 'promoter', 'cli', 'bin.js');

/** Writes promoter.yaml (endpoints) and the thin manifest of project `rel` into `dir`. */
function manifestRepo(dir: string, src: Endpoint, mirrors: Endpoint[]): void {
  const endpoint = (prefix: string, e: Endpoint) => `  - prefix: ${prefix}\n    url: http://${e.host}\n`;
  writeFileSync(
    join(dir, 'promoter.yaml'),
    `endpoints:\n${endpoint('staging.example.com', src)}${mirrors.map((m, i) => endpoint(`mirror-${i}.example.com`, m)).join('')}`,
  );
  const registries = [
    'registries:',
    '- name: staging.example.com/rel',
    '  src: true',
    ...mirrors.map((_, i) => `- name: mirror-${i}.example.com/rel`),
  ];
  writeFileSync(join(dir, 'manifests', 'rel', 'promoter-manifest.yaml'), `${registries.join('\n')}\n`);
}

async function main(): Promise<void> {
  process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'promoter-bench-cache-'));
  const work = mkdtempSync(join(tmpdir(), 'promoter-bench-'));
  const [src, ...dests] = await startEndpoints(7);
  const ours = dests.slice(0, 3);
  const theirs = dests.slice(3);
  try {
    const platforms = [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ];
    const bases = platforms.map((p) => [
      randomBlob(BASE, `pbase-a-${p.architecture}`),
      randomBlob(BASE, `pbase-b-${p.architecture}`),
    ]);
    let unique = bases.flat().reduce((n, b) => n + b.length, 0);
    const names: string[] = [];
    const images: string[] = [];
    process.stdout.write(`pushing ${IMAGES} two-platform images to staging… `);
    for (let i = 0; i < IMAGES; i++) {
      const name = `img-${String(i).padStart(2, '0')}`;
      const children = platforms.map((p, k) =>
        buildImage({ layers: [...bases[k]!, randomBlob(UNIQUE, `p-${i}-${p.architecture}`)], platform: p }),
      );
      unique += 2 * UNIQUE + children.reduce((n, c) => n + c.config.length, 0);
      const index = buildIndex(children);
      await pushImage(src!.registry.url, `rel/${name}`, index, 'v1');
      names.push(name);
      images.push(`- name: ${name}\n  dmap:\n    "${index.digest}": ["v1"]`);
    }
    console.log(`done (${mib(unique)} unique)`);

    const repo = join(work, 'manifests');
    await run('mkdir', ['-p', join(repo, 'manifests', 'rel'), join(repo, 'images', 'rel')]);
    manifestRepo(repo, src!, ours);
    writeFileSync(join(repo, 'images', 'rel', 'images.yaml'), `${images.join('\n')}\n`);
    const syncYaml = join(work, 'sync.yaml');
    writeFileSync(
      syncYaml,
      `${src!.host}:\n  tls-verify: false\n  images:\n${names.map((n) => `    rel/${n}: ["v1"]`).join('\n')}\n`,
    );

    const promote = () => run(process.execPath, [bin, 'promote', repo, '--confirm', '--format', 'json']);
    const sync = async () => {
      for (const d of theirs) {
        await run('skopeo', [
          'sync',
          '--src',
          'yaml',
          '--dest',
          'docker',
          '--all',
          '--preserve-digests',
          '--dest-tls-verify=false',
          syncYaml,
          `${d.host}/rel`,
        ]);
      }
    };
    const measure = async (what: () => Promise<unknown>, endpoints: Endpoint[]) => {
      for (const e of [src!, ...dests]) e.proxy.reset();
      const ms = await timed(async () => void (await what()));
      return { ms, all: sumCounts(endpoints), src: sumCounts([src!]) };
    };

    const coldOurs = await measure(promote, [src!, ...ours]);
    const coldTheirs = await measure(sync, [src!, ...theirs]);
    const warmOurs = await measure(promote, [src!, ...ours]);
    const warmTheirs = await measure(sync, [src!, ...theirs]);

    for (const n of names) {
      const a = await run('skopeo', [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${ours[2]!.host}/rel/${n}:v1`,
      ]);
      const b = await run('skopeo', [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${theirs[2]!.host}/rel/${n}:v1`,
      ]);
      if (a !== b) throw new Error(`${n}: the two tools' mirrors differ`);
    }

    const row = (label: string, x: string, y: string) =>
      console.log(`  ${label.padEnd(30)}${x.padStart(14)}${y.padStart(20)}`);
    console.log(
      `\npromote ${IMAGES} images (2 platforms, shared base layers, ${mib(unique)} unique) to 3 mirrors`,
    );
    row('', 'promoter', 'skopeo sync --all');
    row('cold: wall time', `${(coldOurs.ms / 1000).toFixed(2)} s`, `${(coldTheirs.ms / 1000).toFixed(2)} s`);
    row('cold: requests', String(coldOurs.all.requests), String(coldTheirs.all.requests));
    row('cold: source blob bytes read', mib(coldOurs.src.blobBytesOut), mib(coldTheirs.src.blobBytesOut));
    row('cold: bytes uploaded', mib(coldOurs.all.uploadBytesIn), mib(coldTheirs.all.uploadBytesIn));
    row('no-op: wall time', `${(warmOurs.ms / 1000).toFixed(2)} s`, `${(warmTheirs.ms / 1000).toFixed(2)} s`);
    row('no-op: requests', String(warmOurs.all.requests), String(warmTheirs.all.requests));
    row(
      'no-op: blob bytes moved',
      mib(warmOurs.all.blobBytesOut + warmOurs.all.uploadBytesIn),
      mib(warmTheirs.all.blobBytesOut + warmTheirs.all.uploadBytesIn),
    );
    console.log(
      `\n  ratios (skopeo / promoter): cold wall ${(coldTheirs.ms / coldOurs.ms).toFixed(2)}×, cold requests ${(coldTheirs.all.requests / coldOurs.all.requests).toFixed(2)}×, ` +
        `no-op wall ${(warmTheirs.ms / warmOurs.ms).toFixed(2)}×, no-op requests ${(warmTheirs.all.requests / warmOurs.all.requests).toFixed(2)}×`,
    );
    console.log(`  promoter cold requests by kind: ${JSON.stringify(coldOurs.all.byKind)}`);
    console.log(`  skopeo cold requests by kind:   ${JSON.stringify(coldTheirs.all.byKind)}`);
    console.log(`  promoter no-op requests by kind: ${JSON.stringify(warmOurs.all.byKind)}`);
    console.log(`  skopeo no-op requests by kind:   ${JSON.stringify(warmTheirs.all.byKind)}`);
  } finally {
    await stopEndpoints([src!, ...dests]);
    await run('rm', ['-rf', work]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
