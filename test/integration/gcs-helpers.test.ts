/** Integration test of the test GCS server, driven by the real `@google-cloud/storage` client. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type GetFilesOptions, Storage } from '@google-cloud/storage';
import { type GcsServer, startGcsServer } from '../helpers/gcs/gcs-server.js';

let server: GcsServer;
let storage: Storage;

beforeAll(async () => {
  server = await startGcsServer();
  server.createBucket('src');
  server.createBucket('dst');
  storage = new Storage({ apiEndpoint: server.url, projectId: 'test' });
});
afterAll(async () => {
  await server.stop();
});

/** Deterministic pseudo-random bytes. */
function bytes(size: number, seed: string): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let at = 0; at < size; at += block.length) {
    block.copy(out, at);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function errorCode(err: unknown): unknown {
  return (err as { code?: unknown }).code;
}

describe('simple upload, metadata and download', () => {
  const data = bytes(70_000, 'simple');

  it('saves with custom metadata and reads it back with validated hashes', async () => {
    const file = storage.bucket('src').file('dir/simple.bin');
    await file.save(data, { resumable: false, metadata: { metadata: { sha256: sha256(data) } } });
    const [meta] = await file.getMetadata();
    expect(meta.size).toBe(String(data.length));
    expect(meta.md5Hash).toBe(createHash('md5').update(data).digest('base64'));
    expect(meta.metadata).toEqual({ sha256: sha256(data) });
    expect(meta.contentType).toBe('application/octet-stream');
    const [downloaded] = await file.download();
    expect(downloaded.equals(data)).toBe(true);
    expect(server.getObject('src', 'dir/simple.bin')?.metadata).toEqual({ sha256: sha256(data) });
  });

  it('fails a download whose bytes do not match the x-goog-hash header', async () => {
    server.corruptNextDownload();
    const err = await storage
      .bucket('src')
      .file('dir/simple.bin')
      .download()
      .catch((e: unknown) => e);
    expect(errorCode(err)).toBe('CONTENT_DOWNLOAD_MISMATCH');
    const [again] = await storage.bucket('src').file('dir/simple.bin').download();
    expect(again.equals(data)).toBe(true);
  });

  it('updates custom metadata with setMetadata (merge, null deletes)', async () => {
    const file = storage.bucket('src').file('dir/simple.bin');
    await file.setMetadata({ metadata: { extra: 'x' } });
    await file.setMetadata({ metadata: { extra: null }, contentType: 'text/plain' });
    const [meta] = await file.getMetadata();
    expect(meta.metadata).toEqual({ sha256: sha256(data) });
    expect(meta.contentType).toBe('text/plain');
    expect(meta.metageneration).toBe('3');
  });
});

describe('streaming reads', () => {
  const big = bytes(3 * 1024 * 1024 + 17, 'big');
  beforeAll(() => server.putObject('src', 'big.bin', big));

  it('streams a 3 MiB object', async () => {
    const got = await readAll(storage.bucket('src').file('big.bin').createReadStream());
    expect(got.length).toBe(big.length);
    expect(got.equals(big)).toBe(true);
  });

  it('streams byte ranges, including a tail range', async () => {
    const file = storage.bucket('src').file('big.bin');
    const mid = await readAll(file.createReadStream({ start: 1000, end: 200_999 }));
    expect(mid.equals(big.subarray(1000, 201_000))).toBe(true);
    const tail = await readAll(file.createReadStream({ end: -100 }));
    expect(tail.equals(big.subarray(big.length - 100))).toBe(true);
  });
});

describe('resumable uploads', () => {
  it('uploads 1.5 MiB in 256 KiB chunks from a stream', async () => {
    const data = bytes(1536 * 1024 + 12_345, 'resumable');
    server.resetCounts();
    const before = server.openUploadSessions();
    const pieces = Array.from({ length: Math.ceil(data.length / 100_000) }, (_, i) =>
      data.subarray(i * 100_000, (i + 1) * 100_000),
    );
    const file = storage.bucket('src').file('uploads/resumable.bin');
    await pipeline(
      Readable.from(pieces),
      file.createWriteStream({
        resumable: true,
        chunkSize: 256 * 1024,
        metadata: { metadata: { sha256: sha256(data) } },
      }),
    );
    const stored = server.getObject('src', 'uploads/resumable.bin');
    expect(stored?.data.equals(data)).toBe(true);
    expect(stored?.metadata).toEqual({ sha256: sha256(data) });
    expect(server.counts()['POST upload-resumable-start']).toBe(1);
    expect(server.counts()['PUT upload-resumable-chunk']).toBe(7);
    expect(server.openUploadSessions()).toBe(before);
  });

  it('uploads in a single resumable request without chunkSize', async () => {
    const data = bytes(300_000, 'single');
    await storage.bucket('src').file('uploads/single.bin').save(data, { resumable: true });
    expect(server.getObject('src', 'uploads/single.bin')?.data.equals(data)).toBe(true);
  });

  it('leaves no object when the source stream fails midway', async () => {
    const before = server.openUploadSessions();
    server.resetCounts();
    async function* failing(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 4; i++) yield bytes(200_000, `fail-${i}`);
      await waitFor(() => (server.counts()['PUT upload-resumable-chunk'] ?? 0) >= 1);
      throw new Error('source broke');
    }
    const file = storage.bucket('src').file('uploads/broken.bin');
    const err = await pipeline(
      Readable.from(failing()),
      file.createWriteStream({ chunkSize: 256 * 1024 }),
    ).catch((e: unknown) => e);
    expect((err as Error).message).toBe('source broke');
    expect(server.getObject('src', 'uploads/broken.bin')).toBeUndefined();
    expect((await file.exists())[0]).toBe(false);
    expect(server.openUploadSessions()).toBe(before + 1);
  });
});

