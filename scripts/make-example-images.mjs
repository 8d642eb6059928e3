#!/usr/bin/env node
// Writes the example release's staging images as OCI image layouts under
// manifests/example/stores/staging/hello/<image> (what `promoter serve --repo manifests/example` promotes),
// and prints their digests for manifests/example/registry/images/hello/images.yaml. Layers are real
// gzip'd tarballs holding one small file; the output is the same on every run.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'manifests', 'example', 'stores', 'staging');
const sha = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const json = (v) => Buffer.from(JSON.stringify(v));

/** A gzip'd tar of one file, byte-identical across runs. */
function layer(name, text) {
  const dir = mkdtempSync(join(tmpdir(), 'example-layer-'));
  writeFileSync(join(dir, name), text);
  const tar = execFileSync('tar', [
    '--sort=name',
    '--mtime=@0',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-C',
    dir,
    '-cf',
    '-',
    name,
  ]);
  rmSync(dir, { recursive: true });
  return execFileSync('gzip', ['-n', '-9'], { input: tar });
}

function image(layout, arch, text) {
  const l = layer('hello.txt', text);
  const diff = sha(execFileSync('gzip', ['-d'], { input: l }));
  const config = json({
    architecture: arch,
    os: 'linux',
    config: { Cmd: ['/bin/cat', '/hello.txt'] },
    rootfs: { type: 'layers', diff_ids: [diff] },
  });
  const manifest = json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: sha(config),
      size: config.length,
    },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(l), size: l.length }],
  });
  for (const b of [l, config, manifest]) blob(layout, b);
  return {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: sha(manifest),
    size: manifest.length,
    platform: { architecture: arch, os: 'linux' },
  };
}

function blob(layout, data) {
  const path = join(layout, 'blobs', 'sha256', sha(data).slice(7));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

function layoutWith(name, tags, top) {
  const layout = join(root, 'hello', name);
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const manifests = tags.map((t) => ({
    mediaType: top.mediaType,
    digest: top.digest,
    size: top.size,
    annotations: { 'org.opencontainers.image.ref.name': t },
  }));
  writeFileSync(
    join(layout, 'index.json'),
    `${JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }, null, 2)}\n`,
  );
  console.log(`${name}: ${top.digest} ${tags.join(', ')}`);
}

rmSync(join(root, 'hello'), { recursive: true, force: true });
const server = join(root, 'hello', 'hello-server');
const children = ['amd64', 'arm64'].map((arch) =>
  image(server, arch, `hello from hello-server v1.0.0 (${arch})\n`),
);
const index = json({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: children,
});
blob(server, index);
layoutWith('hello-server', ['v1.0.0', 'v1.0'], {
  mediaType: 'application/vnd.oci.image.index.v1+json',
  digest: sha(index),
  size: index.length,
});
const cli = join(root, 'hello', 'hello-cli');
const single = image(cli, 'amd64', 'hello from hello-cli v1.0.0\n');
layoutWith('hello-cli', ['v1.0.0'], single);
