/**
 * Promotion through faulty registries: a seeded, bounded fault injector in front of staging and every
 * mirror answers 503s, 429s with Retry-After, and resets connections in the middle of blob downloads and
 * uploads. Promotion must converge within two runs, and at no point may a tag point at an incomplete image.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ImageStore } from '../../../promoter/adapters/registry/image-store.js';
import { StoreResolver } from '../../../promoter/adapters/registry/store-resolver.js';
import type { Digest } from '../../../promoter/domain/digest.js';
import { parseManifest, requiredBlobs } from '../../../promoter/domain/manifest-content.js';
import { runCli } from '../../helpers/cli.js';
import { imagesYaml, registriesYaml } from '../../helpers/manifests.js';
import { type CountingProxy, type ProxyHook, startCountingProxy } from '../../helpers/oci/counting-proxy.js';
import {
  type Built,
  buildImage,
  buildIndex,
  pushImage,
  randomBlob,
} from '../../helpers/oci/image-builder.js';
import { type RegistryServer, startRegistry } from '../../helpers/oci/registry-server.js';
import { gitInitCommit, tempDir, writeTree } from '../../helpers/temp.js';

const tmp = tempDir('promoter-faults-');
const repo = join(tmp.dir, 'manifests');
const servers: RegistryServer[] = [];
const proxies: CountingProxy[] = [];
const injected: string[] = [];

/** A small seeded PRNG (mulberry32), so the fault pattern is reproducible in kind and number. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** At most `budget` faults: 503s, 429s with Retry-After, and resets mid-blob. */
function faults(seed: number, budget: number, name: string): ProxyHook {
  const rand = prng(seed);
  let left = budget;
  return (req) => {
    if (left <= 0 || req.kind === 'ping' || req.kind === 'token') return 'pass';
    const r = rand();
    const note = (what: string) => {
      left--;
      injected.push(`${name} ${req.method} ${req.kind} ${what}`);
    };
    if (r < 0.05) {
      note('503');
      return { status: 503, body: '{"errors":[{"code":"UNAVAILABLE","message":"injected"}]}' };
    }
    if (r < 0.08) {
      note('429');
      return {
        status: 429,
        headers: { 'retry-after': '1' },
        body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"injected"}]}',
      };
    }
    if (req.method === 'GET' && req.kind === 'blob' && r < 0.35) {
      note('reset mid-download');
      return { cutResponseAfter: 20_000 };
    }
    if (req.method === 'PUT' && req.kind === 'upload' && r < 0.3) {
      note('reset mid-upload');
      return { cutRequestAfter: 20_000 };
    }
    return 'pass';
  };
}

const shared = [randomBlob(200_000, 'fault-base-1'), randomBlob(150_000, 'fault-base-2')];
const images: Record<string, Built> = {};
for (let i = 0; i < 6; i++) {
  images[`img${i}`] =
    i % 2 === 0
      ? buildImage({ layers: [...shared, randomBlob(80_000, `fault-${i}`)] })
      : buildIndex([
          buildImage({
            layers: [...shared, randomBlob(60_000, `fault-${i}-amd`)],
            platform: { os: 'linux', architecture: 'amd64' },
          }),
          buildImage({
            layers: [...shared, randomBlob(60_000, `fault-${i}-arm`)],
            platform: { os: 'linux', architecture: 'arm64' },
          }),
        ]);
}

beforeAll(async () => {
  for (let i = 0; i < 4; i++) {
    const r = await startRegistry();
    servers.push(r);
    proxies.push(
      await startCountingProxy(r.url, { hook: faults(1000 + i, 12, i === 0 ? 'staging' : `mirror-${i}`) }),
    );
  }
  for (const [name, img] of Object.entries(images))
    await pushImage(servers[0]!.url, `rel/${name}`, img, 'v1');
  const endpoint = (prefix: string, p: CountingProxy) => `  - prefix: ${prefix}\n    url: http://${p.host}\n`;
  writeTree(repo, {
    'promoter.yaml': `endpoints:\n${endpoint('staging.example.com', proxies[0]!)}${[1, 2, 3].map((i) => endpoint(`mirror-${i}.example.com`, proxies[i]!)).join('')}`,
    'manifests/rel/promoter-manifest.yaml': registriesYaml(
      'staging.example.com/rel',
      [1, 2, 3].map((i) => `mirror-${i}.example.com/rel`),
    ),
    'images/rel/images.yaml': imagesYaml(
      Object.fromEntries(Object.entries(images).map(([n, img]) => [n, { [img.digest]: ['v1'] }])),
    ),
  });
  gitInitCommit(repo);
});