describe('listing', () => {
  const names = ['list/a+b.txt', 'list/b c.txt', 'list/c/d.txt', 'list/c/e.txt', 'list/z', 'list/é.txt'];
  beforeAll(() => {
    for (const name of names) server.putObject('src', name, Buffer.from(name), { origin: name });
    server.putObject('src', 'other/x', Buffer.from('x'));
  });

  it('pages through a prefix two at a time with custom metadata on items', async () => {
    const seen: string[] = [];
    let query: GetFilesOptions | null = { prefix: 'list/', autoPaginate: false, maxResults: 2 };
    let pages = 0;
    while (query) {
      const [files, next]: [
        { name: string; metadata: { metadata?: unknown } }[],
        GetFilesOptions | null,
        unknown,
      ] = await storage.bucket('src').getFiles(query);
      pages++;
      expect(files.length).toBeLessThanOrEqual(2);
      for (const f of files) {
        seen.push(f.name);
        expect(f.metadata.metadata).toEqual({ origin: f.name });
      }
      query = next;
    }
    expect(seen).toEqual(names);
    expect(pages).toBe(3);
  });

  it('lists everything at once, and collapses prefixes with a delimiter', async () => {
    const [all] = await storage.bucket('src').getFiles({ prefix: 'list/' });
    expect(all.map((f) => f.name)).toEqual(names);
    const [, , raw] = await storage
      .bucket('src')
      .getFiles({ prefix: 'list/', delimiter: '/', autoPaginate: false });
    expect((raw as { prefixes?: string[] }).prefixes).toEqual(['list/c/']);
  });
});

describe('copy, preconditions and delete', () => {
  it('copies across buckets with new custom metadata (rewrite)', async () => {
    const data = bytes(5000, 'copy');
    const src = storage.bucket('src').file('copy/source.bin');
    await src.save(data, {
      resumable: false,
      metadata: { contentType: 'application/x-test', metadata: { a: '1' } },
    });
    await src.copy(storage.bucket('dst').file('x'), { metadata: { sha256: sha256(data) } });
    const copied = server.getObject('dst', 'x');
    expect(copied?.data.equals(data)).toBe(true);
    expect(copied?.metadata).toEqual({ sha256: sha256(data) });
    const [meta] = await storage.bucket('dst').file('x').getMetadata();
    expect(meta.contentType).toBe('application/x-test');
    expect(server.counts()['POST rewrite']).toBeGreaterThanOrEqual(1);
  });

  it('rejects a save with ifGenerationMatch 0 over an existing object with 412', async () => {
    const file = storage.bucket('dst').file('x');
    const err = await file
      .save(Buffer.from('new'), { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } })
      .catch((e: unknown) => e);
    expect(errorCode(err)).toBe(412);
    const resumable = await file
      .save(Buffer.from('new'), { resumable: true, preconditionOpts: { ifGenerationMatch: 0 } })
      .catch((e: unknown) => e);
    // The resumable path surfaces a GaxiosError: the status is in `status`, not `code`.
    expect((resumable as { status?: unknown }).status).toBe(412);
    const generation = server.getObject('dst', 'x')!.generation;
    await file.save(Buffer.from('new'), {
      resumable: false,
      preconditionOpts: { ifGenerationMatch: generation },
    });
    expect(server.getObject('dst', 'x')?.data.toString()).toBe('new');
    expect(BigInt(server.getObject('dst', 'x')!.generation)).toBeGreaterThan(BigInt(generation));
  });

  it('deletes, then reports the object missing and a second delete as 404', async () => {
    const file = storage.bucket('dst').file('x');
    await file.delete();
    expect((await file.exists())[0]).toBe(false);
    const err = await file.delete().catch((e: unknown) => e);
    expect(errorCode(err)).toBe(404);
    expect(server.objectNames('dst')).toEqual([]);
  });

  it('answers 404 for a missing bucket', async () => {
    const err = await storage
      .bucket('nope')
      .file('a')
      .getMetadata()
      .catch((e: unknown) => e);
    expect(errorCode(err)).toBe(404);
  });
});

