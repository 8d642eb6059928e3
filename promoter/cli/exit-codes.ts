/** Exit codes every command shares. */
import { findError, GitError, InputError, PromoterError, UsageError } from '../errors.js';

/** Success: no errors found or the work was done. */
export const EXIT_OK = 0;
/** The input has errors (validate), or some actions failed (promote). */
export const EXIT_FAILED = 1;
/** Usage or I/O error: bad flags, a missing directory, an unknown git revision. */
export const EXIT_USAGE = 2;

/** The exit code for an error that escaped a command. */
export function exitCodeFor(err: unknown): number {
  if (findError(err, UsageError) || findError(err, InputError) || findError(err, GitError)) return EXIT_USAGE;
  if (findError(err, PromoterError)) return EXIT_FAILED;
  return EXIT_USAGE;
}
