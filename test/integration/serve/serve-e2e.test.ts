/**
 * `promoter serve` end to end: a manifest repository served by a real `git daemon`, CNCF registries, an
 * S3-protocol server and a local directory; commits pushed and announced by signed webhooks; restarts and a
 * SIGKILL in the middle of a promotion.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  buildImage,
  buildIndex,
  type Built,
  pushImage,
  randomBlob,
} from '../../helpers/oci/image-builder.js';
import { type RegistryServer, startRegistry } from '../../helpers/oci/registry-server.js';
import { skopeoInspectRaw } from '../../helpers/oci/skopeo.js';
import { type S3Server, startS3Server } from '../../helpers/objects/s3-server.js';
import { s3Client } from '../../helpers/objects/stores.js';
import {
  bareRepoWithWorkTree,
  commitAndPush,
  type GitDaemon,
  startGitDaemon,
} from '../../helpers/serve/git-daemon.js';
import { eventually, type ServeProcess, startServe } from '../../helpers/serve/serve-process.js';
import { tempDir } from '../../helpers/temp.js';

const SECRET = 'test-webhook-secret';
const tmp = tempDir('promoter-serve-');
let staging: RegistryServer;
let mirrors: RegistryServer[] = [];
let s3: S3Server;
let client: S3Client;
let daemon: GitDaemon;
let work: string;
let repoUrl: string;
let stateDir: string;
let localMirror: string;
let serve: ServeProcess | undefined;
const images: Record<string, { built: Built; tag: string }> = {};
const files: Record<string, Buffer> = {};

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function manifestFiles(imageNames: string[], fileNames: string[], broken = false): Record<string, string> {
  return {
    'promoter.yaml': [
      'endpoints:',
      '  - prefix: staging.example.com',
      `    url: ${staging.url}`,
      ...mirrors.flatMap((m, i) => [`  - prefix: mirror-${i}.example.com`, `    url: ${m.url}`]),
      'filestores:',
      '  - prefix: s3://staging/',
      `    endpoint: ${s3.url}`,
      '  - prefix: s3://mirror/',
      `    endpoint: ${s3.url}`,
      '',
    ].join('\n'),
    'manifests/rel/promoter-manifest.yaml': [
      'registries:',
      '- name: staging.example.com/rel',
      '  src: true',
      ...mirrors.map((_, i) => `- name: mirror-${i}.example.com/rel`),
      '',
    ].join('\n'),
    'images/rel/images.yaml':
      imageNames
        .map((n) => {
          const digest = broken ? `sha256:${'0'.repeat(63)}` : images[n]!.built.digest;
          return `- name: ${n}\n  dmap:\n    "${digest}": ["${images[n]!.tag}"]`;
        })
        .join('\n') + '\n',
    'filestores/rel/filepromoter-manifest.yaml': [
      'filestores:',
      '- base: s3://staging/rel/',
      '  src: true',
      '- base: s3://mirror/rel/',
      `- base: file://${localMirror}/`,
      '',
    ].join('\n'),
    'manifests/rel/files.yaml':
      'files:\n' + fileNames.map((n) => `- name: ${n}\n  sha256: ${sha(files[n]!)}`).join('\n') + '\n',
  };
}

async function addImage(name: string, layerBytes: number): Promise<void> {
  const built = buildIndex([
    buildImage({ layers: [randomBlob(layerBytes, `${name}-amd64`)] }),
    buildImage({
      layers: [randomBlob(4096, `${name}-arm64`)],
      platform: { os: 'linux', architecture: 'arm64' },
    }),
  ]);
  await pushImage(staging.url, `rel/${name}`, built, 'v1');
  images[name] = { built, tag: 'v1' };
}

async function addFile(name: string, data: Buffer): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: 'staging', Key: `rel/${name}`, Body: data }));
  files[name] = data;
}

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function webhook(body: string, signature?: string): Promise<number> {
  const res = await fetch(`${serve!.url}/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      ...(signature ? { 'x-hub-signature-256': signature } : {}),
    },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

const push = (commit: string) => JSON.stringify({ ref: 'refs/heads/main', after: commit });

interface Status {
  ready: boolean;
  running: boolean;
  current?: { bytes: { uploaded: number } };
  applied?: { revision: string };
  attempted?: { revision: string; outcome: string };
  lastPass?: {
    outcome: string;
    full?: boolean;
    revision?: string;
    errors: { code: string; file?: string }[];
    plan?: Record<string, number>;
  };
}

const status = () => serve!.json<Status>('/status');

/** Waits until the daemon has settled `commit` with `outcome`. */
function settled(commit: string, outcome: string, ms = 30_000): Promise<Status> {
  return eventually(`${commit.slice(0, 8)} ${outcome}`, ms, async () => {
    const s = await status();
    return s.attempted?.revision === commit && s.attempted.outcome === outcome && !s.running ? s : undefined;
  });
}

