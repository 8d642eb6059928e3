/**
 * The object-store contract, checked against each implementation on a real server: a local directory,
 * s3rver (an S3-protocol server) and the test GCS JSON-API server driven by the real GCS client.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LocalObjectStore } from '../../../promoter/adapters/objectstore/local-store.js';
import {
  listAll,
  type ObjectStore,
  serverSideCopier,
} from '../../../promoter/adapters/objectstore/object-store.js';
import { IntegrityError, NotFoundError, RequestRejectedError } from '../../../promoter/errors.js';
import { type GcsServer, startGcsServer } from '../../helpers/gcs/gcs-server.js';
import { type S3Server, startS3Server } from '../../helpers/objects/s3-server.js';
import { gcsStore, s3Client, s3Store } from '../../helpers/objects/stores.js';
import { tempDir } from '../../helpers/temp.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A stream of `data` in chunks of `chunk` bytes. */
function chunks(data: Buffer, chunk = 64 * 1024): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) parts.push(data.subarray(i, i + chunk));
  return Readable.from(parts);
}

/** A stream that sends `bytes` of `data`, then fails. */
function breaking(data: Buffer, bytes: number): Readable {
  return new Readable({
    read() {
      this.push(data.subarray(0, bytes));
      this.destroy(new Error('source connection reset'));
    },
  });
}

async function readAll(store: ObjectStore, key: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of (await store.read(key)).body as AsyncIterable<Buffer>) parts.push(c);
  return Buffer.concat(parts);
}

async function keys(store: ObjectStore, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const o of listAll(store, prefix)) out.push(o.key);
  return out;
}

interface Subject {
  name: string;
  /** A store over an empty bucket (or directory) of its own. */
  fresh(): Promise<ObjectStore>;
  /** Whether the store refuses to write over an existing object when asked not to (s3rver ignores If-None-Match). */
  refusesOverwrite: boolean;
  /** Above this size, writes go in parts or chunks. */
  large: number;
}

let s3: S3Server;
let gcs: GcsServer;
const tmp = tempDir('promoter-stores-');
let n = 0;
const PART = 5 * 1024 * 1024;

const subjects: Subject[] = [
  {
    name: 'local directory',
    fresh: async () => new LocalObjectStore(`${tmp.dir}/local-${++n}`),
    refusesOverwrite: true,
    large: 3 * 1024 * 1024,
  },
  {
    name: 's3 (s3rver)',
    fresh: async () => {
      const bucket = `bucket-${++n}`;
      await s3Client(s3.url).send(new CreateBucketCommand({ Bucket: bucket }));
      return s3Store(s3.url, bucket, { partSize: PART, pageSize: 2 });
    },
    refusesOverwrite: false,
    large: 2 * PART + 12345,
  },
  {
    name: 'gcs (test server, real client)',
    fresh: async () => {
      const bucket = `bucket-${++n}`;
      gcs.createBucket(bucket);
      return gcsStore(gcs.url, bucket, { chunkSize: 256 * 1024, pageSize: 2 });
    },
    refusesOverwrite: true,
    large: 3 * 256 * 1024 + 777,
  },
];

beforeAll(async () => {
  [s3, gcs] = await Promise.all([startS3Server(), startGcsServer()]);
}, 30_000);

afterAll(async () => {
  await Promise.all([s3?.stop(), gcs?.stop()]);
  tmp.cleanup();
});

