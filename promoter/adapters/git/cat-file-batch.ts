/** Reads many git objects through one long-lived `git cat-file --batch` process. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { GitError } from '../../errors.js';
import { gitEnv } from './git.js';

interface Pending {
  oid: string;
  resolve(data: Buffer): void;
  reject(err: Error): void;
}

/** One `git cat-file --batch` process answering object reads in order. */
export class CatFileBatch {
  private proc: ChildProcessWithoutNullStreams | undefined;
  private readonly queue: Pending[] = [];
  private buffered: Buffer = Buffer.alloc(0);
  private failure: Error | undefined;

  constructor(private readonly cwd: string) {}

  /** The content of object `oid` (a blob, usually). */
  read(oid: string): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const proc = this.start();
    return new Promise((resolve, reject) => {
      this.queue.push({ oid, resolve, reject });
      proc.stdin.write(`${oid}\n`);
    });
  }

  /** Stops the process; pending reads fail. */
  close(): void {
    if (this.proc) {
      this.proc.stdin.end();
      this.proc = undefined;
    }
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.proc) return this.proc;
    const proc = spawn('git', ['cat-file', '--batch'], { cwd: this.cwd, env: gitEnv() });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    proc.stdout.on('data', (d: Buffer) => this.onData(d));
    proc.on('error', (err) => this.fail(new GitError(`git cat-file: ${err.message}`, { cause: err })));
    proc.on('close', (code) => {
      if (this.queue.length > 0)
        this.fail(new GitError(`git cat-file exited with ${code}: ${stderr.trim()}`));
      this.proc = undefined;
    });
    this.proc = proc;
    return proc;
  }

  private fail(err: Error): void {
    this.failure = err;
    for (const p of this.queue.splice(0)) p.reject(err);
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const head = this.queue[0];
      if (!head) return;
      const nl = this.buffered.indexOf(10);
      if (nl < 0) return;
      const header = this.buffered.subarray(0, nl).toString('utf8');
      if (header.endsWith(' missing')) {
        this.queue.shift();
        this.buffered = this.buffered.subarray(nl + 1);
        head.reject(new GitError(`git object ${head.oid} is missing`));
        continue;
      }
      const size = Number(header.split(' ')[2]);
      if (!Number.isFinite(size)) {
        this.fail(new GitError(`unexpected git cat-file output: ${header}`));
        return;
      }
      const end = nl + 1 + size + 1;
      if (this.buffered.length < end) return;
      this.queue.shift();
      head.resolve(Buffer.from(this.buffered.subarray(nl + 1, nl + 1 + size)));
      this.buffered = this.buffered.subarray(end);
    }
  }
}
