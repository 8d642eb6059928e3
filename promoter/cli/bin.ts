#!/usr/bin/env node
/** Executable entry point: runs the command line and sets the exit code. */
import { errorMessage } from '../errors.js';
import { EXIT_USAGE } from './exit-codes.js';
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`promoter: ${errorMessage(err)}\n`);
    process.exitCode = EXIT_USAGE;
  },
);