describe('STORAGE_EMULATOR_HOST (paths without /storage/v1)', () => {
  it('lists, gets and saves', async () => {
    process.env.STORAGE_EMULATOR_HOST = server.url;
    let emulated: Storage;
    try {
      emulated = new Storage({ projectId: 'test' });
    } finally {
      delete process.env.STORAGE_EMULATOR_HOST;
    }
    expect(emulated.baseUrl).toBe(server.url);
    server.resetCounts();
    const bucket = emulated.bucket('src');
    await bucket.file('emu/one.txt').save('one', { resumable: false, metadata: { metadata: { k: 'v' } } });
    await bucket.file('emu/two.txt').save('two');
    const [files] = await bucket.getFiles({ prefix: 'emu/' });
    expect(files.map((f) => f.name)).toEqual(['emu/one.txt', 'emu/two.txt']);
    const [meta] = await bucket.file('emu/one.txt').getMetadata();
    expect(meta.metadata).toEqual({ k: 'v' });
    expect((await bucket.file('emu/two.txt').download())[0].toString()).toBe('two');
    expect(server.counts()).toMatchObject({ 'GET list': 1, 'GET get-metadata': 1, 'GET download': 1 });
  });
});

describe('fault hook', () => {
  it('makes the client retry a 503 and still succeed', async () => {
    server.putObject('src', 'retry.txt', Buffer.from('retry'));
    server.resetCounts();
    let failed = 0;
    server.hook((req) => (req.kind === 'get-metadata' && failed++ === 0 ? { status: 503 } : undefined));
    try {
      // Short delays suit retry-request (plain requests), not async-retry (save), hence a separate client.
      const quick = new Storage({
        apiEndpoint: server.url,
        projectId: 'test',
        retryOptions: { maxRetryDelay: 0.02 },
      });
      const [meta] = await quick.bucket('src').file('retry.txt').getMetadata();
      expect(meta.size).toBe('5');
    } finally {
      server.hook(undefined);
    }
    expect(server.counts()['GET get-metadata']).toBe(2);
  });

  it('passes bucket and object names to the hook', async () => {
    const seen: unknown[] = [];
    server.hook((req) => {
      seen.push(req);
      return { status: 418, body: { error: { code: 418, message: 'teapot' } } };
    });
    try {
      const err = await storage
        .bucket('src')
        .file('a b/c')
        .download()
        .catch((e: unknown) => e);
      expect(errorCode(err)).toBe(418);
    } finally {
      server.hook(undefined);
    }
    expect(seen).toEqual([{ method: 'GET', kind: 'download', bucket: 'src', object: 'a b/c' }]);
  });
});

describe('raw protocol edges', () => {
  it('rejects unknown routes and oversized bodies', async () => {
    const res = await fetch(`${server.url}/storage/v1/b/src`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(404);
    const small = await startGcsServer({ maxBodyBytes: 1000 });
    try {
      small.createBucket('b');
      const big = await fetch(`${small.url}/upload/storage/v1/b/b/o?uploadType=media&name=x`, {
        method: 'POST',
        body: Buffer.alloc(5000),
      });
      expect(big.status).toBe(413);
      expect(small.objectNames('b')).toEqual([]);
    } finally {
      await small.stop();
    }
  });

  it('reports received bytes of a resumable session and finalizes on the last chunk', async () => {
    const start = await fetch(
      `${server.url}/upload/storage/v1/b/src/o?uploadType=resumable&name=raw%2Fr.bin`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ metadata: { k: '1' } }),
      },
    );
    const session = start.headers.get('location')!;
    expect(session.startsWith(server.url)).toBe(true);
    const status = await fetch(session, { method: 'PUT', headers: { 'content-range': 'bytes */*' } });
    expect(status.status).toBe(308);
    expect(status.headers.get('range')).toBeNull();
    const part = await fetch(session, {
      method: 'PUT',
      headers: { 'content-range': 'bytes 0-2/*' },
      body: 'abc',
    });
    expect(part.headers.get('range')).toBe('bytes=0-2');
    const done = await fetch(session, {
      method: 'PUT',
      headers: { 'content-range': 'bytes 3-4/5' },
      body: 'de',
    });
    expect(done.status).toBe(200);
    expect(((await done.json()) as { size: string }).size).toBe('5');
    expect(server.getObject('src', 'raw/r.bin')).toMatchObject({
      data: Buffer.from('abcde'),
      metadata: { k: '1' },
    });
    const again = await fetch(session, { method: 'PUT', headers: { 'content-range': 'bytes */5' } });
    expect(again.status).toBe(200);
  });

  it('rejects a final chunk whose x-goog-hash does not match the bytes, and closes the session', async () => {
    const open = server.openUploadSessions();
    const start = await fetch(`${server.url}/upload/storage/v1/b/src/o?uploadType=resumable&name=raw-bad`, {
      method: 'POST',
    });
    const session = start.headers.get('location')!;
    expect(server.openUploadSessions()).toBe(open + 1);
    const bad = await fetch(session, {
      method: 'PUT',
      headers: { 'content-range': 'bytes 0-2/3', 'x-goog-hash': 'crc32c=AAAAAA==' },
      body: 'abc',
    });
    expect(bad.status).toBe(400);
    expect(server.getObject('src', 'raw-bad')).toBeUndefined();
    expect(server.openUploadSessions()).toBe(open);
  });
});
