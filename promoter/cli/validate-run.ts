/** Runs `promoter validate`: validation and its report (loaded only when the command runs). */
import { join, relative, sep } from 'node:path';
import { type Finding, hasErrors } from '../domain/finding.js';
import { validateDirectory } from '../manifest/validate.js';
import { paletteFor, wantsColour } from '../report/colour.js';
import { type FindingFormat, formatGithub, formatJson, formatText } from '../report/findings-format.js';
import { EXIT_FAILED, EXIT_OK } from './exit-codes.js';

/** The flags of `validate`. */
export interface ValidateFlags {
  base?: string;
  online?: boolean;
  format: FindingFormat;
}

/** Rewrites tree-relative finding paths to paths relative to `from` (cwd, or the workspace for GitHub). */
function displayPaths(findings: Finding[], dir: string, from: string): Finding[] {
  return findings.map((f) => ({ ...f, file: relative(from, join(dir, f.file)).split(sep).join('/') }));
}

/** Runs validation and prints the report; returns the exit code. */
export async function runValidate(
  dir: string,
  flags: ValidateFlags,
  out: NodeJS.WritableStream & { isTTY?: boolean },
): Promise<number> {
  const started = performance.now();
  const result = await validateDirectory(dir, {
    ...(flags.base === undefined ? {} : { base: flags.base }),
    online: flags.online === true,
  });
  const ctx = {
    filesRead: result.head.filesRead.length,
    elapsedMs: performance.now() - started,
    baseCommit: result.baseCommit,
  };
  const from = flags.format === 'github' ? (process.env.GITHUB_WORKSPACE ?? process.cwd()) : process.cwd();
  const findings = displayPaths(result.findings, dir, from);
  if (flags.format === 'json') out.write(formatJson(findings, ctx));
  else if (flags.format === 'github') out.write(formatGithub(findings));
  else out.write(formatText(findings, ctx, paletteFor(wantsColour(out))));
  return hasErrors(findings) ? EXIT_FAILED : EXIT_OK;
}
