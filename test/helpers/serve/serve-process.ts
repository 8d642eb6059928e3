/** `promoter serve` as a child process on a free port, with its JSON log, stopped (or killed) by PID. */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { binPath } from '../cli.js';
import { freePort } from '../oci/free-port.js';
import { exited, guard, readLog, release, stopChild, waitExit } from '../process-guard.js';

/** A running daemon. */
export interface ServeProcess {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  child: ChildProcess;
  logFile: string;
  /** GET a JSON endpoint. */
  json<T = Record<string, unknown>>(path: string): Promise<T>;
  /** GET a text endpoint. */
  text(path: string): Promise<string>;
  /** SIGTERM, and the exit code once it exits (within `ms`). */
  terminate(ms?: number): Promise<number | null>;
  /** SIGKILL, as a node failure would. */
  kill9(): Promise<void>;
}

/** Starts `promoter serve ARGS --listen 127.0.0.1:<free port>` and waits for /healthz. */
export async function startServe(
  args: string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
): Promise<ServeProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [binPath(), 'serve', ...args, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', fd, fd],
    env,
  });
  closeSync(fd);
  guard(child, `${logFile}.none`);
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited(child)) throw new Error(`promoter serve exited at start:\n${readLog(logFile)}`);
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`promoter serve did not answer /healthz:\n${readLog(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    child,
    logFile,
    json: async <T>(path: string) => (await (await fetch(`${url}${path}`)).json()) as T,
    text: async (path: string) => (await fetch(`${url}${path}`)).text(),
    terminate: async (ms = 30_000) => {
      child.kill('SIGTERM');
      const done = await waitExit(child, ms);
      if (!done) await stopChild(child, 100);
      release(child);
      return done ? child.exitCode : null;
    },
    kill9: async () => {
      child.kill('SIGKILL');
      await waitExit(child, 5000);
      release(child);
    },
  };
}

/** Polls `check` every 100 ms until it returns a value (not undefined) or `ms` pass. */
export async function eventually<T>(
  what: string,
  ms: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
