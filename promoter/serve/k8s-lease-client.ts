/**
 * The lease store on Kubernetes: one `coordination.k8s.io/v1` Lease, through @kubernetes/client-node
 * (loaded only when leader election runs). Writes carry the resourceVersion read, so the API server refuses
 * a write that lost a race (409), which the elector treats as "someone else holds it".
 */
import { readFileSync } from 'node:fs';
import type * as K8sModule from '@kubernetes/client-node';
import { InputError } from '../errors.js';
import { LeaseConflictError, type LeaseClient, type LeaseRecord } from './leader-election.js';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** True when running in a pod with a service account (the API server's address and a token). */
export function inCluster(env: NodeJS.ProcessEnv = process.env): boolean {
  try {
    return Boolean(env.KUBERNETES_SERVICE_HOST) && readFileSync(`${SA_DIR}/namespace`, 'utf8').trim() !== '';
  } catch {
    return false;
  }
}

/** The pod's namespace (from the service account). */
export function podNamespace(): string {
  try {
    return readFileSync(`${SA_DIR}/namespace`, 'utf8').trim();
  } catch (err) {
    throw new InputError('leader election: no service account namespace; pass --lease-namespace', {
      cause: err,
    });
  }
}

interface ApiError {
  code?: number;
}

/** Where the API server is: in-cluster, or (tests) a URL with a bearer token. */
export type KubeTarget = { inCluster: true } | { server: string; token: string };

/** A Lease named `name` in `namespace`. */
export async function kubernetesLeaseClient(
  target: KubeTarget,
  namespace: string,
  name: string,
): Promise<LeaseClient> {
  const k8s: typeof K8sModule = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  if ('inCluster' in target) kc.loadFromCluster();
  else
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: target.server, skipTLSVerify: true }],
      users: [{ name: 'u', token: target.token }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
  const api = kc.makeApiClient(k8s.CoordinationV1Api);
  const micro = (d: Date | undefined) => (d ? new k8s.V1MicroTime(d.getTime()) : undefined);
  const body = (r: LeaseRecord) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(r.version ? { resourceVersion: r.version } : {}) },
    spec: {
      ...(r.holder ? { holderIdentity: r.holder } : {}),
      ...(r.acquireTime ? { acquireTime: micro(r.acquireTime) } : {}),
      ...(r.renewTime ? { renewTime: micro(r.renewTime) } : {}),
      leaseDurationSeconds: r.durationSeconds,
      leaseTransitions: r.transitions,
    },
  });
  const conflict = (err: unknown): never => {
    const code = (err as ApiError).code;
    if (code === 409 || code === 422) throw new LeaseConflictError(`lease ${namespace}/${name} changed`);
    throw err;
  };
  return {
    description: `lease ${namespace}/${name}`,
    async get() {
      try {
        const lease = await api.readNamespacedLease({ name, namespace });
        const s = lease.spec ?? {};
        return {
          ...(s.holderIdentity ? { holder: s.holderIdentity } : {}),
          ...(s.acquireTime ? { acquireTime: new Date(s.acquireTime) } : {}),
          ...(s.renewTime ? { renewTime: new Date(s.renewTime) } : {}),
          durationSeconds: s.leaseDurationSeconds ?? 15,
          transitions: s.leaseTransitions ?? 0,
          ...(lease.metadata?.resourceVersion ? { version: lease.metadata.resourceVersion } : {}),
        };
      } catch (err) {
        if ((err as ApiError).code === 404) return undefined;
        throw err;
      }
    },
    async create(r) {
      await api.createNamespacedLease({ namespace, body: body(r) }).catch(conflict);
    },
    async replace(r) {
      await api.replaceNamespacedLease({ name, namespace, body: body(r) }).catch(conflict);
    },
  };
}
