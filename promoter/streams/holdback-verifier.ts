/**
 * A pass-through that checks size and sha256 and holds the last chunk back until they match: whatever
 * consumes it (an upload that commits when its input ends) never sees the end of a body that does not
 * match — on a mismatch the stream fails instead of finishing.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { IntegrityError } from '../errors.js';

/** Verifies `size` bytes with sha256 `sha256` (hex) as they pass; `what` names them in errors. */
export class HoldbackVerifier extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private held: Buffer | undefined;

  constructor(
    private readonly size: number,
    private readonly sha256: string,
    private readonly what: string,
  ) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.size) {
      done(new IntegrityError(`${this.what}: more than the expected ${this.size} bytes`));
      return;
    }
    this.hash.update(chunk);
    const out = this.held;
    this.held = chunk;
    done(null, out);
  }

  override _flush(done: TransformCallback): void {
    const got = this.hash.digest('hex');
    if (this.bytes !== this.size || got !== this.sha256) {
      done(
        new IntegrityError(
          `${this.what}: got ${this.bytes} bytes with sha256 ${got}, expected ${this.size} bytes with ${this.sha256}`,
        ),
      );
      return;
    }
    done(null, this.held);
  }
}