describe.each(subjects)('$name', (subject) => {
  it('writes, records the sha256, reads back, lists and deletes', async () => {
    const store = await subject.fresh();
    const data = randomBytes(70_000);
    await store.write('rel/v1/tool', chunks(data), {
      size: data.length,
      sha256: sha(data),
      overwrite: false,
    });
    const info = await store.stat('rel/v1/tool');
    expect(info).toMatchObject({ key: 'rel/v1/tool', size: data.length, sha256: sha(data) });
    expect((await readAll(store, 'rel/v1/tool')).equals(data)).toBe(true);
    expect(await keys(store, 'rel/')).toEqual(['rel/v1/tool']);
    await store.delete('rel/v1/tool');
    expect(await store.stat('rel/v1/tool')).toBeUndefined();
    await expect(store.read('rel/v1/tool')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists across pages in key order, below the prefix only', async () => {
    const store = await subject.fresh();
    const names = ['a/1', 'a/2', 'a/b/3', 'a/c d+e', 'a/z', 'ab/x', 'b/1'];
    for (const name of names) {
      const d = Buffer.from(name);
      await store.write(name, chunks(d), { size: d.length, sha256: sha(d), overwrite: false });
    }
    expect(await keys(store, 'a/')).toEqual(['a/1', 'a/2', 'a/b/3', 'a/c d+e', 'a/z']);
    expect(await keys(store, '')).toEqual(names);
    const listed = [];
    for await (const o of listAll(store, 'a/')) listed.push(o);
    if (store.listsMetadata) expect(listed.every((o) => o.sha256 !== undefined)).toBe(true);
  });

  it.each([
    ['a small body with the wrong sha256', 1000, 'sha'],
    ['a small body one byte short', 1000, 'short'],
    ['a large body with the wrong sha256', -1, 'sha'],
    ['a large body whose source breaks midway', -1, 'break'],
  ] as [string, number, 'sha' | 'short' | 'break'][])(
    'leaves nothing behind for %s',
    async (_what, size, fault) => {
      const store = await subject.fresh();
      const data = randomBytes(size > 0 ? size : subject.large);
      const expectSha = fault === 'sha' ? sha(Buffer.from('something else')) : sha(data);
      const body =
        fault === 'short'
          ? chunks(data.subarray(0, data.length - 1))
          : fault === 'break'
            ? breaking(data, data.length / 2)
            : chunks(data);
      const write = store.write('f', body, { size: data.length, sha256: expectSha, overwrite: false });
      if (fault === 'break') await expect(write).rejects.toThrow(/reset/);
      else await expect(write).rejects.toBeInstanceOf(IntegrityError);
      expect(await store.stat('f')).toBeUndefined();
      expect(await keys(store)).toEqual([]);
    },
  );

  it('writes a large body in parts and verifies it', async () => {
    const store = await subject.fresh();
    const data = randomBytes(subject.large);
    await store.write('big', chunks(data), { size: data.length, sha256: sha(data), overwrite: false });
    expect(await store.stat('big')).toMatchObject({ size: data.length, sha256: sha(data) });
    expect(sha(await readAll(store, 'big'))).toBe(sha(data));
  });

  it('replaces an object only when asked to', async () => {
    const store = await subject.fresh();
    const one = Buffer.from('one');
    const two = Buffer.from('two!');
    await store.write('x', chunks(one), { size: 3, sha256: sha(one), overwrite: false });
    if (subject.refusesOverwrite) {
      const err = await store
        .write('x', chunks(two), { size: 4, sha256: sha(two), overwrite: false })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RequestRejectedError);
      expect((err as RequestRejectedError).status).toBe(412);
      expect((await readAll(store, 'x')).toString()).toBe('one');
    }
    await store.write('x', chunks(two), { size: 4, sha256: sha(two), overwrite: true });
    expect((await readAll(store, 'x')).toString()).toBe('two!');
    expect((await store.stat('x'))?.sha256).toBe(sha(two));
  });
});

describe.each([subjects[1]!, subjects[2]!])('server-side copy on $name', (subject) => {
  it('copies between buckets of one service, recording the sha256 and content type', async () => {
    const from = await subject.fresh();
    const to = await subject.fresh();
    const data = randomBytes(50_000);
    await from.write('src/file.txt', chunks(data), {
      size: data.length,
      sha256: sha(data),
      overwrite: false,
      contentType: 'text/plain',
    });
    const info = (await from.stat('src/file.txt'))!;
    const copier = serverSideCopier(to)!;
    expect(copier).toBeDefined();
    await copier.copyFrom(from, info, 'dst/file.txt', {
      size: data.length,
      sha256: sha(data),
      overwrite: false,
      contentType: 'text/plain',
    });
    expect(await to.stat('dst/file.txt')).toMatchObject({ size: data.length, sha256: sha(data) });
    const read = await to.read('dst/file.txt');
    expect(read.contentType).toMatch(/^text\/plain/);
    read.body.destroy();
    expect(sha(await readAll(to, 'dst/file.txt'))).toBe(sha(data));
  });
});
