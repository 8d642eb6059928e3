/** Shared pieces of the benchmarks: real registries behind counting proxies, timing, and figures. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  type CountingProxy,
  type ProxyCounts,
  startCountingProxy,
} from '../test/helpers/oci/counting-proxy.js';
import { type RegistryServer, startRegistry } from '../test/helpers/oci/registry-server.js';

const exec = promisify(execFile);

/** A registry and the counting proxy every client reaches it through. */
export interface Endpoint {
  registry: RegistryServer;
  proxy: CountingProxy;
  host: string;
}

/** Starts `n` registries, each behind a counting proxy. */
export async function startEndpoints(n: number): Promise<Endpoint[]> {
  const out: Endpoint[] = [];
  for (let i = 0; i < n; i++) {
    const registry = await startRegistry();
    const proxy = await startCountingProxy(registry.url);
    out.push({ registry, proxy, host: proxy.host });
  }
  return out;
}

/** Stops registries and proxies. */
export async function stopEndpoints(list: Endpoint[]): Promise<void> {
  for (const e of list) {
    await e.proxy.stop();
    await e.registry.stop();
  }
}

/** Sums counters over proxies. */
export function sumCounts(list: Endpoint[]): {
  requests: number;
  blobBytesOut: number;
  uploadBytesIn: number;
  byKind: Record<string, number>;
} {
  const byKind: Record<string, number> = {};
  let requests = 0;
  let blobBytesOut = 0;
  let uploadBytesIn = 0;
  for (const e of list) {
    const c: ProxyCounts = e.proxy.counts();
    requests += c.total;
    blobBytesOut += c.bytesOut.blob ?? 0;
    uploadBytesIn += c.bytesIn.upload ?? 0;
    for (const [k, v] of Object.entries(c.requests)) byKind[k] = (byKind[k] ?? 0) + v;
  }
  return { requests, blobBytesOut, uploadBytesIn, byKind };
}

/** Runs a command, failing with its stderr. */
export async function run(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await exec(cmd, args, { maxBuffer: 64 * 1024 * 1024, env: process.env });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(
      `${cmd} ${args.slice(0, 3).join(' ')}… failed: ${e.stderr ?? e.message}\n${(e.stdout ?? '').slice(0, 3000)}`,
    );
  }
}

/** Milliseconds taken by `fn`. */
export async function timed(fn: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Bytes as MiB with one decimal. */
export function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** The skopeo copy command line used by the benchmarks. */
export function skopeoCopyArgs(src: string, dst: string): string[] {
  return [
    'copy',
    '--all',
    '--preserve-digests',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    '--quiet',
    `docker://${src}`,
    `docker://${dst}`,
  ];
}
