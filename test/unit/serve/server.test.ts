/** The daemon's HTTP server: health, readiness, status, metrics and the signed GitHub push webhook. */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import * as cookie from 'cookie';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { DaemonMetrics } from '../../../promoter/serve/metrics.js';
import type { PassReason } from '../../../promoter/serve/reconciler.js';
import { buildServer, type ServerDeps } from '../../../promoter/serve/server.js';

// inject() lazily require()s light-my-request, which require()s the ESM-only `cookie` 2: plain Node 20.19+
// loads it (require(esm)), jest's CommonJS runtime cannot. Hand jest the module already imported as ESM.
jest.mock('cookie', () => cookie);

const SECRET = 'It’s a Secret to Everybody';

interface Harness {
  app: FastifyInstance;
  metrics: DaemonMetrics;
  reasons: PassReason[];
  setReady(value: boolean): void;
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

function harness(extra: Partial<ServerDeps> = {}, status: Record<string, unknown> = {}): Harness {
  const metrics = new DaemonMetrics({ processMetrics: false });
  const reasons: PassReason[] = [];
  let ready = false;
  const app = buildServer({
    metrics,
    branch: 'main',
    trigger: (reason) => reasons.push(reason),
    ready: () => ready,
    status: () => status,
    ...extra,
  });
  apps.push(app);
  return { app, metrics, reasons, setReady: (v) => (ready = v) };
}

const sign = (body: string | Buffer, secret = SECRET): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

const pushBody = (ref: string): string =>
  JSON.stringify({ ref, before: '0'.repeat(40), after: 'a'.repeat(40), repository: { full_name: 'o/r' } });

function post(
  app: FastifyInstance,
  body: string | Buffer,
  headers: Record<string, string | undefined>,
): Promise<LightMyRequestResponse> {
  const defined = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  return app.inject({
    method: 'POST',
    url: '/webhook',
    payload: body,
    headers: { 'content-type': 'application/json', ...defined },
  });
}

describe('buildServer: health, readiness, status, metrics', () => {
  it('answers /healthz with 200', async () => {
    const { app } = harness();
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
  });

  it('answers /readyz with 503 until ready, then 200', async () => {
    const h = harness();
    const before = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(before.statusCode).toBe(503);
    expect(before.json()).toEqual({ ready: false });
    h.setReady(true);
    const after = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toEqual({ ready: true });
  });

  it('serves exactly what status() returns on /status', async () => {
    const status = {
      revision: 'b'.repeat(40),
      lastPass: { reason: 'poll', outcome: 'ok', actions: 3 },
      queued: ['webhook'],
      ready: true,
    };
    const { app } = harness({}, status);
    const res = await app.inject({ method: 'GET', url: '/status' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual(status);
  });

  it('serves the registry on /metrics in the Prometheus text format', async () => {
    const h = harness();
    h.metrics.reconciles.inc({ outcome: 'ok', reason: 'webhook' });
    h.metrics.reconciles.inc({ outcome: 'ok', reason: 'webhook' });
    h.metrics.ready.set(1);
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(h.metrics.registry.contentType);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('# TYPE promoter_reconcile_total counter');
    expect(res.body).toContain('promoter_reconcile_total{outcome="ok",reason="webhook"} 2');
    expect(res.body).toContain('# TYPE promoter_ready gauge');
    expect(res.body).toMatch(/^promoter_ready 1$/m);
    // processMetrics: false — no default process metrics in this registry.
    expect(res.body).not.toContain('promoter_process_cpu');
  });
});

describe('buildServer: webhook without a secret', () => {
  it('has no /webhook route (404) and never triggers', async () => {
    const h = harness();
    const body = pushBody('refs/heads/main');
    const res = await post(h.app, body, { 'x-github-event': 'push', 'x-hub-signature-256': sign(body) });
    expect(res.statusCode).toBe(404);
    expect(h.reasons).toEqual([]);
  });
});

describe('buildServer: webhook with a secret', () => {
  it('queues a pass for a correctly signed push to the branch', async () => {
    const h = harness({ webhookSecret: SECRET });
    const body = pushBody('refs/heads/main');
    const res = await post(h.app, body, { 'x-github-event': 'push', 'x-hub-signature-256': sign(body) });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ queued: true });
    expect(h.reasons).toEqual(['webhook']);
  });

  it('accepts a Buffer body with non-ASCII UTF-8 signed over its bytes', async () => {
    const h = harness({ webhookSecret: SECRET });
    const body = Buffer.from(
      JSON.stringify({ ref: 'refs/heads/main', head_commit: { message: 'ünïcødé ✓ 🚀' } }),
      'utf8',
    );
    const res = await post(h.app, body, { 'x-github-event': 'push', 'x-hub-signature-256': sign(body) });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ queued: true });
    expect(h.reasons).toEqual(['webhook']);
  });

