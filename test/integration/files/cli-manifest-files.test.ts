/** `promoter manifest files`: a file list from a directory or a bucket, that validates and promotes as is. */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { runCli } from '../../helpers/cli.js';
import { type S3Server, startS3Server } from '../../helpers/objects/s3-server.js';
import { s3Client } from '../../helpers/objects/stores.js';
import { tempDir, writeTree } from '../../helpers/temp.js';

const sha = (b: string) => createHash('sha256').update(b).digest('hex');
const tmp = tempDir('promoter-manifest-files-');
const staging = join(tmp.dir, 'staging dir');
const tree = {
  'v1/bin/linux/amd64/tool': 'amd64 binary',
  'v1/bin/linux/arm64/tool': 'arm64 binary',
  'v1/README.md': '# release\n',
  'v2/notes: colon.txt': 'needs quoting in YAML',
};
let s3: S3Server;

beforeAll(async () => {
  writeTree(staging, tree);
  s3 = await startS3Server();
  const client = s3Client(s3.url);
  await client.send(new CreateBucketCommand({ Bucket: 'stage' }));
  for (const [name, body] of Object.entries(tree))
    await client.send(new PutObjectCommand({ Bucket: 'stage', Key: `rel/${name}`, Body: body }));
  client.destroy();
}, 30_000);

afterAll(async () => {
  await s3?.stop();
  tmp.cleanup();
});

describe('promoter manifest files', () => {
  const expected = Object.entries(tree)
    .map(([name, body]) => ({ name, sha256: sha(body) }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));

  it('hashes a directory into a sorted files: list', async () => {
    const r = await runCli(['manifest', 'files', '--src', staging]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(parse(r.stdout)).toEqual({ files: expected });
  });

  it('keeps only names under --prefix', async () => {
    const r = await runCli(['manifest', 'files', '--src', staging, '--prefix', 'v1/bin/']);
    expect(r.code).toBe(0);
    expect((parse(r.stdout) as { files: { name: string }[] }).files.map((f) => f.name)).toEqual([
      'v1/bin/linux/amd64/tool',
      'v1/bin/linux/arm64/tool',
    ]);
  });

  it('hashes a bucket reached through AWS_ENDPOINT_URL_S3', async () => {
    const r = await runCli(['manifest', 'files', '--src', 's3://stage/rel/'], { env: s3.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(parse(r.stdout)).toEqual({ files: expected });
  });

  it('writes a list that validates as a kpromo file manifest', async () => {
    const r = await runCli(['manifest', 'files', '--src', staging]);
    const repo = join(tmp.dir, 'repo');
    writeTree(repo, {
      'filestores/rel/filepromoter-manifest.yaml':
        'filestores:\n- base: gs://stage/rel/\n  src: true\n- base: gs://prod/rel/\n',
      'manifests/rel/v1.yaml': r.stdout,
    });
    const v = await runCli(['validate', repo]);
    expect(v.stdout).toMatch(/✔/);
    expect(v.code).toBe(0);
  });

  it('leaves out names promotion would reject, says which, and exits 1', async () => {
    writeFileSync(join(staging, 'back\\slash'), 'x');
    const r = await runCli(['manifest', 'files', '--src', staging]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('promoter: left out "back\\\\slash": its name contains a backslash\n');
    expect((parse(r.stdout) as { files: unknown[] }).files).toHaveLength(4);
  });

  it.each([
    [['manifest', 'files'], /required option '--src <dir\|url>' not specified/],
    [['manifest', 'files', '--src', '/no/such/dir'], /--src \/no\/such\/dir does not exist/],
    [['manifest', 'files', '--src', 'ftp://x/'], /unknown scheme/],
    [['manifest', 'files', '--src', '.', '--concurrency', '0'], /expected a positive integer/],
  ])('exits 2 for %j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
