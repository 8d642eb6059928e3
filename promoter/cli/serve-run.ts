/** Runs `promoter serve` (loaded only when that command runs). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileHashCache } from '../adapters/objectstore/hash-cache.js';
import { FileBlobLocations } from '../copy/blob-locations.js';
import { errorMessage, InputError } from '../errors.js';
import { createLogger } from '../observability/logger.js';
import { parseDuration, parseListen } from '../serve/duration.js';
import { openManifestSource } from '../serve/manifest-source.js';
import { DaemonMetrics } from '../serve/metrics.js';
import { Reconciler } from '../serve/reconciler.js';
import { buildServer } from '../serve/server.js';
import { StateFile } from '../serve/state-file.js';
import { EXIT_OK } from './exit-codes.js';

/** Flags of `serve`. */
export interface ServeFlags {
  repo: string;
  branch: string;
  listen: string;
  interval: string;
  driftInterval: string;
  state?: string;
  shutdownTimeout: string;
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
  const app = buildServer({
    metrics,
    branch: flags.branch,
    ...(secret ? { webhookSecret: secret } : {}),
    trigger: (reason) => reconciler.trigger(reason),
    ready: () => reconciler.ready,
    status: () => reconciler.status(),
  });
  const address = await app.listen({ host: listen.host, port: listen.port });
  log.info(
    { address, source: source.description, stateDir, webhook: secret ? 'enabled' : 'disabled' },
    'promoter serve started',
  );
  reconciler.start();

  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once('SIGTERM', () => done('SIGTERM'));
    process.once('SIGINT', () => done('SIGINT'));
  });
  log.info({ signal, deadlineMs: shutdownMs }, 'shutting down: no new passes; waiting for the running one');
  const finished = await reconciler.stop(shutdownMs);
  await app.close();
  if (!finished) log.warn('the running pass did not finish in time; the next start runs it again');
  log.info('stopped');
  return EXIT_OK;
}
