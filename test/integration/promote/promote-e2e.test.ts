/**
 * `promoter plan` and `promoter promote` end to end: a manifest repository with three projects, a staging
 * registry with single- and multi-platform images, a signature tag and a referrer, and three mirrors, all
 * real CNCF registries behind counting proxies, reached through promoter.yaml endpoints. Mirrors are
 * checked per tag with skopeo.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RegistryStore } from '../../../promoter/adapters/registry/registry-store.js';
import { StoreResolver } from '../../../promoter/adapters/registry/store-resolver.js';
import type { Digest } from '../../../promoter/domain/digest.js';
import { runCli } from '../../helpers/cli.js';
import { imagesYaml, registriesYaml } from '../../helpers/manifests.js';
import { type CountingProxy, startCountingProxy } from '../../helpers/oci/counting-proxy.js';
import {
  buildArtifact,
  buildDockerImage,
  buildImage,
  buildIndex,
  pushBlob,
  pushImage,
  randomBlob,
  sha256,
} from '../../helpers/oci/image-builder.js';
import { type RegistryServer, startRegistry } from '../../helpers/oci/registry-server.js';
import { skopeoInspectRaw } from '../../helpers/oci/skopeo.js';
import { git, gitCommitAll, gitInitCommit, tempDir, writeTree } from '../../helpers/temp.js';

const tmp = tempDir('promoter-e2e-');
const repo = join(tmp.dir, 'manifests');
const servers: RegistryServer[] = [];
const proxies: CountingProxy[] = [];
let staging: CountingProxy;
let mirrors: CountingProxy[];

const base = randomBlob(120_000, 'e2e-base');
const app1 = buildImage({ layers: [base, randomBlob(4000, 'app1')] });
const app2 = buildIndex([
  buildImage({
    layers: [base, randomBlob(3000, 'app2-amd')],
    platform: { os: 'linux', architecture: 'amd64' },
  }),
  buildImage({
    layers: [base, randomBlob(3000, 'app2-arm')],
    platform: { os: 'linux', architecture: 'arm64' },
  }),
]);
const app2sig = buildArtifact({
  subject: app2.descriptor,
  artifactType: 'application/vnd.dev.cosign.simplesigning.v1+json',
  payload: Buffer.from('sig-app2'),
});
const tool = buildIndex([
  buildImage({ layers: [randomBlob(50_000, 'tool-amd')], platform: { os: 'linux', architecture: 'amd64' } }),
  buildImage({ layers: [randomBlob(50_000, 'tool-arm')], platform: { os: 'linux', architecture: 'arm64' } }),
]);
const toolSbom = buildArtifact({
  subject: tool.descriptor,
  artifactType: 'application/spdx+json',
  payload: Buffer.from('{"sbom":true}'),
});
const lib = buildDockerImage({ layers: [randomBlob(30_000, 'lib')] });
const libOld = buildDockerImage({ layers: [randomBlob(30_000, 'lib-old')] });
const extra = buildImage({ layers: [randomBlob(2000, 'extra')] });
const MISSING = `sha256:${'0'.repeat(63)}1`;

const hex = (d: string) => d.replace(':', '-');

function projects(
  over: {
    alpha?: Record<string, Record<string, string[]>>;
    beta?: Record<string, Record<string, string[]>>;
    gamma?: Record<string, Record<string, string[]>>;
  } = {},
) {
  const files: Record<string, string> = {};
  const dests = (p: string) => [1, 2, 3].map((i) => `mirror-${i}.example.com/${p}`);
  const content = {
    alpha: over.alpha ?? { app: { [app1.digest]: ['v1.0'], [app2.digest]: ['v1.1'] } },
    beta: over.beta ?? { tool: { [tool.digest]: ['v2', 'latest'] } },
    gamma: over.gamma ?? { lib: { [lib.digest]: ['v3'], [libOld.digest]: [] } },
  };
  for (const [p, images] of Object.entries(content)) {
    files[`manifests/${p}/promoter-manifest.yaml`] = registriesYaml(`staging.example.com/${p}`, dests(p));
    files[`images/${p}/images.yaml`] = imagesYaml(images);
  }
  return files;
}

function config(deletions = 'allowed: true\n    maxDeletes: 2') {
  const endpoint = (prefix: string, p: CountingProxy) => `  - prefix: ${prefix}\n    url: http://${p.host}\n`;
  return (
    `policy:\n  deletions:\n    ${deletions}\nendpoints:\n` +
    endpoint('staging.example.com', staging) +
    mirrors.map((m, i) => endpoint(`mirror-${i + 1}.example.com`, m)).join('')
  );
}

interface Report {
  ok: boolean;
  counts: Record<string, number>;
  findings: { code: string; severity: string; message: string }[];
  requests: Record<string, { byKind: Record<string, number> }>;
  actions: { kind: string; outcome: string; reason: string; result?: string; tag?: string; dest: string }[];
}

async function promote(...args: string[]): Promise<{ code: number | null; report: Report; stderr: string }> {
  const r = await runCli(['promote', repo, '--confirm', '--format', 'json', ...args], { timeoutMs: 120_000 });
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

async function plan(...args: string[]) {
  const r = await runCli(['plan', repo, ...args], { timeoutMs: 120_000 });
  return r;
}

/** Every mirror serves `ref` with `digest` (skopeo). */
async function expectOnMirrors(path: string, ref: string, digest: string): Promise<void> {
  for (const m of mirrors) {
    const sep = ref.startsWith('sha256:') ? '@' : ':';
    expect(sha256(await skopeoInspectRaw(`${m.host}/${path}${sep}${ref}`))).toBe(digest);
  }
}

