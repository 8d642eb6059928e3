/**
 * Child server processes that never outlive the test process: each is tracked by PID with a watchdog
 * shell that SIGKILLs it (and removes its temp dir) once this process dies in any way, and is stopped by
 * PID (SIGTERM, then SIGKILL) in teardown.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const live = new Map<number, { child: ChildProcess; watchdog: ChildProcess }>();

/** Kills whatever child is still running when the process exits (a test that forgot to stop it). */
function killLive(): void {
  for (const { child } of live.values()) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * A `sh` that SIGKILLs `pid` and removes `dir` once its stdin (a pipe from this process) reaches EOF, i.e.
 * when this process dies in any way. Jest gives each test file a copy of `process` whose 'exit' listeners
 * never run, so the 'exit' hook alone would leave servers behind.
 */
function spawnWatchdog(pid: number, dir: string): ChildProcess {
  const script = 'read _ignored; kill -9 "$0" 2>/dev/null; sleep 0.2; rm -rf "$1"';
  const watchdog = spawn('sh', ['-c', script, String(pid), dir], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => undefined);
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?(): void } | null)?.unref?.();
  return watchdog;
}

/** Tracks a started child: killed (and `dir` removed) if this process dies before `release`. */
export function guard(child: ChildProcess, dir: string): void {
  if (live.size === 0) process.on('exit', killLive);
  live.set(child.pid!, { child, watchdog: spawnWatchdog(child.pid!, dir) });
}

/** Stops tracking a child that has exited. */
export function release(child: ChildProcess): void {
  live.get(child.pid!)?.watchdog.kill('SIGKILL');
  live.delete(child.pid!);
  if (live.size === 0) process.off('exit', killLive);
}

/** True once the child has exited. */
export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Waits up to `ms` for the child to exit; true when it did. */
export function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Stops a child by PID: SIGTERM, then SIGKILL after `graceMs`; then stops tracking it. */
export async function stopChild(child: ChildProcess, graceMs = 2000): Promise<void> {
  child.ref();
  if (!exited(child)) child.kill('SIGTERM');
  if (!(await waitExit(child, graceMs))) {
    child.kill('SIGKILL');
    await waitExit(child, 5000);
  }
  release(child);
}

/** A log file's text, or a placeholder when it cannot be read. */
export function readLog(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8');
  } catch {
    return '(no log)';
  }
}
