/** Real CNCF distribution registries (`docker-registry serve`) on 127.0.0.1, one temp dir each. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { stringify } from 'yaml';
import { exited, guard, readLog, release, stopChild, waitExit } from '../process-guard.js';
import { freePort } from './free-port.js';

/** The `auth.token` block of a registry config (see token-issuer.ts for an issuer that fills it). */
export interface TokenAuthBlock {
  realm: string;
  service: string;
  issuer: string;
  rootcertbundle: string;
}

/** How to start a registry; without auth options it is anonymous read-write. */
export interface RegistryOptions {
  /** Require HTTP Basic auth for this one user (an htpasswd file made with `htpasswd -Bbn`). */
  htpasswd?: { user: string; password: string };
  /** Require bearer tokens from a token issuer. */
  token?: TokenAuthBlock;
  /** How long to wait for `GET /v2/` to answer (ms); 10 s unless given. */
  readyTimeoutMs?: number;
}

/** A running registry. */
export interface RegistryServer {
  /** `127.0.0.1:PORT`, as an image reference's registry part. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The filesystem storage root (blobs and repositories below `docker/registry/v2/`). */
  storageDir: string;
  pid: number;
  /** The registry's own log (stdout and stderr). */
  logFile: string;
  /** Kills the registry (SIGTERM, then SIGKILL), waits for it to exit and removes its temp dir; idempotent. */
  stop(): Promise<void>;
}

const stoppers = new Set<() => Promise<void>>();

/** Every response of one registry carries this header, so readiness checks never mistake another server. */
const ID_HEADER = 'X-Promoter-Test-Registry';

function configYaml(port: number, storageDir: string, opts: RegistryOptions, dir: string): string {
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: 'warn', formatter: 'text', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: storageDir }, delete: { enabled: true } },
    http: {
      addr: `127.0.0.1:${port}`,
      secret: 'promoter-test-secret',
      headers: { [ID_HEADER]: [basename(dir)] },
    },
  };
  if (opts.htpasswd) {
    const path = join(dir, 'htpasswd');
    const line = execFileSync('htpasswd', ['-Bbn', opts.htpasswd.user, opts.htpasswd.password], {
      encoding: 'utf8',
    });
    writeFileSync(path, `${line.trim()}\n`);
    config.auth = { htpasswd: { realm: 'promoter-test', path } };
  } else if (opts.token) {
    config.auth = { token: { ...opts.token } };
  }
  return stringify(config);
}

async function waitReady(
  url: string,
  id: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<'ready' | 'exited'> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited(child)) return 'exited';
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      const mine = res.headers.get(ID_HEADER) === id;
      if (mine && (res.status === 200 || res.status === 401)) return 'ready';
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timeout');
}

/** Starts a registry on a free port of 127.0.0.1 and resolves once `GET /v2/` answers 200 or 401. */
export async function startRegistry(opts: RegistryOptions = {}): Promise<RegistryServer> {
  const dir = mkdtempSync(join(tmpdir(), 'promoter-registry-'));
  const storageDir = join(dir, 'storage');
  const logFile = join(dir, 'registry.log');
  mkdirSync(storageDir);
  let lastLog = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const configFile = join(dir, 'config.yml');
    writeFileSync(configFile, configYaml(port, storageDir, opts, dir));
    const fd = openSync(logFile, 'w');
    const child = spawn('docker-registry', ['serve', configFile], {
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    if (child.pid === undefined) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`cannot start docker-registry: ${String(await spawnError)}`);
    }
    guard(child, dir);
    child.unref();
    const url = `http://127.0.0.1:${port}`;
    let state: 'ready' | 'exited';
    try {
      state = await waitReady(url, basename(dir), child, opts.readyTimeoutMs ?? 10_000);
    } catch {
      child.kill('SIGKILL');
      await waitExit(child, 2000);
      release(child);
      const log = readLog(logFile);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`docker-registry on ${url} not ready in time; its log:\n${log}`);
    }
    if (state === 'exited') {
      release(child);
      lastLog = readLog(logFile);
      if (/address already in use/i.test(lastLog)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`docker-registry exited at start (code ${child.exitCode}); its log:\n${lastLog}`);
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
    return { host: `127.0.0.1:${port}`, url, storageDir, pid: child.pid, logFile, stop };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`docker-registry could not find a free port; last log:\n${lastLog}`);
}

/** Stops every registry this module started that is still running. */
export async function stopAllRegistries(): Promise<void> {
  await Promise.all([...stoppers].map((stop) => stop()));
}
