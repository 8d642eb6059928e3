/**
 * The daemon's HTTP server (fastify): the GitHub push webhook, health and readiness, Prometheus metrics and
 * a JSON status. `buildServer` takes its dependencies, so tests drive it with `inject()`.
 *
 * The webhook verifies the HMAC signature over the raw body (`X-Hub-Signature-256`, with
 * @octokit/webhooks) before anything parses it; without a configured secret the route does not exist.
 */
import { Webhooks } from '@octokit/webhooks';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DaemonMetrics } from './metrics.js';
import type { PassReason } from './reconciler.js';

/** What the server serves from. */
export interface ServerDeps {
  metrics: DaemonMetrics;
  /** The branch whose pushes trigger a pass. */
  branch: string;
  /** The webhook secret; absent: no webhook route (404). */
  webhookSecret?: string;
  /** Largest webhook body accepted (default 1 MiB; GitHub caps payloads at 25 MB, pushes are small). */
  webhookBodyLimit?: number;
  trigger(reason: PassReason): void;
  ready(): boolean;
  status(): Record<string, unknown>;
}

/** Builds the server (not listening). */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({ logger: false, return503OnClosing: true });

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    if (deps.ready()) return { ready: true };
    return reply.code(503).send({ ready: false });
  });
  app.get('/metrics', async (_req, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
  app.get('/status', async () => deps.status());

  if (deps.webhookSecret) {
    const webhooks = new Webhooks({ secret: deps.webhookSecret });
    const wanted = `refs/heads/${deps.branch}`;
    app.register(async (scope) => {
      // The raw bytes: the signature is over them, and nothing is parsed before it checks out.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      scope.post('/webhook', { bodyLimit: deps.webhookBodyLimit ?? 1024 * 1024 }, async (req, reply) => {
        const signature = req.headers['x-hub-signature-256'];
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const valid =
          typeof signature === 'string' &&
          signature.startsWith('sha256=') &&
          (await webhooks.verify(raw.toString('utf8'), signature).catch(() => false));
        if (!valid) return reply.code(401).send({ error: 'bad or missing signature' });
        const event = req.headers['x-github-event'];
        if (event === 'ping') return reply.code(200).send({ ok: true });
        if (event !== 'push') return reply.code(202).send({ ignored: `event ${String(event)}` });
        let ref: unknown;
        try {
          ref = (JSON.parse(raw.toString('utf8')) as { ref?: unknown } | null)?.ref;
        } catch {
          return reply.code(400).send({ error: 'the body is not JSON' });
        }
        if (ref !== wanted) return reply.code(202).send({ ignored: `ref ${String(ref)}` });
        deps.trigger('webhook');
        return reply.code(202).send({ queued: true });
      });
    });
  }
  return app;
}
