/** Runs the git command line; failures become GitError with git's own message. */
import { execFile } from 'node:child_process';
import { GitError } from '../../errors.js';

/** Output of a finished git command. */
export interface GitOutput {
  stdout: Buffer;
  stderr: string;
}

/** Runs `git args…` in `cwd`; throws GitError (with stderr) on a non-zero exit. */
export function runGit(cwd: string, args: string[], opts: { maxBuffer?: number } = {}): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, encoding: 'buffer', maxBuffer: opts.maxBuffer ?? 256 * 1024 * 1024, env: gitEnv() },
      (err, stdout, stderr) => {
        const errText = stderr.toString('utf8').trim();
        if (err) {
          const detail = errText || err.message;
          reject(
            new GitError(`git ${args[0]} failed: ${detail}`, {
              cause: err,
              exitCode: err.code,
              stderr: errText,
            }),
          );
          return;
        }
        resolve({ stdout, stderr: errText });
      },
    );
  });
}

/** Environment for git: never prompt for credentials, never page, stable messages. */
export function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' };
}