async function start(): Promise<ServeProcess> {
  serve = await startServe(
    [
      '--repo',
      repoUrl,
      '--branch',
      'main',
      '--interval',
      '1h',
      '--state',
      stateDir,
      '--shutdown-timeout',
      '20s',
    ],
    { ...process.env, ...s3.env, PROMOTER_WEBHOOK_SECRET: SECRET, XDG_CACHE_HOME: join(tmp.dir, 'cache') },
    join(tmp.dir, 'serve.log'),
  );
  return serve;
}

/** Each mirror has `name:tag` at the staging digest (checked with skopeo). */
async function expectImage(name: string): Promise<void> {
  const { built, tag } = images[name]!;
  for (const m of mirrors) {
    const raw = await skopeoInspectRaw(`${m.host}/rel/${name}:${tag}`);
    expect(`sha256:${sha(raw)}`).toBe(built.digest);
  }
}

async function s3Object(key: string): Promise<Buffer | undefined> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: 'mirror', Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  } catch {
    return undefined;
  }
}

async function expectFile(name: string): Promise<void> {
  expect((await s3Object(`rel/${name}`))?.equals(files[name]!)).toBe(true);
  expect(readFileSync(join(localMirror, name)).equals(files[name]!)).toBe(true);
}

async function tags(m: RegistryServer, name: string): Promise<string[]> {
  const res = await fetch(`${m.url}/v2/rel/${name}/tags/list`);
  if (res.status === 404) return [];
  return ((await res.json()) as { tags?: string[] }).tags ?? [];
}

beforeAll(async () => {
  [staging, ...mirrors] = await Promise.all([startRegistry(), startRegistry(), startRegistry()]);
  s3 = await startS3Server(['staging', 'mirror']);
  client = s3Client(s3.url);
  const srv = join(tmp.dir, 'srv');
  mkdirSync(srv);
  ({ work } = bareRepoWithWorkTree(srv, join(tmp.dir, 'work'), 'manifests'));
  daemon = await startGitDaemon(srv);
  repoUrl = daemon.url('manifests.git');
  stateDir = join(tmp.dir, 'state');
  localMirror = join(tmp.dir, 'local-mirror');
}, 60_000);

afterAll(async () => {
  if (serve) await serve.terminate(5000);
  await Promise.all([staging?.stop(), ...mirrors.map((m) => m.stop()), s3?.stop(), daemon?.stop()]);
  client?.destroy();
  tmp.cleanup();
}, 60_000);

