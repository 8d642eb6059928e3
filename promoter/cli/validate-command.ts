/** `promoter validate [DIR] [--base REF] [--format text|json|github]`: the pull-request presubmit. */
import { Command, Option } from 'commander';
import { FINDING_FORMATS } from '../report/findings-format.js';
import type { ValidateFlags } from './validate-run.js';

/** The `validate` command definition. */
export function validateCommand(setExit: (code: number) => void): Command {
  return new Command('validate')
    .description(
      'check promotion manifests: YAML and schema, digests and tags, sources and destinations, overlapping ' +
        'edges, file names, policy; with --base, also tag moves, removals and changed registries since REF',
    )
    .argument('[dir]', 'the manifest repository (or a directory in it)', '.')
    .option(
      '--base <ref>',
      'git revision to compare against, e.g. origin/main (read from the same repository)',
    )
    .option(
      '--online',
      'also check every newly added digest (all digests without --base) exists in its source registry, ' +
        'and is a multi-platform index when policy.requireMultiArch says so',
    )
    .addOption(new Option('--format <format>', 'output format').choices(FINDING_FORMATS).default('text'))
    .addHelpText(
      'after',
      '\nExit status: 0 no errors (warnings allowed), 1 errors found, 2 usage or I/O error (missing directory, unknown revision).',
    )
    .action(async (dir: string, flags: ValidateFlags) => {
      const { runValidate } = await import('./validate-run.js');
      setExit(await runValidate(dir, flags, process.stdout));
    });
}
