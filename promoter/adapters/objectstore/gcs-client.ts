/**
 * GCS clients for filestore targets, one per API endpoint and key file: the application-default
 * credentials (or a service-account key file), a custom endpoint for emulators and private endpoints,
 * and the SDK's own retries off — the store's call layer retries.
 */
import { Storage } from '@google-cloud/storage';
import type { FilestoreTarget } from '../../config/filestores.js';
import { GcsObjectStore } from './gcs-store.js';
import type { HashCache } from './hash-cache.js';
import type { StoreCalls } from './store-calls.js';

type GcsTarget = Extract<FilestoreTarget, { kind: 'gcs' }>;

/** A store for a GCS target, sharing a client with the targets of the same endpoint and key file. */
export function gcsStore(
  t: GcsTarget,
  calls: StoreCalls,
  clients: Map<string, unknown>,
  _closers: { close(): Promise<void> }[],
  hashes?: HashCache,
): GcsObjectStore {
  const domain = `gcs|${t.endpoint ?? 'google'}|${t.keyFile ?? 'adc'}`;
  let storage = clients.get(domain) as Storage | undefined;
  if (!storage) {
    storage = new Storage({
      ...(t.endpoint ? { apiEndpoint: t.endpoint, useAuthWithCustomEndpoint: t.keyFile !== undefined } : {}),
      ...(t.keyFile ? { keyFilename: t.keyFile } : {}),
      retryOptions: { autoRetry: false },
    });
    clients.set(domain, storage);
  }
  const host = t.endpoint
    ? new URL(t.endpoint.includes('://') ? t.endpoint : `https://${t.endpoint}`).host
    : 'storage.googleapis.com';
  return new GcsObjectStore({
    bucket: t.bucket,
    storage,
    host,
    calls,
    copyDomain: domain,
    ...(hashes ? { hashes } : {}),
  });
}
