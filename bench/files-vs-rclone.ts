/**
 * `promoter promote` vs `rclone copy` on the same files: SMALL small files and LARGE large ones in a staging
 * bucket on one S3-protocol server (s3rver), promoted to two empty buckets on another — cold, then the no-op
 * second pass. promoter does both mirrors in one run; rclone copies to each mirror in turn (two runs).
 * Each server is reached through a counting proxy, so requests and bytes are counted alike. At the end every
 * mirror object of both tools is checked byte for byte against staging. Prints figures and ratios.
 *
 * Run: npm run bench:files   (SMALL=1000 files of 1–64 KiB, LARGE=5 files of LARGE_MIB=40 MiB by default;
 *      LATENCY_MS=20 adds that much to every request, as a network to real stores would)
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { type CountingProxy, startCountingProxy } from '../test/helpers/oci/counting-proxy.js';
import { S3_TEST_CREDENTIALS, type S3Server, startS3Server } from '../test/helpers/objects/s3-server.js';
import { mib, run, timed } from './bench-env.js';

const SMALL = Number(process.env.SMALL ?? 1000);
const LARGE = Number(process.env.LARGE ?? 5);
const LARGE_MIB = Number(process.env.LARGE_MIB ?? 40);
/** Added to every request by the proxies, as a network between the tool and the stores would. */
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 0);
/** Files (and requests) in flight: promoter's default `promotion.concurrency`, given to rclone too. */
const TRANSFERS = 8;
const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const bin = join(root, 'dist', 'promoter', 'cli', 'bin.js');

interface FileSpec {
  name: string;
  data: Buffer;
  sha256: string;
}

function makeFiles(): FileSpec[] {
  const out: FileSpec[] = [];
  const add = (name: string, data: Buffer) =>
    out.push({ name, data, sha256: createHash('sha256').update(data).digest('hex') });
  for (let i = 0; i < SMALL; i++)
    add(
      `v1/small/${String(i).padStart(4, '0')}.txt`,
      randomBytes(1024 + Math.floor(Math.random() * 63 * 1024)),
    );
  for (let i = 0; i < LARGE; i++) add(`v1/large/blob-${i}.tar.gz`, randomBytes(LARGE_MIB * 1024 * 1024));
  return out;
}

async function upload(server: S3Server, bucket: string, files: FileSpec[]): Promise<void> {
  const client = new S3Client({
    endpoint: server.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3_TEST_CREDENTIALS,
  });
  const limit = pLimit(16);
  await Promise.all(
    files.map((f) =>
      limit(() => client.send(new PutObjectCommand({ Bucket: bucket, Key: `rel/${f.name}`, Body: f.data }))),
    ),
  );
  client.destroy();
}

