/** A pass-through stream that measures what flows through it: byte count and sha256. */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { IntegrityError } from '../errors.js';

/** Expected content: size and digest. */
export interface Expected {
  size: number;
  digest: string;
}

/** Hashes and counts bytes as they pass; fails as soon as more bytes than expected arrive. */
export class DigestMeter extends Transform {
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');

  constructor(
    private readonly expected: Expected,
    private readonly what: string,
  ) {
    super({ highWaterMark: 256 * 1024 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.expected.size) {
      done(new IntegrityError(`${this.what}: more than the expected ${this.expected.size} bytes`));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  /** The digest of everything seen (call once, at the end). */
  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }

  /** Throws IntegrityError unless exactly the expected bytes passed. */
  verify(): void {
    const digest = this.digest();
    if (this.bytes !== this.expected.size || digest !== this.expected.digest) {
      throw new IntegrityError(
        `${this.what}: got ${this.bytes} bytes with digest ${digest}, expected ${this.expected.size} bytes with ${this.expected.digest}`,
      );
    }
  }
}