beforeAll(async () => {
  for (let i = 0; i < 4; i++) {
    const r = await startRegistry();
    servers.push(r);
    proxies.push(await startCountingProxy(r.url));
  }
  [staging, ...mirrors] = proxies as [CountingProxy, ...CountingProxy[]];
  const url = servers[0]!.url;
  await pushImage(url, 'alpha/app', app1, 'v1.0');
  await pushImage(url, 'alpha/app', app2, 'v1.1');
  await pushImage(url, 'alpha/app', app2sig, `${hex(app2.digest)}.sig`);
  await pushImage(url, 'beta/tool', tool, 'v2');
  await pushImage(url, 'gamma/lib', lib, 'v3');
  await pushImage(url, 'gamma/lib', libOld);
  await pushImage(url, 'alpha/app', extra);
  // The SBOM goes through promoter's own client, which keeps the referrers fallback tag on the registry.
  for (const data of toolSbom.blobs.values()) await pushBlob(url, 'beta/tool', data);
  const resolver = new StoreResolver();
  const store = resolver.resolve({ kind: 'registry', host: servers[0]!.host });
  await store.putManifest('beta/tool', toolSbom.digest, {
    bytes: toolSbom.manifest,
    mediaType: toolSbom.mediaType,
  });
  await resolver.close();
  writeTree(repo, { 'promoter.yaml': config(), ...projects() });
  gitInitCommit(repo);
});

afterAll(async () => {
  for (const p of proxies) await p.stop();
  for (const s of servers) await s.stop();
  tmp.cleanup();
});

describe('validate --online', () => {
  it('checks that new digests exist in staging, and are indexes when policy requires multi-arch', async () => {
    const withPolicy = config().replace('policy:\n', 'policy:\n  requireMultiArch: true\n');
    writeTree(repo, { 'promoter.yaml': withPolicy });
    const base = gitCommitAll(repo, 'require multi-arch');
    const clean = await runCli(['validate', repo, '--online', '--base', base, '--format', 'json']);
    expect(clean.code).toBe(0);
    writeTree(
      repo,
      projects({
        alpha: {
          app: {
            [app1.digest]: ['v1.0'],
            [app2.digest]: ['v1.1'],
            [extra.digest]: ['v1.2'],
            [MISSING]: ['v9'],
          },
        },
      }),
    );
    const r = await runCli(['validate', repo, '--online', '--base', base, '--format', 'json']);
    expect(r.code).toBe(1);
    const found = (
      JSON.parse(r.stdout) as { findings: { code: string; file: string; line: number }[] }
    ).findings.map((f) => `${f.code}@${f.file.split('manifests/')[1]}:${f.line}`);
    expect(found.sort()).toEqual([
      'digest-not-in-source@images/alpha/images.yaml:6',
      'not-multi-arch@images/alpha/images.yaml:5',
    ]);
    git(repo, 'checkout', '--', '.');
    writeTree(repo, { 'promoter.yaml': config() });
    gitCommitAll(repo, 'policy back');
  });
});

