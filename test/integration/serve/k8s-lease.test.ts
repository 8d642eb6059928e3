/**
 * The Kubernetes lease store through the real @kubernetes/client-node, against a small fake of the
 * coordination.k8s.io/v1 Lease API (GET, POST, PUT with resourceVersion conflicts and bearer-token auth).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { kubernetesLeaseClient } from '../../../promoter/serve/k8s-lease-client.js';
import { LeaderElector, LeaseConflictError } from '../../../promoter/serve/leader-election.js';
import { silentLogger } from '../../../promoter/observability/logger.js';
import { serverUrl } from '../../helpers/oci/free-port.js';

const TOKEN = 'test-token';
let server: Server;
let url: string;
let stored: { resourceVersion: number; spec: Record<string, unknown> } | undefined;
const bodies: Record<string, unknown>[] = [];

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString('utf8')));
    req.on('end', () => resolve(s));
  });

function lease() {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'promoter', namespace: 'ns', resourceVersion: String(stored!.resourceVersion) },
    spec: stored!.spec,
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const status = (code: number, reason: string) =>
        send(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code });
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return status(401, 'Unauthorized');
      const base = '/apis/coordination.k8s.io/v1/namespaces/ns/leases';
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === `${base}/promoter`)
        return stored ? send(200, lease()) : status(404, 'NotFound');
      if (req.method === 'POST' && path === base) {
        const body = JSON.parse(await read(req)) as { spec: Record<string, unknown> };
        bodies.push(body);
        if (stored) return status(409, 'AlreadyExists');
        stored = { resourceVersion: 1, spec: body.spec };
        return send(201, lease());
      }
      if (req.method === 'PUT' && path === `${base}/promoter`) {
        const body = JSON.parse(await read(req)) as {
          metadata: { resourceVersion?: string };
          spec: Record<string, unknown>;
        };
        bodies.push(body);
        if (!stored) return status(404, 'NotFound');
        if (body.metadata.resourceVersion !== String(stored.resourceVersion)) return status(409, 'Conflict');
        stored = { resourceVersion: stored.resourceVersion + 1, spec: body.spec };
        return send(200, lease());
      }
      return status(404, 'NotFound');
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = serverUrl(server);
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('kubernetesLeaseClient', () => {
  it('creates, reads and replaces the Lease, and reports a stale write as a conflict', async () => {
    const client = await kubernetesLeaseClient({ server: url, token: TOKEN }, 'ns', 'promoter');
    expect(client.description).toBe('lease ns/promoter');
    expect(await client.get()).toBeUndefined();
    const t = new Date('2026-11-23T10:00:00.123Z');
    await client.create({
      holder: 'pod-a',
      acquireTime: t,
      renewTime: t,
      durationSeconds: 15,
      transitions: 0,
    });
    expect(bodies.at(-1)).toMatchObject({
      kind: 'Lease',
      metadata: { name: 'promoter', namespace: 'ns' },
      spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15, leaseTransitions: 0 },
    });
    expect(String((bodies.at(-1) as { spec: { renewTime: string } }).spec.renewTime)).toMatch(
      /^2026-11-23T10:00:00\.123/,
    );
    const got = await client.get();
    expect(got).toMatchObject({ holder: 'pod-a', durationSeconds: 15, transitions: 0, version: '1' });
    expect(got!.renewTime!.getTime()).toBe(t.getTime());
    await client.replace({ ...got!, renewTime: new Date(t.getTime() + 5000) });
    expect((await client.get())!.version).toBe('2');
    await expect(client.replace({ ...got! })).rejects.toBeInstanceOf(LeaseConflictError);
    await expect(
      client.create({ holder: 'pod-b', durationSeconds: 15, transitions: 0 }),
    ).rejects.toBeInstanceOf(LeaseConflictError);
  });

  it('refuses to work with a bad token', async () => {
    const client = await kubernetesLeaseClient({ server: url, token: 'wrong' }, 'ns', 'promoter');
    await expect(client.get()).rejects.toThrow();
  });

  it('runs an election over it: a second candidate waits, then takes over a released lease', async () => {
    stored = undefined;
    const client = await kubernetesLeaseClient({ server: url, token: TOKEN }, 'ns', 'promoter');
    const mk = (identity: string) =>
      new LeaderElector({
        client,
        identity,
        log: silentLogger(),
        onStartedLeading: () => undefined,
        onStoppedLeading: () => undefined,
      });
    const a = mk('pod-a');
    const b = mk('pod-b');
    await a.tick();
    await b.tick();
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    await a.stop();
    expect(stored!.spec.holderIdentity).toBeUndefined();
    await b.tick();
    expect(b.isLeader).toBe(true);
    expect(stored!.spec).toMatchObject({ holderIdentity: 'pod-b', leaseTransitions: 1 });
    await b.stop();
  });
});