afterAll(async () => {
  for (const p of proxies) await p.stop();
  for (const s of servers) await s.stop();
  tmp.cleanup();
});

/** Every tag of every repository on every mirror points at a complete image (all manifests and blobs there). */
async function expectNoIncompleteTag(mirrors = servers.slice(1, 4)): Promise<number> {
  const resolver = new StoreResolver();
  let tags = 0;
  try {
    for (const s of mirrors) {
      const store = resolver.resolve({ kind: 'registry', host: s.host });
      for (const name of Object.keys(images)) {
        for (const tag of await store.listTags(`rel/${name}`)) {
          tags++;
          await expectComplete(store, `rel/${name}`, tag);
        }
      }
    }
  } finally {
    await resolver.close();
  }
  return tags;
}

async function expectComplete(store: ImageStore, r: string, ref: string): Promise<void> {
  const content = parseManifest(await store.getManifest(r, ref));
  for (const b of requiredBlobs(content))
    expect({
      ref,
      blob: b.digest,
      present: (await store.headBlob(r, b.digest as Digest)) !== undefined,
    }).toMatchObject({ present: true });
  for (const child of content.manifests) await expectComplete(store, r, child.digest);
}

/** An outage: while `state.down`, every upload and manifest write is answered 503. */
function outage(state: { down: boolean }): ProxyHook {
  return (req) => {
    const write =
      (req.method === 'PUT' && (req.kind === 'manifest' || req.kind === 'upload')) || req.method === 'POST';
    return state.down && write
      ? { status: 503, body: '{"errors":[{"code":"UNAVAILABLE","message":"outage"}]}' }
      : 'pass';
  };
}

describe('promotion through faults', () => {
  it('converges within two runs and never tags an incomplete image', async () => {
    const first = await runCli(['promote', repo, '--confirm', '--format', 'json'], { timeoutMs: 180_000 });
    expect([0, 1]).toContain(first.code);
    await expectNoIncompleteTag();
    const second = await runCli(['promote', repo, '--confirm', '--format', 'json'], { timeoutMs: 180_000 });
    const report = JSON.parse(second.stdout) as { ok: boolean; findings: unknown[] };
    expect(report.findings).toEqual([]);
    expect(second.code).toBe(0);
    expect(await expectNoIncompleteTag()).toBe(3 * Object.keys(images).length);
    expect(injected.length).toBeGreaterThan(10);
    expect(injected.some((f) => f.includes('reset mid-download'))).toBe(true);
    expect(injected.some((f) => f.includes('reset mid-upload'))).toBe(true);
    expect(injected.some((f) => f.includes('429'))).toBe(true);
  }, 300_000);

  it('finishes on the next run what an outage outlasting the retry budget stopped', async () => {
    const r = await startRegistry();
    servers.push(r);
    const state = { down: true };
    const down = await startCountingProxy(r.url, { hook: outage(state) });
    proxies.push(down);
    const endpoint = `  - prefix: mirror-4.example.com\n    url: http://${down.host}\n`;
    const config = readFileSync(join(repo, 'promoter.yaml'), 'utf8');
    writeTree(repo, {
      'promoter.yaml': config + endpoint,
      'manifests/rel/promoter-manifest.yaml': registriesYaml(
        'staging.example.com/rel',
        [1, 2, 3, 4].map((i) => `mirror-${i}.example.com/rel`),
      ),
    });
    const first = await runCli(['promote', repo, '--confirm', '--format', 'json'], { timeoutMs: 180_000 });
    expect(first.code).toBe(1);
    const failed = (
      JSON.parse(first.stdout) as { actions: { result: string; dest: string }[] }
    ).actions.filter((a) => a.result === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((a) => a.dest.startsWith('mirror-4.'))).toBe(true);
    const codes = (JSON.parse(first.stdout) as { findings: { code: string }[] }).findings.map((f) => f.code);
    expect(new Set(codes)).toEqual(new Set(['action-failed']));
    await expectNoIncompleteTag([...servers.slice(1)]);
    state.down = false;
    const second = await runCli(['promote', repo, '--confirm', '--format', 'json'], { timeoutMs: 180_000 });
    expect(second.code).toBe(0);
    expect(await expectNoIncompleteTag([...servers.slice(1)])).toBe(4 * Object.keys(images).length);
  }, 300_000);
});