/** The manifest repository: a file manifest for project `rel`, and promoter.yaml naming the endpoints. */
function manifestRepo(dir: string, staging: CountingProxy, mirrors: CountingProxy, files: FileSpec[]): void {
  mkdirSync(join(dir, 'filestores', 'rel'), { recursive: true });
  mkdirSync(join(dir, 'manifests', 'rel'), { recursive: true });
  writeFileSync(
    join(dir, 'promoter.yaml'),
    [
      'filestores:',
      '  - prefix: s3://staging/',
      `    endpoint: ${staging.url}`,
      '  - prefix: s3://ours-a/',
      `    endpoint: ${mirrors.url}`,
      '  - prefix: s3://ours-b/',
      `    endpoint: ${mirrors.url}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'filestores', 'rel', 'filepromoter-manifest.yaml'),
    'filestores:\n- base: s3://staging/rel/\n  src: true\n- base: s3://ours-a/rel/\n- base: s3://ours-b/rel/\n',
  );
  writeFileSync(
    join(dir, 'manifests', 'rel', 'files.yaml'),
    `files:\n${files.map((f) => `- name: ${f.name}\n  sha256: ${f.sha256}`).join('\n')}\n`,
  );
}

/** rclone's S3 remotes `stg:` and `mir:`, configured through its environment variables. */
function rcloneEnv(staging: CountingProxy, mirrors: CountingProxy): void {
  for (const [remote, proxy] of [
    ['STG', staging],
    ['MIR', mirrors],
  ] as const) {
    const set = (k: string, v: string) => (process.env[`RCLONE_CONFIG_${remote}_${k}`] = v);
    set('TYPE', 's3');
    set('PROVIDER', 'Other');
    set('ENDPOINT', proxy.url);
    set('REGION', 'us-east-1');
    set('FORCE_PATH_STYLE', 'true');
    set('ACCESS_KEY_ID', S3_TEST_CREDENTIALS.accessKeyId);
    set('SECRET_ACCESS_KEY', S3_TEST_CREDENTIALS.secretAccessKey);
  }
}

/** Every file in `bucket` on the server's disk holds the staging bytes. */
function check(server: S3Server, bucket: string, files: FileSpec[]): void {
  for (const f of files) {
    const path = join(server.dataDir, bucket, 'rel', `${f.name}._S3rver_object`);
    const got = createHash('sha256').update(readFileSync(path)).digest('hex');
    if (got !== f.sha256) throw new Error(`${bucket}/rel/${f.name}: wrong content`);
  }
}

async function main(): Promise<void> {
  process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'promoter-bench-cache-'));
  process.env.AWS_ACCESS_KEY_ID = S3_TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = S3_TEST_CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = '1';
  // rclone's AWS SDK refuses a custom CA bundle on its own transport; every endpoint here is plain http.
  delete process.env.AWS_CA_BUNDLE;
  const work = mkdtempSync(join(tmpdir(), 'promoter-bench-files-'));
  const staging = await startS3Server(['staging']);
  const mirrors = await startS3Server(['ours-a', 'ours-b', 'theirs-a', 'theirs-b']);
  const hook = async () => {
    if (LATENCY_MS > 0) await new Promise((r) => setTimeout(r, LATENCY_MS));
    return 'pass' as const;
  };
  const stagingProxy = await startCountingProxy(staging.url, { preserveHost: true, hook });
  const mirrorProxy = await startCountingProxy(mirrors.url, { preserveHost: true, hook });
  try {
    const files = makeFiles();
    const total = files.reduce((n, f) => n + f.data.length, 0);
    process.stdout.write(`uploading ${files.length} files (${mib(total)}) to staging… `);
    await upload(staging, 'staging', files);
    console.log('done');
    const repo = join(work, 'repo');
    manifestRepo(repo, stagingProxy, mirrorProxy, files);
    rcloneEnv(stagingProxy, mirrorProxy);

    const promote = () => run(process.execPath, [bin, 'promote', repo, '--confirm', '--format', 'json']);
    const rclone = async () => {
      for (const bucket of ['theirs-a', 'theirs-b'])
        await run('rclone', [
          'copy',
          'stg:staging/rel',
          `mir:${bucket}/rel`,
          '--checksum',
          `--transfers=${TRANSFERS}`,
          `--checkers=${2 * TRANSFERS}`,
          // One recursive listing per side: fewer requests, and s3rver's delimiter listings miss
          // prefixes that hold only other prefixes.
          '--fast-list',
        ]);
    };
    const measure = async (what: () => Promise<unknown>) => {
      stagingProxy.reset();
      mirrorProxy.reset();
      const ms = await timed(async () => void (await what()));
      const s = stagingProxy.counts();
      const m = mirrorProxy.counts();
      const byMethod: Record<string, number> = {};
      for (const c of [s, m])
        for (const [k, v] of Object.entries(c.requests)) {
          const method = k.split(' ')[0]!;
          byMethod[method] = (byMethod[method] ?? 0) + v;
        }
      return {
        ms,
        requests: s.total + m.total,
        read: Object.values(s.bytesOut).reduce((n, v) => n + v, 0),
        uploaded: Object.values(m.bytesIn).reduce((n, v) => n + v, 0),
        byMethod,
      };
    };

    const coldOurs = await measure(promote);
    const coldTheirs = await measure(rclone);
    const warmOurs = await measure(promote);
    const warmTheirs = await measure(rclone);
    for (const bucket of ['ours-a', 'ours-b', 'theirs-a', 'theirs-b']) check(mirrors, bucket, files);

    const row = (label: string, x: string, y: string) =>
      console.log(`  ${label.padEnd(32)}${x.padStart(14)}${y.padStart(18)}`);
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(
      `\npromote ${SMALL} small + ${LARGE} × ${LARGE_MIB} MiB files (${mib(total)}) from one S3 server to 2 buckets on another` +
        (LATENCY_MS > 0 ? `, ${LATENCY_MS} ms added to every request` : ''),
    );
    row('', 'promoter', 'rclone copy');
    row('cold: wall time', s(coldOurs.ms), s(coldTheirs.ms));
    row('cold: requests', String(coldOurs.requests), String(coldTheirs.requests));
    row('cold: bytes read from staging', mib(coldOurs.read), mib(coldTheirs.read));
    row('cold: bytes uploaded', mib(coldOurs.uploaded), mib(coldTheirs.uploaded));
    row('no-op: wall time', s(warmOurs.ms), s(warmTheirs.ms));
    row('no-op: requests', String(warmOurs.requests), String(warmTheirs.requests));
    row('no-op: bytes read from staging', mib(warmOurs.read), mib(warmTheirs.read));
    console.log(
      `\n  ratios (rclone / promoter): cold wall ${(coldTheirs.ms / coldOurs.ms).toFixed(2)}×, cold requests ${(coldTheirs.requests / coldOurs.requests).toFixed(2)}×, ` +
        `staging bytes ${(coldTheirs.read / coldOurs.read).toFixed(2)}×, no-op wall ${(warmTheirs.ms / warmOurs.ms).toFixed(2)}×, ` +
        `no-op requests ${(warmTheirs.requests / warmOurs.requests).toFixed(2)}×`,
    );
    console.log(`  promoter cold requests by method: ${JSON.stringify(coldOurs.byMethod)}`);
    console.log(`  rclone cold requests by method:   ${JSON.stringify(coldTheirs.byMethod)}`);
    console.log(`  promoter no-op requests by method: ${JSON.stringify(warmOurs.byMethod)}`);
    console.log(`  rclone no-op requests by method:   ${JSON.stringify(warmTheirs.byMethod)}`);
    console.log('  every mirror object of both tools matches staging byte for byte');
  } finally {
    await stagingProxy.stop();
    await mirrorProxy.stop();
    await staging.stop();
    await mirrors.stop();
    await run('rm', ['-rf', work, process.env.XDG_CACHE_HOME]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
