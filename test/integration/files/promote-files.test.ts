/**
 * File promotion end to end on real servers: a local staging directory (standing in for gs://staging via
 * promoter.yaml) promoted to an S3 bucket on s3rver, a bucket on the test GCS server (driven by the real
 * GCS client) and a file:// directory. Mirrors are checked with the servers' own clients, not ours.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HashCache } from '../../../promoter/adapters/objectstore/hash-cache.js';
import { FsTree } from '../../../promoter/adapters/tree/fs-tree.js';
import { type PromotionResult, runPromotion } from '../../../promoter/pipeline/promotion.js';
import { runCli } from '../../helpers/cli.js';
import { watchPeakRss } from '../../helpers/peak-rss.js';
import { type GcsServer, startGcsServer } from '../../helpers/gcs/gcs-server.js';
import { type S3Server, startS3Server } from '../../helpers/objects/s3-server.js';
import { s3Client } from '../../helpers/objects/stores.js';
import { copyTree, tempDir, writeTree } from '../../helpers/temp.js';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const tmp = tempDir('promoter-files-e2e-');
const repo = join(tmp.dir, 'manifests');
const localMirror = join(tmp.dir, 'local-mirror');
let s3: S3Server;
let gcs: GcsServer;
let client: S3Client;

const content: Record<string, Buffer> = {
  'v1/tool': randomBytes(300_000),
  'v1/tool.sha256': Buffer.from('see the manifest\n'),
  'v1/notes.txt': Buffer.from('release notes\n'),
};

const DESTS = ['s3://mirror-s3/bin/', 'gs://mirror-gcs/bin/', `file://${localMirror}/`];

function manifests(files: Record<string, string>, dests = DESTS, policy = ''): Record<string, string> {
  return {
    'promoter.yaml': [
      policy,
      'filestores:',
      '  - prefix: gs://staging/',
      '    directory: stores/staging',
      '  - prefix: s3://mirror-s3/',
      `    endpoint: ${s3.url}`,
      '  - prefix: s3://staging-s3/',
      `    endpoint: ${s3.url}`,
      '  - prefix: gs://mirror-gcs/',
      `    endpoint: ${gcs.url}`,
      '',
    ].join('\n'),
    'filestores/tool/filepromoter-manifest.yaml': [
      'filestores:',
      '- base: gs://staging/rel/',
      '  src: true',
      ...dests.map((d) => `- base: ${d}`),
      '',
    ].join('\n'),
    'manifests/tool/v1.yaml': [
      'files:',
      ...Object.entries(files).flatMap(([name, s]) => [`- name: ${name}`, `  sha256: ${s}`]),
      '',
    ].join('\n'),
  };
}

const allFiles = () => Object.fromEntries(Object.entries(content).map(([n, b]) => [n, sha(b)]));

function writeRepo(files = allFiles(), dests = DESTS, policy = ''): void {
  rmSync(join(repo, 'manifests'), { recursive: true, force: true });
  writeTree(repo, manifests(files, dests, policy));
}

const env = () => ({ ...s3.env });
/** Known sha256 values of local files, kept across runs as the CLI's cache file and the daemon keep them. */
const hashes = new HashCache();

async function promote(
  apply: boolean,
  opts: { since?: string; hashes?: HashCache } = {},
): Promise<PromotionResult> {
  return runPromotion({
    dir: repo,
    head: new FsTree(repo),
    apply,
    env: env(),
    retry: { sleep: async () => undefined },
    hashes: opts.hashes ?? hashes,
    ...(opts.since ? { since: new FsTree(opts.since) } : {}),
  });
}

async function s3Object(key: string): Promise<{ data: Buffer; sha256?: string } | undefined> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: 'mirror-s3', Key: key }));
    const data = Buffer.from(await out.Body!.transformToByteArray());
    return { data, ...(out.Metadata?.sha256 ? { sha256: out.Metadata.sha256 } : {}) };
  } catch {
    return undefined;
  }
}

const brief = (r: PromotionResult) =>
  (r.applied ?? r.plan?.actions ?? [])
    .filter((a) => a.kind.endsWith('-file'))
    .map((a) => `${a.kind} ${a.outcome} ${a.reason} ${a.dest}${a.file}${'result' in a ? ` ${a.result}` : ''}`)
    .sort();

