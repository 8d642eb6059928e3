/** `promoter plan` and `promoter promote`: compare the manifests with the mirrors, and make them match. */
import { Command, Option } from 'commander';
import type { PlanFlags, PromoteFlags } from './promotion-run.js';

/** The `plan` command definition. */
export function planCommand(setExit: (code: number) => void): Command {
  return new Command('plan')
    .description(
      'read the manifests and every registry they touch, and print what promotion would do: copies, tags, ' +
        'deletions and refusals, with the bytes and requests each registry will be charged (changes nothing)',
    )
    .argument('[dir]', 'the manifest repository', '.')
    .option(
      '--since <ref>',
      'the last applied git revision: entries removed since then are planned as deletions (policy permitting)',
    )
    .addOption(
      new Option('--format <format>', 'output format (markdown: a pull-request comment)')
        .choices(['text', 'json', 'markdown'])
        .default('text'),
    )
    .option('--detailed-exitcode', 'exit 2 when there are changes to apply (0 none, 1 errors)')
    .addHelpText(
      'after',
      '\nExit status: 0 no errors, 1 errors (invalid manifests, a digest missing from its source, a refused tag move, an unreadable registry), 2 usage or I/O error, or — with --detailed-exitcode — changes to apply.',
    )
    .action(async (dir: string, flags: PlanFlags) => {
      const { runPlan } = await import('./promotion-run.js');
      setExit(await runPlan(dir, flags));
    });
}

/** The `promote` command definition. */
export function promoteCommand(setExit: (code: number) => void): Command {
  return new Command('promote')
    .description(
      'make every mirror hold what the manifests say: digests first, tags last, deletions only as policy allows; ' +
        'a dry run (the plan) unless --confirm',
    )
    .argument('[dir]', 'the manifest repository', '.')
    .option(
      '--since <ref>',
      'the last applied git revision: entries removed since then are deleted (policy permitting)',
    )
    .option('--confirm', 'really change the mirrors')
    .addOption(
      new Option('--format <format>', 'format of the final report').choices(['text', 'json']).default('text'),
    )
    .addHelpText(
      'after',
      '\nProgress goes to stderr: a bar on a terminal, JSON log lines otherwise.\n' +
        'Exit status: 0 every action done, 1 an action failed or an error was found (the other actions still ran), 2 usage or I/O error.',
    )
    .action(async (dir: string, flags: PromoteFlags) => {
      const { runPromote } = await import('./promotion-run.js');
      setExit(await runPromote(dir, flags));
    });
}
