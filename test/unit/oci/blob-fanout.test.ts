/** The blob fan-out: one read for many uploads, backpressure, and nothing complete delivered on a mismatch. */
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from '@jest/globals';
import { fanOutBlob } from '../../../promoter/copy/blob-fanout.js';
import type { Digest } from '../../../promoter/domain/digest.js';
import { IntegrityError } from '../../../promoter/errors.js';

function blob(size: number) {
  const data = Buffer.alloc(size, 7);
  for (let i = 0; i < size; i += 997) data[i] = i % 251;
  return {
    data,
    desc: {
      mediaType: 'x',
      size,
      digest: `sha256:${createHash('sha256').update(data).digest('hex')}` as Digest,
    },
  };
}

/** A sink that records what it received and whether the body ended cleanly; `slowMs` delays each write. */
function sink(slowMs = 0) {
  const got: Buffer[] = [];
  let ended = false;
  const upload = async (body: Readable) => {
    await pipeline(
      body,
      new Writable({
        highWaterMark: 16 * 1024,
        write(chunk: Buffer, _e, cb) {
          got.push(chunk);
          if (slowMs) setTimeout(cb, slowMs);
          else cb();
        },
      }),
    );
    ended = true;
  };
  return { upload, got: () => Buffer.concat(got), ended: () => ended };
}

const chunks = (data: Buffer, size = 64 * 1024) =>
  Readable.from(
    Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size)),
  );

describe('fanOutBlob', () => {
  it('delivers the same verified bytes to every target from one read', async () => {
    const { data, desc } = blob(3 * 1024 * 1024 + 17);
    const a = sink();
    const b = sink(1);
    let reads = 0;
    const source = chunks(data).on('data', () => reads++);
    const r = await fanOutBlob(
      source,
      desc,
      [
        { key: 'a', upload: a.upload },
        { key: 'b', upload: b.upload },
      ],
      'blob',
    );
    expect(r.outcomes.map((o) => o.error)).toEqual([undefined, undefined]);
    expect(r.bytesRead).toBe(data.length);
    expect(a.got().equals(data) && b.got().equals(data)).toBe(true);
    expect(reads).toBe(Math.ceil(data.length / (64 * 1024)));
  });

  it('aborts every upload when the digest does not match, before the last chunk is delivered', async () => {
    const { data, desc } = blob(300 * 1024);
    const tampered = Buffer.from(data);
    tampered[tampered.length - 1]! ^= 1;
    const a = sink();
    const b = sink();
    const r = await fanOutBlob(
      chunks(tampered),
      desc,
      [
        { key: 'a', upload: a.upload },
        { key: 'b', upload: b.upload },
      ],
      'blob',
    );
    for (const o of r.outcomes) expect(o.error).toBeInstanceOf(IntegrityError);
    expect(a.ended() || b.ended()).toBe(false);
    expect(a.got().length).toBeLessThan(data.length);
  });

  it('aborts on a source longer than declared without reading it all', async () => {
    const { data, desc } = blob(100 * 1024);
    const a = sink();
    const r = await fanOutBlob(
      chunks(Buffer.concat([data, data])),
      desc,
      [{ key: 'a', upload: a.upload }],
      'blob',
    );
    expect(r.outcomes[0]!.error).toBeInstanceOf(IntegrityError);
    expect(r.bytesRead).toBeLessThan(2 * data.length);
  });

  it('lets one failing target drop out while the others finish', async () => {
    const { data, desc } = blob(1024 * 1024);
    const good = sink();
    const bad = async (body: Readable) => {
      await new Promise((res) => setTimeout(res, 5));
      body.destroy();
      throw new Error('registry down');
    };
    const r = await fanOutBlob(
      chunks(data),
      desc,
      [
        { key: 'bad', upload: bad },
        { key: 'good', upload: good.upload },
      ],
      'blob',
    );
    expect(String(r.outcomes[0]!.error)).toMatch(/registry down/);
    expect(r.outcomes[1]!.error).toBeUndefined();
    expect(good.got().equals(data)).toBe(true);
  });

  it('handles an empty blob', async () => {
    const { data, desc } = blob(0);
    const a = sink();
    const r = await fanOutBlob(Readable.from([]), desc, [{ key: 'a', upload: a.upload }], 'blob');
    expect(r.outcomes[0]!.error).toBeUndefined();
    expect(a.ended()).toBe(true);
    expect(a.got().length).toBe(data.length);
  });
});