beforeAll(async () => {
  [s3, gcs] = await Promise.all([startS3Server(), startGcsServer()]);
  client = s3Client(s3.url);
  for (const b of ['mirror-s3', 'staging-s3']) await client.send(new CreateBucketCommand({ Bucket: b }));
  gcs.createBucket('mirror-gcs');
  writeTree(join(repo, 'stores/staging/rel'), content);
  writeRepo();
}, 30_000);

afterAll(async () => {
  await Promise.all([s3?.stop(), gcs?.stop()]);
  client?.destroy();
  tmp.cleanup();
});

describe('file promotion', () => {
  it('plans a copy of every file to every mirror, hashing the sources (a dry run changes nothing)', async () => {
    const r = await promote(false);
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(brief(r)).toHaveLength(9);
    expect(r.plan!.actions.every((a) => a.outcome === 'apply' && a.reason === 'missing')).toBe(true);
    expect(r.findings.map((f) => f.code)).toEqual(['sha256-computed']);
    expect(r.findings[0]!.message).toMatch(/3 objects under gs:\/\/staging\/rel\/ had no sha256 metadata/);
    expect(r.estimate!.totalBytes).toBe(3 * Object.values(content).reduce((n, b) => n + b.length, 0));
    expect(gcs.objectNames('mirror-gcs')).toEqual([]);
    expect(existsSync(localMirror)).toBe(false);
  });

  it('copies each file to S3, GCS and a directory, reading the source once per file', async () => {
    const r = await promote(true);
    expect(r.findings).toEqual([]);
    expect(brief(r).every((a) => a.endsWith(' done'))).toBe(true);
    expect(r.fileTotals).toMatchObject({
      filesCopied: 9,
      sourceFilesRead: 3,
      serverSideCopies: 0,
      retries: 0,
    });
    for (const [name, data] of Object.entries(content)) {
      const o = await s3Object(`bin/${name}`);
      expect(o?.data.equals(data)).toBe(true);
      expect(o?.sha256).toBe(sha(data));
      const g = gcs.getObject('mirror-gcs', `bin/${name}`);
      expect(g?.data.equals(data)).toBe(true);
      expect(g?.metadata.sha256).toBe(sha(data));
      expect(readFileSync(join(localMirror, name)).equals(data)).toBe(true);
    }
  });

  it('plans nothing on a re-run, without downloading anything', async () => {
    gcs.resetCounts();
    const r = await promote(false);
    expect(r.plan!.actions).toEqual([]);
    expect(r.findings.map((f) => f.code)).toEqual([]);
    expect([...r.plan!.unchanged.values()].map((u) => u.files)).toEqual([3, 3, 3]);
    const s3Host = new URL(s3.url).host;
    // Listings alone: S3 listings carry no metadata, but the hash cache knows each ETag promoter wrote.
    expect(r.requests[s3Host]!.byKind).toEqual({ 'GET list': 1 });
    expect(gcs.counts()).toEqual({ 'GET list': 1 });
  });

  it('refuses a tampered source: nothing is written anywhere', async () => {
    const bad = Buffer.from('a new file\n');
    writeFileSync(join(repo, 'stores/staging/rel/v1/new.txt'), 'tampered content\n');
    writeRepo({ ...allFiles(), 'v1/new.txt': sha(bad) });
    try {
      // A promotion that knows nothing of the file hashes nothing ahead: the copy catches the mismatch
      // before anything commits.
      const r = await runPromotion({
        dir: repo,
        head: new FsTree(repo),
        apply: true,
        env: env(),
        hashes: new HashCache(),
      });
      expect(brief(r).filter((a) => a.includes('new.txt'))).toEqual(
        DESTS.map((d) => `copy-file apply missing ${d}v1/new.txt failed`).sort(),
      );
      expect(r.findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual([
        'file-source-corrupt',
        'file-source-corrupt',
        'file-source-corrupt',
      ]);
      expect(r.findings.find((f) => f.code === 'file-source-corrupt')!.message).toMatch(
        /copying v1\/new\.txt from gs:\/\/staging\/rel\/ to .* refused: .*the source sent 17 bytes with digest sha256:26ee.*, expected 17 bytes with sha256:533d/,
      );
      expect(await s3Object('bin/v1/new.txt')).toBeUndefined();
      expect(gcs.getObject('mirror-gcs', 'bin/v1/new.txt')).toBeUndefined();
      expect(existsSync(join(localMirror, 'v1/new.txt'))).toBe(false);

      // A dry run hashes the source it would copy, and refuses it before anything runs.
      const plan = await promote(false);
      expect(plan.findings.map((f) => f.code)).toEqual(['file-source-corrupt', 'sha256-computed']);
      expect(plan.findings[0]!.file).toBe('manifests/tool/v1.yaml');
      expect(brief(plan)).toEqual(DESTS.map((d) => `copy-file refused source-corrupt ${d}v1/new.txt`).sort());
    } finally {
      rmSync(join(repo, 'stores/staging/rel/v1/new.txt'));
      writeRepo();
    }
  });

  it('refuses to overwrite a mirror file that differs, unless policy allows it', async () => {
    const other = Buffer.from('someone else wrote this');
    await client.send(
      new PutObjectCommand({
        Bucket: 'mirror-s3',
        Key: 'bin/v1/notes.txt',
        Body: other,
        Metadata: { sha256: sha(other) },
      }),
    );
    try {
      const r = await promote(true);
      expect(brief(r)).toEqual([
        'copy-file refused overwrite-refused s3://mirror-s3/bin/v1/notes.txt not-run',
      ]);
      expect(r.findings.map((f) => f.code)).toEqual(['file-overwrite-refused']);
      expect((await s3Object('bin/v1/notes.txt'))?.data.equals(other)).toBe(true);

      writeRepo(allFiles(), DESTS, 'policy:\n  allowFileOverwrite: true');
      const o = await promote(true);
      expect(brief(o)).toEqual(['copy-file apply overwrite-allowed s3://mirror-s3/bin/v1/notes.txt done']);
      expect((await s3Object('bin/v1/notes.txt'))?.data.equals(content['v1/notes.txt']!)).toBe(true);
    } finally {
      writeRepo();
    }
  });

  it('hashes a mirror object without sha256 metadata once, says so, and remembers it by ETag', async () => {
    const data = content['v1/tool.sha256']!;
    await client.send(new PutObjectCommand({ Bucket: 'mirror-s3', Key: 'bin/v1/tool.sha256', Body: data }));
    const s3Host = new URL(s3.url).host;
    // A cache that has not seen this object (another machine): it is read and hashed (and so are the
    // local mirror's files, which have no metadata at all).
    const fresh = new HashCache();
    const r = await promote(false, { hashes: fresh });
    expect(r.plan!.actions).toEqual([]);
    expect(r.findings.map((f) => `${f.code} ${f.severity}`)).toEqual([
      'sha256-computed info',
      'sha256-computed info',
    ]);
    expect(r.findings.map((f) => f.message)).toContainEqual(
      expect.stringMatching(
        /^1 object under s3:\/\/mirror-s3\/bin\/ had no sha256 metadata: read and hashed 17 B/,
      ),
    );
    expect(r.requests[s3Host]!.byKind['GET read']).toBe(1);
    // The same cache again: the listing's ETag matches what was hashed, so nothing is read or stat'ed.
    const again = await promote(false, { hashes: fresh });
    expect(again.plan!.actions).toEqual([]);
    expect(again.findings).toEqual([]);
    expect(again.requests[s3Host]!.byKind).toEqual({ 'GET list': 1 });
    // Rewritten by the other tool with other bytes of the same size: a new ETag, so it is hashed again,
    // and found to differ.
    const other = Buffer.alloc(data.length, 0x41);
    await client.send(new PutObjectCommand({ Bucket: 'mirror-s3', Key: 'bin/v1/tool.sha256', Body: other }));
    const changed = await promote(false, { hashes: fresh });
    expect(brief(changed)).toEqual(['copy-file refused overwrite-refused s3://mirror-s3/bin/v1/tool.sha256']);
    expect(changed.requests[s3Host]!.byKind['GET read']).toBe(1);
    await client.send(
      new PutObjectCommand({
        Bucket: 'mirror-s3',
        Key: 'bin/v1/tool.sha256',
        Body: data,
        Metadata: { sha256: sha(data) },
      }),
    );
    expect((await promote(false)).findings).toEqual([]);
  });

  it('deletes a removed file from every mirror when policy allows, and only then', async () => {
    const before = join(tmp.dir, 'before');
    copyTree(repo, before);
    const { 'v1/notes.txt': _gone, ...rest } = allFiles();
    writeRepo(rest);
    const refused = await promote(true, { since: before });
    expect(brief(refused)).toEqual(
      DESTS.map((d) => `delete-file refused deletions-not-allowed ${d}v1/notes.txt not-run`).sort(),
    );
    expect(refused.findings.map((f) => f.code)).toEqual(['delete-refused']);

    writeRepo(rest, DESTS, 'policy:\n  deletions: {allowed: true, maxDeletes: 1}');
    const r = await promote(true, { since: before });
    expect(brief(r)).toEqual(DESTS.map((d) => `delete-file apply removed ${d}v1/notes.txt done`).sort());
    expect(await s3Object('bin/v1/notes.txt')).toBeUndefined();
    expect(gcs.getObject('mirror-gcs', 'bin/v1/notes.txt')).toBeUndefined();
    expect(existsSync(join(localMirror, 'v1/notes.txt'))).toBe(false);
    expect(await s3Object('bin/v1/tool')).toBeDefined();
    writeRepo();
    expect((await promote(true)).fileTotals).toMatchObject({ filesCopied: 3 });
  });

  it('copies server-side between buckets of one S3 endpoint, after verifying the source', async () => {
    const data = randomBytes(70_000);
    await client.send(new PutObjectCommand({ Bucket: 'staging-s3', Key: 'rel/v2/tool', Body: data }));
    // s3rver cannot find a copy source whose key has a `+`: that copy falls back to the stream.
    await client.send(new PutObjectCommand({ Bucket: 'staging-s3', Key: 'rel/v2/tool+extra', Body: data }));
    const files = { 'v2/tool': sha(data), 'v2/tool+extra': sha(data) };
    const m = manifests(files, ['s3://mirror-s3/v2mirror/', 'gs://mirror-gcs/v2mirror/']);
    m['filestores/tool/filepromoter-manifest.yaml'] = m[
      'filestores/tool/filepromoter-manifest.yaml'
    ]!.replace('gs://staging/rel/', 's3://staging-s3/rel/');
    rmSync(join(repo, 'manifests'), { recursive: true, force: true });
    writeTree(repo, m);
    const r = await promote(true);
    expect(r.findings).toEqual([]);
    expect(r.fileTotals).toMatchObject({ filesCopied: 4, serverSideCopies: 1, sourceFilesRead: 3 });
    expect((await s3Object('v2mirror/v2/tool+extra'))?.data.equals(data)).toBe(true);
    const copied = await client.send(new HeadObjectCommand({ Bucket: 'mirror-s3', Key: 'v2mirror/v2/tool' }));
    expect(copied.Metadata?.sha256).toBe(sha(data));
    expect(gcs.getObject('mirror-gcs', 'v2mirror/v2/tool')?.data.equals(data)).toBe(true);
    writeRepo();
  });

  it('retries a GCS upload that failed transiently, and counts it', async () => {
    rmSync(join(localMirror, 'v1/tool'));
    const gone = 'bin/v1/tool';
    // Remove the GCS copy through the API, then fail its next upload once.
    const { Storage } = await import('@google-cloud/storage');
    await new Storage({ apiEndpoint: gcs.url, projectId: 't' }).bucket('mirror-gcs').file(gone).delete();
    let failures = 0;
    gcs.hook((req) => (req.kind.startsWith('upload') && failures++ === 0 ? { status: 503 } : undefined));
    const r = await promote(true);
    gcs.hook(undefined);
    expect(r.findings).toEqual([]);
    expect(brief(r)).toEqual([
      `copy-file apply missing file://${localMirror}/v1/tool done`,
      'copy-file apply missing gs://mirror-gcs/bin/v1/tool done',
    ]);
    expect(failures).toBeGreaterThan(1);
    expect(r.requests[new URL(gcs.url).host]!.byStatus['503']).toBe(1);
    expect(gcs.getObject('mirror-gcs', gone)?.data.equals(content['v1/tool']!)).toBe(true);
  });
});

describe('promoter plan and promote on the command line', () => {
  it('prints file actions, then promotes with a files line in the report', async () => {
    const fresh = join(tmp.dir, 'cli-repo');
    copyTree(repo, fresh);
    writeTree(fresh, manifests(allFiles(), [`file://${join(tmp.dir, 'cli-mirror')}/`]));
    const plan = await runCli(['plan', fresh], { env: env() });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`file://${join(tmp.dir, 'cli-mirror')}/`);
    expect(plan.stdout).toMatch(
      /\+ copy v1\/tool \(sha256:[0-9a-f]{12}…, 293 KiB\) from gs:\/\/staging\/rel\/ {2}missing/,
    );
    expect(plan.stdout).toMatch(
      /3 actions to apply \(3 copy-file apply\); 0 digests, 0 tags and 0 files already in place/,
    );
    const r = await runCli(['promote', '--confirm', fresh], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/files: 3 copied \(0 server-side\), 293 KiB uploaded; 3 read from sources/);
    expect(r.stdout).toContain('✔ promoted');
    const again = await runCli(['plan', '--format', 'json', fresh], { env: env() });
    const doc = JSON.parse(again.stdout) as { changes: boolean; actions: unknown[] };
    expect([doc.changes, doc.actions]).toEqual([false, []]);
  });
});

