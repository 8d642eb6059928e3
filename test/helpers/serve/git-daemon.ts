/**
 * A real `git daemon` on 127.0.0.1 serving the bare repositories below one directory (git:// fetches),
 * started on a free port and stopped by PID, and a work tree to commit and push from.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createConnection } from 'node:net';
import { freePort } from '../oci/free-port.js';
import { exited, guard, readLog, stopChild } from '../process-guard.js';
import { git } from '../temp.js';

/** A running git daemon. */
export interface GitDaemon {
  /** `git://127.0.0.1:PORT/NAME` for a repository below the base directory. */
  url(name: string): string;
  pid: number;
  stop(): Promise<void>;
}

async function listening(port: number, isGone: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (isGone()) return false;
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`git daemon on port ${port} not listening within ${timeoutMs} ms`);
}

/** Serves every repository below `base` (fetch only: pushes go to the bare repository's path). */
export async function startGitDaemon(base: string): Promise<GitDaemon> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const logFile = join(base, `..`, `git-daemon-${port}.log`);
    const fd = openSync(logFile, 'w');
    const child = spawn(
      'git',
      [
        'daemon',
        '--reuseaddr',
        '--listen=127.0.0.1',
        `--port=${port}`,
        `--base-path=${base}`,
        '--export-all',
        base,
      ],
      { stdio: ['ignore', fd, fd] },
    );
    closeSync(fd);
    guard(child, join(base, '..', `.none-${port}`));
    child.unref();
    if (!(await listening(port, () => exited(child), 10_000))) {
      await stopChild(child);
      if (/Address already in use/.test(readLog(logFile))) continue;
      throw new Error(`git daemon exited at start: ${readLog(logFile)}`);
    }
    return {
      url: (name) => `git://127.0.0.1:${port}/${name}`,
      pid: child.pid!,
      stop: () => stopChild(child),
    };
  }
  throw new Error('git daemon could not find a free port');
}

/** A bare repository `name.git` below `base` whose HEAD is `main`, and a work tree cloned from it. */
export function bareRepoWithWorkTree(
  base: string,
  work: string,
  name: string,
): { bare: string; work: string } {
  const bare = join(base, `${name}.git`);
  mkdirSync(bare, { recursive: true });
  git(bare, 'init', '--quiet', '--bare');
  git(bare, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  mkdirSync(work, { recursive: true });
  git(work, 'init', '--quiet', '-b', 'main');
  git(work, 'remote', 'add', 'origin', bare);
  return { bare, work };
}

/** Writes `files` into the work tree, commits them, pushes to main; returns the commit id. */
export function commitAndPush(work: string, files: Record<string, string | null>, message: string): string {
  for (const [path, text] of Object.entries(files)) {
    const abs = join(work, path);
    if (text === null) git(work, 'rm', '--quiet', path);
    else {
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, text);
    }
  }
  git(work, 'add', '-A');
  git(work, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--quiet', '-m', message);
  git(work, 'push', '--quiet', 'origin', 'main');
  return git(work, 'rev-parse', 'HEAD').trim();
}
