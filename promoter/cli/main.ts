/** The `promoter` command line: thin commands over the library. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { errorMessage } from '../errors.js';
import { packageRoot } from '../package-paths.js';
import { EXIT_OK, EXIT_USAGE, exitCodeFor } from './exit-codes.js';
import { copyCommand } from './copy-command.js';
import { manifestCommand } from './manifest-command.js';
import { planCommand, promoteCommand } from './plan-command.js';
import { serveCommand } from './serve-command.js';
import { validateCommand } from './validate-command.js';

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string })
    .version;
}

/** Builds the program; `setExit` receives each command's exit code. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('promoter')
    .description('GitOps promoter for container images and files')
    .version(version(), '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  for (const cmd of [
    validateCommand(setExit),
    planCommand(setExit),
    promoteCommand(setExit),
    copyCommand(setExit),
    manifestCommand(setExit),
    serveCommand(setExit),
  ]) {
    program.addCommand(cmd.exitOverride().showHelpAfterError('(run with --help for usage)'));
  }
  return program;
}

/** Runs the command line and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      const ok =
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help';
      return ok ? EXIT_OK : EXIT_USAGE;
    }
    process.stderr.write(`promoter: ${errorMessage(err)}\n`);
    if (process.env.PROMOTER_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return exitCodeFor(err);
  }
}
