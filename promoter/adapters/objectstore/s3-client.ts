/**
 * S3 clients for filestore targets, one per endpoint, region and credentials: path-style addressing when
 * an endpoint is set (S3-protocol servers), checksums only where the protocol requires them (many
 * S3-compatible servers mishandle the newer trailing checksums; every body is verified by sha256 and
 * Content-MD5 instead), and the SDK's own retries off — the store's call layer retries.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { FilestoreTarget } from '../../config/filestores.js';
import type { HashCache } from './hash-cache.js';
import { S3ObjectStore } from './s3-store.js';
import type { StoreCalls } from './store-calls.js';

// The SDK version is pinned; its notice about future releases needing Node 22 is not for our users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

type S3Target = Extract<FilestoreTarget, { kind: 's3' }>;

/** A store for an S3 target, sharing a client with the targets of the same endpoint and credentials. */
export function s3Store(
  t: S3Target,
  calls: StoreCalls,
  clients: Map<string, unknown>,
  closers: { close(): Promise<void> }[],
  hashes?: HashCache,
): S3ObjectStore {
  const domain = `s3|${t.endpoint ?? 'aws'}|${t.region}|${t.credentialSource}`;
  let client = clients.get(domain) as S3Client | undefined;
  if (!client) {
    client = new S3Client({
      region: t.region,
      ...(t.endpoint ? { endpoint: t.endpoint, forcePathStyle: true } : {}),
      ...(t.credentials ? { credentials: t.credentials } : {}),
      maxAttempts: 1,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 10_000, requestTimeout: 300_000, httpsAgent: { maxSockets: 64 } },
    });
    // The SDK's logger middleware filters every input and output for a logger we do not give it: pure cost.
    client.middlewareStack.remove('loggerMiddleware');
    clients.set(domain, client);
    const c = client;
    closers.push({ close: async () => c.destroy() });
  }
  const host = t.endpoint ? new URL(t.endpoint).host : `s3.${t.region}.amazonaws.com`;
  return new S3ObjectStore({
    bucket: t.bucket,
    client,
    host,
    calls,
    copyDomain: domain,
    ...(hashes ? { hashes } : {}),
  });
}
