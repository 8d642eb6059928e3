/** `promoter serve`: the reconciler daemon. */
import { Command } from 'commander';
import type { ServeFlags } from './serve-run.js';

/** The `serve` command. */
export function serveCommand(setExit: (code: number) => void): Command {
  return new Command('serve')
    .description(
      'run the reconciler: watch the manifest repository (poll and webhook), promote each new revision to ' +
        'every mirror, repair drift periodically, and serve /healthz, /readyz, /metrics, /status and /webhook',
    )
    .requiredOption(
      '--repo <url|path>',
      'the manifest repository: a git URL, a local git repository, or a plain directory',
    )
    .option('--branch <name>', 'the branch to promote (git repositories)', 'main')
    .option('--listen <host:port>', 'where the HTTP server listens', '127.0.0.1:8080')
    .option('--interval <duration>', 'how often to fetch the repository (jittered ±10%)', '3m')
    .option('--drift-interval <duration>', 'how often to run a full pass that re-checks every mirror', '1h')
    .option(
      '--state <dir>',
      'where the clone, the state file and caches live (default: $XDG_STATE_HOME/promoter/<repo hash>)',
    )
    .option('--shutdown-timeout <duration>', 'on SIGTERM, how long a running pass may take to finish', '60s')
    .option(
      '--leader-elect <auto|on|off>',
      'hold a Kubernetes Lease so that only one replica promotes (auto: on when running in a pod)',
      'auto',
    )
    .option('--lease-name <name>', 'the Lease to hold', 'promoter')
    .option('--lease-namespace <ns>', 'its namespace (default: the pod’s)')
    .addHelpText(
      'after',
      '\nThe webhook secret comes from PROMOTER_WEBHOOK_SECRET, or the file PROMOTER_WEBHOOK_SECRET_FILE names;\n' +
        'without one, POST /webhook does not exist (404). GitHub push events for --branch trigger a pass.\n' +
        'Logs are JSON lines on stderr. Exit status: 0 after a clean shutdown, 2 usage or I/O error.',
    )
    .action(async (flags: ServeFlags) => {
      const { runServe } = await import('./serve-run.js');
      setExit(await runServe(flags));
    });
}
