/**
 * A real S3-protocol server for tests: s3rver (npm) as a child process on a free port of 127.0.0.1, one
 * temp directory each, with the flag it needs on this Node (`--openssl-legacy-provider`, without which
 * every truncated ListObjectsV2 answers 500). Stopped by PID in teardown.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, guard, readLog, release, stopChild } from '../process-guard.js';
import { freePort } from '../oci/free-port.js';

/** Access key and secret s3rver accepts (any are; these are its defaults). */
export const S3_TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A running s3rver. */
export interface S3Server {
  /** `http://127.0.0.1:PORT`: what AWS_ENDPOINT_URL_S3 or a promoter.yaml endpoint names. */
  url: string;
  pid: number;
  /** Where s3rver keeps buckets (`<bucket>/<key>._S3rver_object`). */
  dataDir: string;
  logFile: string;
  /** Environment for a child that should reach this server through the AWS SDK's own conventions. */
  env: Record<string, string>;
  /** Stops the server by PID and removes its directory; idempotent. */
  stop(): Promise<void>;
}

const stoppers = new Set<() => Promise<void>>();

function s3rverBin(): string {
  return createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
}

async function waitReady(url: string, isGone: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (isGone()) return false;
    try {
      const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.headers.get('server')?.includes('AmazonS3') || res.status === 200 || res.status === 403)
        return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`s3rver on ${url} not ready within ${timeoutMs} ms`);
}

/** Starts s3rver with the given buckets already created. */
export async function startS3Server(buckets: string[] = []): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), 'promoter-s3-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 's3rver.log');
  mkdirSync(dataDir);
  for (const b of buckets) mkdirSync(join(dataDir, b));
  let lastLog = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const fd = openSync(logFile, 'w');
    const child = spawn(
      process.execPath,
      [s3rverBin(), '-d', dataDir, '-a', '127.0.0.1', '-p', String(port), '--silent', '--no-vhost-buckets'],
      { stdio: ['ignore', fd, fd], env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' } },
    );
    closeSync(fd);
    if (child.pid === undefined) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error('cannot start s3rver');
    }
    guard(child, dir);
    child.unref();
    const url = `http://127.0.0.1:${port}`;
    let ready: boolean;
    try {
      ready = await waitReady(url, () => exited(child), 10_000);
    } catch (err) {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    if (!ready) {
      release(child);
      lastLog = readLog(logFile);
      if (/EADDRINUSE/.test(lastLog)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`s3rver exited at start (code ${child.exitCode}); its log:\n${lastLog}`);
    }
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        await stopChild(child);
        stoppers.delete(stop);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    };
    stoppers.add(stop);
    return {
      url,
      pid: child.pid,
      dataDir,
      logFile,
      env: {
        AWS_ENDPOINT_URL_S3: url,
        AWS_ACCESS_KEY_ID: S3_TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3_TEST_CREDENTIALS.secretAccessKey,
        AWS_REGION: 'us-east-1',
      },
      stop,
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`s3rver could not find a free port; last log:\n${lastLog}`);
}

/** Stops every s3rver this module started that is still running. */
export async function stopAllS3Servers(): Promise<void> {
  await Promise.all([...stoppers].map((stop) => stop()));
}
