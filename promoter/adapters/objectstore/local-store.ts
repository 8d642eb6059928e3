/**
 * A local directory as an object store (`file://` filestores, and the embedded default). Keys are
 * `/`-separated paths below the root. A write goes to a temp file beside its target, is checked for size
 * and sha256, synced, and only then linked into place (or renamed over the old file when overwriting):
 * readers never see a partial file and a failed write leaves nothing behind. Symbolic links are neither
 * followed nor listed. sha256 values live in a hash cache (local files have no metadata).
 */
import { constants, type BigIntStats } from 'node:fs';
import { link, lstat, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import { InputError, IntegrityError, NotFoundError, RequestRejectedError } from '../../errors.js';
import { type FileIdentity, fileStamp, HashCache } from './hash-cache.js';
import type { ObjectInfo, ObjectPage, ObjectRead, ObjectStore, WriteExpectation } from './object-store.js';

const TEMP = /^\..+\.promoter-[0-9a-f]{12}\.tmp$/;

const identity = (s: BigIntStats): FileIdentity => ({
  size: s.size,
  ino: s.ino,
  mtimeNs: s.mtimeNs,
  ctimeNs: s.ctimeNs,
});

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** A directory of files addressed by relative keys. */
export class LocalObjectStore implements ObjectStore {
  readonly description: string;
  readonly host = 'local';
  readonly listsMetadata = true;

  constructor(
    private readonly root: string,
    private readonly hashes: HashCache = new HashCache(),
  ) {
    this.description = `local ${root}`;
  }

  private path(key: string): string {
    const parts = key.split('/');
    if (key === '' || parts.some((p) => p === '' || p === '.' || p === '..') || key.includes('\0'))
      throw new RequestRejectedError(`${this.description}: "${key}" is not a clean relative key`);
    return join(this.root, ...parts);
  }

  private info(key: string, abs: string, s: BigIntStats): ObjectInfo {
    const sha256 = this.hashes.lookup(abs, fileStamp(identity(s)));
    return { key, size: Number(s.size), ...(sha256 ? { sha256 } : {}), version: `${s.ino}:${s.ctimeNs}` };
  }

  async listPage(prefix: string): Promise<ObjectPage> {
    const cut = prefix.lastIndexOf('/');
    const start = cut < 0 ? '' : prefix.slice(0, cut + 1);
    const objects: ObjectInfo[] = [];
    const walk = async (dirKey: string): Promise<void> => {
      const abs = dirKey === '' ? this.root : this.path(dirKey.slice(0, -1));
      let names: string[];
      try {
        names = await readdir(abs);
      } catch (err) {
        if (isNotFound(err)) return;
        throw new InputError(`listing ${abs}: ${(err as Error).message}`, { cause: err });
      }
      for (const name of names) {
        if (TEMP.test(name)) continue;
        const key = dirKey + name;
        if (!key.startsWith(prefix) && !prefix.startsWith(`${key}/`)) continue;
        const s = await lstat(join(abs, name), { bigint: true }).catch(() => undefined);
        if (s?.isDirectory()) await walk(`${key}/`);
        else if (s?.isFile() && key.startsWith(prefix)) objects.push(this.info(key, join(abs, name), s));
      }
    };
    await walk(start);
    objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { objects };
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const abs = this.path(key);
    let s: BigIntStats;
    try {
      s = await lstat(abs, { bigint: true });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new InputError(`reading ${abs}: ${(err as Error).message}`, { cause: err });
    }
    if (!s.isFile()) throw new RequestRejectedError(`${abs} is not a regular file`);
    return this.info(key, abs, s);
  }

  async read(key: string): Promise<ObjectRead> {
    const abs = this.path(key);
    try {
      const handle = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
      return { body: handle.createReadStream({ highWaterMark: 1024 * 1024 }) };
    } catch (err) {
      if (isNotFound(err)) throw new NotFoundError(`${abs}: no such file`, { cause: err });
      throw new InputError(`reading ${abs}: ${(err as Error).message}`, { cause: err });
    }
  }

  async write(key: string, body: Readable, expect: WriteExpectation): Promise<void> {
    const target = this.path(key);
    const dir = dirname(target);
    await mkdir(dir, { recursive: true });
    await this.removeLeftovers(dir, basename(target));
    const tmp = join(dir, `.${basename(target)}.promoter-${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(tmp, 'wx', 0o644);
    let placed = false;
    try {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > expect.size) break;
        hash.update(chunk);
        await handle.write(chunk);
      }
      const sha256 = hash.digest('hex');
      if (size !== expect.size || sha256 !== expect.sha256)
        throw new IntegrityError(
          `writing ${target}: got ${size} bytes with sha256 ${sha256}, expected ${expect.size} bytes with ${expect.sha256}; nothing was written`,
        );
      await handle.sync();
      await handle.close();
      if (expect.overwrite) await rename(tmp, target);
      else {
        try {
          await link(tmp, target);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST')
            throw new RequestRejectedError(`${target} already exists`, { status: 412 });
          throw err;
        }
        await unlink(tmp);
      }
      placed = true;
      const s = await lstat(target, { bigint: true });
      this.hashes.record(target, fileStamp(identity(s)), expect.sha256);
    } finally {
      await handle.close().catch(() => undefined);
      if (!placed) await unlink(tmp).catch(() => undefined);
    }
  }

  async delete(key: string): Promise<void> {
    const abs = this.path(key);
    try {
      await unlink(abs);
      this.hashes.forget(abs);
    } catch (err) {
      if (isNotFound(err)) throw new NotFoundError(`${abs}: no such file`, { cause: err });
      throw new InputError(`deleting ${abs}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Records a sha256 computed by reading `info` (so the next run need not read it again). */
  async recordSha256(info: ObjectInfo, sha256: string): Promise<void> {
    const abs = this.path(info.key);
    const s = await lstat(abs, { bigint: true }).catch(() => undefined);
    if (s?.isFile() && `${s.ino}:${s.ctimeNs}` === info.version)
      this.hashes.record(abs, fileStamp(identity(s)), sha256);
  }

  async close(): Promise<void> {}

  /** Temp files a killed earlier write of the same target left behind. */
  private async removeLeftovers(dir: string, name: string): Promise<void> {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const n of names)
      if (TEMP.test(n) && n.startsWith(`.${name}.promoter-`))
        await unlink(join(dir, n)).catch(() => undefined);
  }
}
