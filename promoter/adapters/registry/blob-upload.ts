/**
 * Blob uploads to a registry: open a session (POST), then send the bytes in one PUT or in PATCH chunks and
 * close with PUT `?digest=`. The registry commits only a complete upload whose digest matches; on any
 * failure the session is cancelled, so nothing half-written remains.
 */
import { PassThrough, type Readable } from 'node:stream';
import { once } from 'node:events';
import type { Descriptor } from '../../domain/descriptor.js';
import { RemoteError } from '../../errors.js';
import { header, type HttpRequest, type HttpResponse } from '../http/transport.js';
import type { Scope } from './auth/authenticator.js';

/** What an upload needs from the registry store. */
export interface UploadTarget {
  readonly host: string;
  send(req: Omit<HttpRequest, 'url'> & { path: string }, scopes: Scope[]): Promise<HttpResponse>;
  fail(what: string, res: HttpResponse): Promise<never>;
  cancelUpload(repo: string, location: string): Promise<void>;
}

/** How to upload. */
export interface UploadOptions {
  chunked: boolean;
  chunkSize: number;
}

function pathOf(location: string, digest?: string): string {
  const url = new URL(location, 'http://placeholder');
  if (digest) url.searchParams.set('digest', digest);
  return url.pathname + url.search;
}

/** Uploads `body` (exactly desc.size bytes) as blob `desc.digest` into `repo`. */
export async function uploadBlob(
  target: UploadTarget,
  repo: string,
  desc: Descriptor,
  body: Readable,
  opts: UploadOptions,
): Promise<void> {
  const scopes: Scope[] = [{ repository: repo, actions: ['pull', 'push'] }];
  const start = await target.send(
    { method: 'POST', path: `/v2/${repo}/blobs/uploads/`, kind: 'upload' },
    scopes,
  );
  if (start.status !== 202) {
    body.destroy();
    await target.fail(`starting upload of ${desc.digest} to ${repo}`, start);
  }
  await start.body.dump();
  let location = header(start.headers, 'location');
  if (!location) {
    body.destroy();
    throw new RemoteError(`${target.host} opened an upload to ${repo} without a Location`, {
      host: target.host,
    });
  }
  const minChunk = Number(header(start.headers, 'oci-chunk-min-length') ?? 0);
  try {
    if (opts.chunked) {
      location = await sendChunks(
        target,
        repo,
        desc,
        body,
        location,
        Math.max(opts.chunkSize, minChunk),
        scopes,
      );
      const done = await target.send(
        {
          method: 'PUT',
          path: pathOf(location, desc.digest),
          headers: { 'content-length': '0' },
          kind: 'upload',
        },
        scopes,
      );
      if (done.status !== 201) await target.fail(`finishing upload of ${desc.digest} to ${repo}`, done);
      await done.body.dump();
      return;
    }
    const res = await target.send(
      {
        method: 'PUT',
        path: pathOf(location, desc.digest),
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
        body,
        kind: 'upload',
      },
      scopes,
    );
    if (res.status !== 201) await target.fail(`uploading ${desc.digest} to ${repo}`, res);
    await res.body.dump();
  } catch (err) {
    body.destroy();
    await target.cancelUpload(repo, location);
    throw err;
  }
}

/** Waits until `pipe` drains, or until the request consuming it has ended (early answer or failure). */
async function drainOrSettle(pipe: PassThrough, done: Promise<unknown>): Promise<void> {
  await Promise.race([
    once(pipe, 'drain'),
    done.then(
      () => undefined,
      () => undefined,
    ),
  ]);
}

/** Sends the body as PATCH requests of `chunkSize` bytes; returns the session's last Location. */
async function sendChunks(
  target: UploadTarget,
  repo: string,
  desc: Descriptor,
  body: Readable,
  location: string,
  chunkSize: number,
  scopes: Scope[],
): Promise<string> {
  let offset = 0;
  let current: { pipe: PassThrough; end: number; done: Promise<HttpResponse> } | undefined;
  const open = (at: number, loc: string) => {
    const end = Math.min(at + chunkSize, desc.size);
    const pipe = new PassThrough({ highWaterMark: 256 * 1024 });
    const done = target.send(
      {
        method: 'PATCH',
        path: pathOf(loc),
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${at}-${end - 1}`,
          'content-length': String(end - at),
        },
        body: pipe,
        kind: 'upload',
      },
      scopes,
    );
    return { pipe, end, done };
  };
  const finish = async (c: NonNullable<typeof current>) => {
    c.pipe.end();
    const res = await c.done;
    if (res.status !== 202) await target.fail(`uploading a chunk of ${desc.digest} to ${repo}`, res);
    await res.body.dump();
    return header(res.headers, 'location') ?? location;
  };
  for await (const data of body as AsyncIterable<Buffer>) {
    let buf = data;
    while (buf.length > 0) {
      current ??= open(offset, location);
      const take = Math.min(buf.length, current.end - offset);
      if (!current.pipe.write(buf.subarray(0, take))) await drainOrSettle(current.pipe, current.done);
      offset += take;
      buf = buf.subarray(take);
      if (offset === current.end) {
        location = await finish(current);
        current = undefined;
      }
    }
  }
  if (current) location = await finish(current);
  return location;
}
