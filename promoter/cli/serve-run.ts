/** Runs `promoter serve` (loaded only when that command runs). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileHashCache } from '../adapters/objectstore/hash-cache.js';
import { FileBlobLocations } from '../copy/blob-locations.js';
import { errorMessage, InputError, UsageError } from '../errors.js';
import { createLogger } from '../observability/logger.js';
import { parseDuration, parseListen } from '../serve/duration.js';
import { openManifestSource } from '../serve/manifest-source.js';
import { DaemonMetrics } from '../serve/metrics.js';
import { Reconciler } from '../serve/reconciler.js';
import { buildServer } from '../serve/server.js';
import { StateFile } from '../serve/state-file.js';
import { EXIT_FAILED, EXIT_OK } from './exit-codes.js';
import { inCluster, kubernetesLeaseClient, podNamespace } from '../serve/k8s-lease-client.js';
import { LeaderElector } from '../serve/leader-election.js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

/** Flags of `serve`. */
export interface ServeFlags {
  repo: string;
  branch: string;
  listen: string;
  interval: string;
  driftInterval: string;
  state?: string;
  shutdownTimeout: string;
  leaderElect: string;
  leaseName: string;
  leaseNamespace?: string;
}

/** The webhook secret from the environment (value or file), or undefined. */
function webhookSecret(env: NodeJS.ProcessEnv): string | undefined {
  if (env.PROMOTER_WEBHOOK_SECRET) return env.PROMOTER_WEBHOOK_SECRET;
  const file = env.PROMOTER_WEBHOOK_SECRET_FILE;
  if (!file) return undefined;
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if (!secret) throw new Error('it is empty');
    return secret;
  } catch (err) {
    throw new InputError(`PROMOTER_WEBHOOK_SECRET_FILE ${file}: ${errorMessage(err)}`, { cause: err });
  }
}

/** `$XDG_STATE_HOME/promoter/<hash of the repository and branch>`. */
function defaultStateDir(repo: string, branch: string, env: NodeJS.ProcessEnv): string {
  const home = env.XDG_STATE_HOME || join(env.HOME ?? homedir(), '.local', 'state');
  const id = createHash('sha256').update(`${repo}#${branch}`).digest('hex').slice(0, 16);
  return join(home, 'promoter', id);
}

/** Starts the daemon; resolves with the exit code after SIGTERM or SIGINT. */
export async function runServe(flags: ServeFlags): Promise<number> {
  const env = process.env;
  const intervalMs = parseDuration(flags.interval, '--interval');
  const driftIntervalMs = parseDuration(flags.driftInterval, '--drift-interval');
  const shutdownMs = parseDuration(flags.shutdownTimeout, '--shutdown-timeout');
  const listen = parseListen(flags.listen);
  const secret = webhookSecret(env);
  if (!['auto', 'on', 'off'].includes(flags.leaderElect))
    throw new UsageError(`--leader-elect ${flags.leaderElect}: auto, on or off`);
  const elect = flags.leaderElect === 'on' || (flags.leaderElect === 'auto' && inCluster(env));
  const repo = /^[a-z][a-z0-9+.-]*:\/\//i.test(flags.repo) ? flags.repo : resolve(flags.repo);
  const stateDir = resolve(flags.state ?? defaultStateDir(repo, flags.branch, env));
  const source = await openManifestSource(flags.repo, { branch: flags.branch, stateDir });
  const log = createLogger();
  const metrics = new DaemonMetrics();
  const hashes = FileHashCache.load(join(stateDir, 'sha256-cache.json'));
  const locations = FileBlobLocations.load(join(stateDir, 'blob-locations.json'));
  const reconciler = new Reconciler({
    source,
    state: new StateFile(join(stateDir, 'state.json')),
    metrics,
    log,
    intervalMs,
    driftIntervalMs,
    env,
    hashes,
    locations,
    afterPass: async () => {
      await hashes.save().catch(() => undefined);
      await locations.save().catch(() => undefined);
    },
  });
  let lostLease: (() => void) | undefined;
  const elector = elect
    ? new LeaderElector({
        client: await kubernetesLeaseClient(
          { inCluster: true },
          flags.leaseNamespace ?? podNamespace(),
          flags.leaseName,
        ),
        identity: `${env.HOSTNAME || hostname()}-${randomBytes(3).toString('hex')}`,
        log,
        onStartedLeading: () => reconciler.start(),
        onStoppedLeading: () => lostLease?.(),
      })
    : undefined;
  const app = buildServer({
    metrics,
    branch: flags.branch,
    ...(secret ? { webhookSecret: secret } : {}),
    // Only the leader promotes; a webhook that reaches a standby is dropped (the leader's poll catches up).
    trigger: (reason) => {
      if (elector?.isLeader ?? true) reconciler.trigger(reason);
    },
    // A follower is not ready: webhooks and traffic go to the leader.
    ready: () => reconciler.ready && (elector?.isLeader ?? true),
    status: () => ({ ...reconciler.status(), ...(elector ? { leader: elector.isLeader } : {}) }),
  });
  const address = await app.listen({ host: listen.host, port: listen.port });
  log.info(
    {
      address,
      source: source.description,
      stateDir,
      webhook: secret ? 'enabled' : 'disabled',
      leaderElection: elect ? 'on' : 'off',
    },
    'promoter serve started',
  );
  if (elector) elector.start();
  else reconciler.start();

  const signal = await new Promise<NodeJS.Signals | 'lease-lost'>((done) => {
    process.once('SIGTERM', () => done('SIGTERM'));
    process.once('SIGINT', () => done('SIGINT'));
    lostLease = () => done('lease-lost');
  });
  log.info({ signal, deadlineMs: shutdownMs }, 'shutting down: no new passes; waiting for the running one');
  const finished = await reconciler.stop(shutdownMs);
  await elector?.stop();
  await app.close();
  if (!finished) log.warn('the running pass did not finish in time; the next start runs it again');
  log.info('stopped');
  // A leader that lost its lease exits non-zero, so it restarts and campaigns again.
  return signal === 'lease-lost' ? EXIT_FAILED : EXIT_OK;
}