  it('honours the configured branch', async () => {
    const h = harness({ webhookSecret: SECRET, branch: 'release' });
    const main = pushBody('refs/heads/main');
    const release = pushBody('refs/heads/release');
    const r1 = await post(h.app, main, { 'x-github-event': 'push', 'x-hub-signature-256': sign(main) });
    expect(r1.statusCode).toBe(202);
    expect(r1.json()).toEqual({ ignored: 'ref refs/heads/main' });
    expect(h.reasons).toEqual([]);
    const r2 = await post(h.app, release, { 'x-github-event': 'push', 'x-hub-signature-256': sign(release) });
    expect(r2.json()).toEqual({ queued: true });
    expect(h.reasons).toEqual(['webhook']);
  });

  const body = pushBody('refs/heads/main');
  const hex = createHmac('sha256', SECRET).update(body).digest('hex');
  it.each<[string, string, string | undefined]>([
    ['signed with the wrong secret', body, sign(body, 'not the secret')],
    ['signed over a different body', body, sign(pushBody('refs/heads/mainline'))],
    ['altered after signing', body.replace('"o/r"', '"o/x"'), sign(body)],
    ['altered by one trailing byte', `${body}\n`, sign(body)],
    ['without a signature header', body, undefined],
    ['with an empty signature header', body, ''],
    ['with the bare hex digest (no sha256= prefix)', body, hex],
    ['with a sha1= prefix', body, `sha1=${hex}`],
    ['with a truncated digest', body, `sha256=${hex.slice(0, 32)}`],
    ['with a non-hex digest', body, `sha256=${'z'.repeat(64)}`],
  ])('rejects a push %s with 401', async (_name, sent, signature) => {
    const h = harness({ webhookSecret: SECRET });
    const res = await post(h.app, sent, { 'x-github-event': 'push', 'x-hub-signature-256': signature });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'bad or missing signature' });
    expect(h.reasons).toEqual([]);
  });

  it('rejects a body over the limit with 413', async () => {
    const h = harness({ webhookSecret: SECRET, webhookBodyLimit: 1024 });
    const big = JSON.stringify({ ref: 'refs/heads/main', pad: 'x'.repeat(2048) });
    expect(Buffer.byteLength(big)).toBeGreaterThan(2048);
    const res = await post(h.app, big, { 'x-github-event': 'push', 'x-hub-signature-256': sign(big) });
    expect(res.statusCode).toBe(413);
    expect(h.reasons).toEqual([]);
  });

  it('accepts a body just under the limit', async () => {
    const h = harness({ webhookSecret: SECRET, webhookBodyLimit: 1024 });
    const prefix = JSON.stringify({ ref: 'refs/heads/main', pad: '' });
    const fit = JSON.stringify({ ref: 'refs/heads/main', pad: 'x'.repeat(1024 - prefix.length) });
    expect(Buffer.byteLength(fit)).toBe(1024);
    const res = await post(h.app, fit, { 'x-github-event': 'push', 'x-hub-signature-256': sign(fit) });
    expect(res.statusCode).toBe(202);
    expect(h.reasons).toEqual(['webhook']);
  });

  it('ignores a push to another branch (202)', async () => {
    const h = harness({ webhookSecret: SECRET });
    const dev = pushBody('refs/heads/dev');
    const res = await post(h.app, dev, { 'x-github-event': 'push', 'x-hub-signature-256': sign(dev) });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ ignored: 'ref refs/heads/dev' });
    expect(h.reasons).toEqual([]);
  });

  it.each([
    ['a tag named like the branch', 'refs/tags/main'],
    ['a branch with the branch as prefix', 'refs/heads/main-next'],
    ['a bare branch name', 'main'],
  ])('ignores a push to %s', async (_name, ref) => {
    const h = harness({ webhookSecret: SECRET });
    const b = pushBody(ref);
    const res = await post(h.app, b, { 'x-github-event': 'push', 'x-hub-signature-256': sign(b) });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ ignored: `ref ${ref}` });
    expect(h.reasons).toEqual([]);
  });

  it('answers a signed ping with 200', async () => {
    const h = harness({ webhookSecret: SECRET });
    const ping = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    const res = await post(h.app, ping, { 'x-github-event': 'ping', 'x-hub-signature-256': sign(ping) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    expect(h.reasons).toEqual([]);
  });

  it('still checks the signature of a ping', async () => {
    const h = harness({ webhookSecret: SECRET });
    const ping = JSON.stringify({ zen: 'Keep it logically awesome.' });
    const res = await post(h.app, ping, { 'x-github-event': 'ping', 'x-hub-signature-256': sign(ping, 'x') });
    expect(res.statusCode).toBe(401);
  });

  it('ignores other signed events (202), even with a push-to-main body', async () => {
    const h = harness({ webhookSecret: SECRET });
    const b = pushBody('refs/heads/main');
    const res = await post(h.app, b, { 'x-github-event': 'issues', 'x-hub-signature-256': sign(b) });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ ignored: 'event issues' });
    expect(h.reasons).toEqual([]);
  });

  it('ignores a signed request without an event header (202)', async () => {
    const h = harness({ webhookSecret: SECRET });
    const b = pushBody('refs/heads/main');
    const res = await post(h.app, b, { 'x-hub-signature-256': sign(b) });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ ignored: 'event undefined' });
    expect(h.reasons).toEqual([]);
  });

  it('rejects a correctly signed push whose body is not JSON with 400', async () => {
    const h = harness({ webhookSecret: SECRET });
    const b = 'ref=refs/heads/main{';
    const res = await post(h.app, b, { 'x-github-event': 'push', 'x-hub-signature-256': sign(b) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'the body is not JSON' });
    expect(h.reasons).toEqual([]);
  });

  it.each(['{}', '[]', '"refs/heads/main"', '{"ref":null}', '{"ref":["refs/heads/main"]}'])(
    'ignores a signed push whose JSON %s has no usable ref (202)',
    async (b) => {
      const h = harness({ webhookSecret: SECRET });
      const res = await post(h.app, b, { 'x-github-event': 'push', 'x-hub-signature-256': sign(b) });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toMatchObject({ ignored: expect.stringMatching(/^ref /) });
      expect(h.reasons).toEqual([]);
    },
  );

  it('ignores a signed push whose body is JSON null', async () => {
    const h = harness({ webhookSecret: SECRET });
    const res = await post(h.app, 'null', { 'x-github-event': 'push', 'x-hub-signature-256': sign('null') });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ ignored: 'ref undefined' });
    expect(h.reasons).toEqual([]);
  });

  // Observed: the scope's catch-all '*' parser keeps every content type as raw bytes, so a form-encoded
  // delivery is verified on exactly the bytes sent; the route then parses those bytes as JSON. A signed
  // form-encoded body that is really JSON is queued; a real form payload (`payload=…`) is a 400.
  describe('with content-type application/x-www-form-urlencoded', () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };

    it('verifies the raw bytes and queues a JSON push to main', async () => {
      const h = harness({ webhookSecret: SECRET });
      const b = pushBody('refs/heads/main');
      const res = await post(h.app, b, { ...form, 'x-github-event': 'push', 'x-hub-signature-256': sign(b) });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ queued: true });
      expect(h.reasons).toEqual(['webhook']);
    });

    it('rejects it when the raw bytes do not match the signature', async () => {
      const h = harness({ webhookSecret: SECRET });
      const b = pushBody('refs/heads/main');
      const res = await post(h.app, `${b}&x=1`, {
        ...form,
        'x-github-event': 'push',
        'x-hub-signature-256': sign(b),
      });
      expect(res.statusCode).toBe(401);
      expect(h.reasons).toEqual([]);
    });

    it('answers a signed GitHub-style form payload with 400 and never triggers', async () => {
      const h = harness({ webhookSecret: SECRET });
      const b = `payload=${encodeURIComponent(pushBody('refs/heads/main'))}`;
      const res = await post(h.app, b, { ...form, 'x-github-event': 'push', 'x-hub-signature-256': sign(b) });
      expect(res.statusCode).toBe(400);
      expect(h.reasons).toEqual([]);
    });

    it('ignores a signed JSON push to another branch', async () => {
      const h = harness({ webhookSecret: SECRET });
      const b = pushBody('refs/heads/dev');
      const res = await post(h.app, b, { ...form, 'x-github-event': 'push', 'x-hub-signature-256': sign(b) });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ ignored: 'ref refs/heads/dev' });
      expect(h.reasons).toEqual([]);
    });
  });

  it('verifies the raw bytes under other content types too (text/plain, none)', async () => {
    const h = harness({ webhookSecret: SECRET });
    const b = pushBody('refs/heads/main');
    const plain = await post(h.app, b, {
      'content-type': 'text/plain',
      'x-github-event': 'push',
      'x-hub-signature-256': sign(b),
    });
    expect(plain.statusCode).toBe(202);
    const bad = await post(h.app, b, {
      'content-type': 'text/plain',
      'x-github-event': 'push',
      'x-hub-signature-256': sign(`${b} `),
    });
    expect(bad.statusCode).toBe(401);
    expect(h.reasons).toEqual(['webhook']);
  });

  it('still serves the other routes when the webhook is on', async () => {
    const h = harness({ webhookSecret: SECRET });
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/webhook' })).statusCode).toBe(404);
  });
});
