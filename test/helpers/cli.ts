/** Runs the built `promoter` binary (the JavaScript file package.json's bin names) as a child process. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A cache directory for CLI runs of this test process, so runs never share state with the user's cache. */
const CACHE_HOME = mkdtempSync(join(tmpdir(), 'promoter-cli-cache-'));

/** The repository root. */
export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** The path package.json's `bin.promoter` names. */
export function binPath(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { promoter: string } };
  return join(ROOT, pkg.bin.promoter);
}

/** What a CLI run printed and how it ended. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Options of a CLI run. */
export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the child after this many ms (the run then fails with a signal). */
  timeoutMs?: number;
  /** V8 heap cap in MB, so unbounded memory use crashes instead of passing. */
  heapMb?: number;
  /** Called with the child's PID once it has started. */
  onSpawn?: (pid: number) => void;
}

/** Runs `promoter args…` and resolves when it exits. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [`--max-old-space-size=${opts.heapMb ?? 512}`, binPath(), ...args],
      {
        cwd: opts.cwd ?? ROOT,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', XDG_CACHE_HOME: CACHE_HOME, ...opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}