describe('promoter serve', () => {
  let first: string;
  let second: string;

  it('promotes the branch it was started on, and says so in /status, /readyz and /metrics', async () => {
    await addImage('app', 8192);
    await addFile('v1/app.tar.gz', randomBytes(50_000));
    first = commitAndPush(work, manifestFiles(['app'], ['v1/app.tar.gz']), 'first release');
    await start();
    const s = await settled(first, 'applied');
    expect(s.ready).toBe(true);
    expect(s.applied?.revision).toBe(first);
    expect((await fetch(`${serve!.url}/readyz`)).status).toBe(200);
    await expectImage('app');
    await expectFile('v1/app.tar.gz');
    const metrics = await serve!.text('/metrics');
    expect(metrics).toMatch(/promoter_actions_total\{kind="copy",result="done"\} 2/);
    expect(metrics).toMatch(/promoter_actions_total\{kind="copy-file",result="done"\} 2/);
    expect(metrics).toMatch(/promoter_reconcile_total\{outcome="applied",reason="start"\} 1/);
    expect(metrics).toMatch(/promoter_last_applied_commit_timestamp_seconds \d/);
    expect(metrics).toMatch(
      new RegExp(`promoter_requests_total\\{host="${staging.host}",status="200"\\} \\d+`),
    );
    // The first pass is full: each mirror's drift is what it lacked.
    expect(metrics).toMatch(/promoter_mirror_drift\{mirror="s3:\/\/mirror\/rel\/"\} 1/);
    expect(metrics).toMatch(/promoter_mirror_drift\{mirror="mirror-0.example.com\/rel\/app"\} 2/);
  });

  it('applies a pushed commit within seconds of a signed webhook; a badly signed one changes nothing', async () => {
    await addImage('tool', 8192);
    await addFile('v1/tool', randomBytes(20_000));
    second = commitAndPush(work, manifestFiles(['app', 'tool'], ['v1/app.tar.gz', 'v1/tool']), 'add tool');
    // Wrong secret, missing signature: 401, and the daemon does not even fetch.
    expect(await webhook(push(second), sign(push(second), 'wrong'))).toBe(401);
    expect(await webhook(push(second))).toBe(401);
    await new Promise((r) => setTimeout(r, 500));
    expect((await status()).attempted?.revision).toBe(first);
    expect(await tags(mirrors[0]!, 'tool')).toEqual([]);

    const sent = Date.now();
    expect(await webhook(push(second), sign(push(second)))).toBe(202);
    const s = await settled(second, 'applied', 20_000);
    // Incremental: only the new image and file were read and planned.
    expect(s.lastPass).toMatchObject({
      full: false,
      plan: { 'copy apply': 2, 'tag apply': 2, 'copy-file apply': 2 },
    });
    expect(Date.now() - sent).toBeLessThan(20_000);
    await expectImage('tool');
    await expectFile('v1/tool');
    const metrics = await serve!.text('/metrics');
    expect(metrics).toMatch(/promoter_reconcile_total\{outcome="applied",reason="webhook"\} 1/);
  });

  it('leaves the mirrors alone on an invalid commit, reports it, and applies the fix', async () => {
    await addImage('bad', 4096);
    const before = await Promise.all(mirrors.map((m) => tags(m, 'bad')));
    const broken = commitAndPush(
      work,
      manifestFiles(['app', 'tool', 'bad'], ['v1/app.tar.gz', 'v1/tool'], true),
      'broken',
    );
    expect(await webhook(push(broken), sign(push(broken)))).toBe(202);
    const s = await settled(broken, 'stalled');
    expect(s.lastPass?.errors.map((e) => e.code)).toContain('digest-invalid');
    expect(s.lastPass?.errors[0]?.file).toBe('images/rel/images.yaml');
    expect(s.applied?.revision).toBe(second);
    expect(await Promise.all(mirrors.map((m) => tags(m, 'bad')))).toEqual(before);

    const fixed = commitAndPush(
      work,
      manifestFiles(['app', 'tool', 'bad'], ['v1/app.tar.gz', 'v1/tool']),
      'fix',
    );
    expect(await webhook(push(fixed), sign(push(fixed)))).toBe(202);
    await settled(fixed, 'applied');
    await expectImage('bad');
    second = fixed;
  });

  it('resumes after a restart from the persisted commit without copying anything', async () => {
    expect(await serve!.terminate()).toBe(0);
    await start();
    const s = await eventually('the first pass after restart', 20_000, async () => {
      const st = await status();
      return st.lastPass && !st.running ? st : undefined;
    });
    expect(s.lastPass?.outcome).toBe('up-to-date');
    expect(s.applied?.revision).toBe(second);
    expect(await serve!.text('/metrics')).not.toMatch(/^promoter_actions_total\{/m);
  });

  it('converges after a SIGKILL in the middle of a promotion, with nothing incomplete left behind', async () => {
    await addImage('big', 48 * 1024 * 1024);
    await addFile('v2/big.bin', randomBytes(40 * 1024 * 1024));
    const commit = commitAndPush(
      work,
      manifestFiles(['app', 'tool', 'bad', 'big'], ['v1/app.tar.gz', 'v1/tool', 'v2/big.bin']),
      'big release',
    );
    expect(await webhook(push(commit), sign(push(commit)))).toBe(202);
    // Killed as soon as the pass has uploaded something: in the middle of it, on a fast machine too.
    await eventually('the pass to upload', 10_000, async () =>
      ((await status()).current?.bytes.uploaded ?? 0) > 0 ? true : undefined,
    );
    await serve!.kill9();
    // Killed in the middle: the state file still marks the attempt as running.
    const state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as Status;
    expect(state.attempted).toMatchObject({ revision: commit, outcome: 'running' });
    const partial = await Promise.all(mirrors.map((m) => tags(m, 'big')));
    // Whatever was tagged before the kill is complete (tags are written last).
    for (const [i, t] of partial.entries())
      if (t.includes('v1')) await skopeoInspectRaw(`${mirrors[i]!.host}/rel/big:v1`);

    await start();
    await settled(commit, 'applied', 60_000);
    await expectImage('big');
    await expectFile('v2/big.bin');
    const leftovers = readdirSync(join(localMirror, 'v2')).filter((n) => n.startsWith('.'));
    expect(leftovers).toEqual([]);
    expect(existsSync(join(localMirror, 'v2', 'big.bin'))).toBe(true);
  }, 120_000);
});