describe('promotion end to end', () => {
  it('plans the whole release, with exit 2 under --detailed-exitcode', async () => {
    const r = await plan('--detailed-exitcode', '--format', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as { counts: Record<string, number>; estimate: { totalBytes: number } };
    // 5 digests + signature + referrers index per mirror; 6 tags + the signature tag + the referrers tag per mirror.
    expect(doc.counts).toEqual({ 'copy apply': 21, 'tag apply': 21 });
    expect(doc.estimate.totalBytes).toBeGreaterThan(3 * 200_000);
  });

  it('makes every mirror match, signatures and referrers included', async () => {
    const { code, report, stderr } = await promote();
    expect(stderr).toMatch(/promotion progress/);
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
    expect(report.counts).toEqual({ 'copy done': 21, 'tag done': 21 });
    await expectOnMirrors('alpha/app', 'v1.0', app1.digest);
    await expectOnMirrors('alpha/app', 'v1.1', app2.digest);
    await expectOnMirrors('alpha/app', `${hex(app2.digest)}.sig`, app2sig.digest);
    await expectOnMirrors('beta/tool', 'v2', tool.digest);
    await expectOnMirrors('beta/tool', 'latest', tool.digest);
    await expectOnMirrors('beta/tool', toolSbom.digest, toolSbom.digest);
    await expectOnMirrors('gamma/lib', 'v3', lib.digest);
    await expectOnMirrors('gamma/lib', libOld.digest, libOld.digest);
    const resolver = new StoreResolver();
    for (const m of mirrors) {
      const store = resolver.resolve({ kind: 'registry', host: m.host }) as RegistryStore;
      expect((await store.listReferrers('beta/tool', tool.digest as Digest)).map((d) => d.digest)).toEqual([
        toolSbom.digest,
      ]);
    }
    await resolver.close();
  });

  it('plans nothing the second time and sends no manifest GET/PUT and no blob traffic', async () => {
    const p = await plan('--detailed-exitcode');
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/^0 actions to apply/m);
    const { code, report } = await promote();
    expect(code).toBe(0);
    expect(report.actions).toEqual([]);
    const kinds = new Set(Object.values(report.requests).flatMap((h) => Object.keys(h.byKind)));
    for (const k of ['GET manifest', 'PUT manifest', 'GET blob', 'POST upload', 'PUT upload', 'PATCH upload'])
      expect(kinds).not.toContain(k);
  });

  it('refuses a tag move, reports a digest missing from staging, and still does the rest', async () => {
    writeTree(
      repo,
      projects({
        alpha: { app: { [extra.digest]: ['v1.0'], [app2.digest]: ['v1.1'], [MISSING]: ['v9'] } },
        gamma: { lib: { [lib.digest]: ['v3', 'v3.0'], [libOld.digest]: [] } },
      }),
    );
    const { code, report } = await promote();
    expect(code).toBe(1);
    expect(report.findings.map((f) => f.code).sort()).toEqual([
      'digest-not-in-source',
      'tag-move-refused',
      'tag-move-refused',
      'tag-move-refused',
    ]);
    await expectOnMirrors('alpha/app', 'v1.0', app1.digest);
    await expectOnMirrors('gamma/lib', 'v3.0', lib.digest);
    await expectOnMirrors('alpha/app', extra.digest, extra.digest);
    git(repo, 'checkout', '--', '.');
  });

  it('deletes removed entries only within policy, and leaves sibling tags alone', async () => {
    const applied = gitCommitAll(repo, 'applied');
    writeTree(
      repo,
      projects({ beta: { tool: { [tool.digest]: ['v2'] } }, gamma: { lib: { [lib.digest]: ['v3'] } } }),
    );
    const { code, report } = await promote('--since', applied);
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
    expect(report.counts).toEqual({ 'delete-manifest done': 3, 'delete-tag done': 3 });
    await expectOnMirrors('beta/tool', 'v2', tool.digest);
    for (const m of mirrors) {
      await expect(skopeoInspectRaw(`${m.host}/beta/tool:latest`)).rejects.toThrow();
      await expect(skopeoInspectRaw(`${m.host}/gamma/lib@${libOld.digest}`)).rejects.toThrow();
    }
    await expectOnMirrors('gamma/lib', 'v3', lib.digest);
  });

  it('refuses every deletion over maxDeletes, and all deletions without policy', async () => {
    const applied = gitCommitAll(repo, 'applied again');
    writeTree(
      repo,
      projects({
        alpha: { app: { [app2.digest]: ['v1.1'] } },
        beta: { tool: { [tool.digest]: [] } },
        gamma: { lib: { [lib.digest]: [] } },
      }),
    );
    const over = await promote('--since', applied);
    expect(over.code).toBe(1);
    expect(over.report.findings.map((f) => f.code)).toEqual(['delete-limit-exceeded']);
    expect(over.report.counts).toEqual({});
    await expectOnMirrors('alpha/app', 'v1.1', app2.digest);
    writeFileSync(
      join(repo, 'promoter.yaml'),
      readFileSync(join(repo, 'promoter.yaml'), 'utf8').replace('allowed: true', 'allowed: false'),
    );
    const denied = await promote('--since', applied);
    expect(denied.code).toBe(0);
    expect(denied.report.findings.map((f) => f.code)).toEqual(['delete-refused']);
    await expectOnMirrors('alpha/app', 'v1.0', app1.digest);
    git(repo, 'checkout', '--', '.');
  });
});
