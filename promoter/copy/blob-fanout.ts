/**
 * Reads a source blob once and streams it to several uploads at the pace of the slowest (backpressure),
 * checking size and sha256 as it goes. The last chunk is held back until the digest is verified, so no
 * destination ever receives a complete blob that does not match: on a mismatch every upload is aborted.
 * A destination that fails drops out; the others carry on.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import type { Descriptor } from '../domain/descriptor.js';
import { IntegrityError } from '../errors.js';

/** One destination of a fan-out. */
export interface FanoutTarget {
  key: string;
  upload(body: Readable): Promise<void>;
}

/** How one destination fared. */
export interface FanoutOutcome {
  key: string;
  error: unknown;
}

interface Lane {
  key: string;
  pipe: PassThrough;
  alive: boolean;
  error: unknown;
  done: Promise<void>;
}

async function writeAll(lanes: Lane[], chunk: Buffer): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const lane of lanes) {
    if (!lane.alive) continue;
    if (!lane.pipe.write(chunk)) waits.push(Promise.race([once(lane.pipe, 'drain'), lane.done]));
  }
  if (waits.length > 0) await Promise.all(waits);
}

/** Streams `source` (the content of `desc`) to every target; returns each target's outcome and bytes read. */
export async function fanOutBlob(
  source: Readable,
  desc: Descriptor,
  targets: FanoutTarget[],
  what: string,
): Promise<{ outcomes: FanoutOutcome[]; bytesRead: number }> {
  const lanes: Lane[] = targets.map((t) => {
    const pipe = new PassThrough({ highWaterMark: 1024 * 1024 });
    // Errors reach the caller through the upload's promise; the stream's own 'error' event is expected.
    pipe.on('error', () => undefined);
    const lane: Lane = { key: t.key, pipe, alive: true, error: undefined, done: Promise.resolve() };
    lane.done = t.upload(pipe).then(
      () => undefined,
      (err: unknown) => {
        lane.alive = false;
        lane.error = err;
        pipe.destroy();
      },
    );
    return lane;
  });
  const hash = createHash('sha256');
  let bytes = 0;
  let held: Buffer | undefined;
  let failure: unknown;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > desc.size)
        throw new IntegrityError(`${what}: the source sent more than the expected ${desc.size} bytes`);
      hash.update(chunk);
      if (held) await writeAll(lanes, held);
      held = chunk;
      if (!lanes.some((l) => l.alive)) break;
    }
    const digest = `sha256:${hash.digest('hex')}`;
    if (lanes.some((l) => l.alive) && (bytes !== desc.size || digest !== desc.digest)) {
      throw new IntegrityError(
        `${what}: the source sent ${bytes} bytes with digest ${digest}, expected ${desc.size} bytes with ${desc.digest}`,
      );
    }
    if (held) await writeAll(lanes, held);
    for (const lane of lanes) if (lane.alive) lane.pipe.end();
  } catch (err) {
    failure = err;
    source.destroy();
    for (const lane of lanes) if (lane.alive) lane.pipe.destroy(err as Error);
  }
  await Promise.all(lanes.map((l) => l.done));
  return {
    outcomes: lanes.map((l) => ({ key: l.key, error: l.error ?? failure })),
    bytesRead: bytes,
  };
}