describe('a 100 MB file', () => {
  /** Promotes one file of `mb` MiB to S3, GCS and a directory from the CLI; returns the peak RSS. */
  async function promoteBig(mb: number, tag: string): Promise<{ rss: number; big: Buffer; stdout: string }> {
    const big = randomBytes(mb * 1024 * 1024);
    const dir = join(tmp.dir, `big-${tag}`);
    copyTree(repo, dir);
    rmSync(join(dir, 'stores'), { recursive: true, force: true });
    writeTree(join(dir, 'stores/staging/rel'), { [`${tag}/big.bin`]: big });
    const dests = ['s3://mirror-s3/big/', 'gs://mirror-gcs/big/', `file://${join(tmp.dir, 'big-mirror')}/`];
    rmSync(join(dir, 'manifests'), { recursive: true, force: true });
    writeTree(dir, manifests({ [`${tag}/big.bin`]: sha(big) }, dests));
    let peak: () => number = () => 0;
    const r = await runCli(['promote', '--confirm', dir], {
      env: env(),
      timeoutMs: 120_000,
      onSpawn: (pid) => {
        peak = watchPeakRss(pid);
      },
    });
    const rss = peak();
    expect(r.stderr).not.toMatch(/Warning|"level":[4-6]0/);
    expect(r.code).toBe(0);
    expect(rss).toBeGreaterThan(0);
    return { rss, big, stdout: r.stdout };
  }

  it('copies to S3 (multipart), GCS (resumable) and a directory with memory that does not grow with the file', async () => {
    const small = await promoteBig(30, 'thirty');
    const { rss, big, stdout } = await promoteBig(100, 'hundred');
    expect(stdout).toMatch(
      /files: 3 copied \(0 server-side\), 300 MiB uploaded; 1 read from sources \(100 MiB\)/,
    );
    // Parts in flight (2 × 8 MiB for S3, an 8 MiB chunk for GCS) and 1 MiB stream buffers: the same for
    // any size. Buffering would add the 70 MiB the files differ by (three times over, per destination).
    const growth = rss - small.rss;
    process.stdout.write(
      `file promotion peak RSS: 30 MiB file ${(small.rss / 2 ** 20).toFixed(0)} MiB, 100 MiB file ${(rss / 2 ** 20).toFixed(0)} MiB\n`,
    );
    expect(growth).toBeLessThan(45 * 1024 * 1024);
    expect(rss).toBeLessThan(220 * 1024 * 1024);
    expect(sha((await s3Object('big/hundred/big.bin'))!.data)).toBe(sha(big));
    expect(sha(gcs.getObject('mirror-gcs', 'big/hundred/big.bin')!.data)).toBe(sha(big));
    expect(sha(readFileSync(join(tmp.dir, 'big-mirror/hundred/big.bin')))).toBe(sha(big));
  }, 150_000);
});
