/** Object stores built for tests against the local S3 and GCS servers, with small parts and pages. */
import { S3Client } from '@aws-sdk/client-s3';
import { Storage } from '@google-cloud/storage';
import { GcsObjectStore } from '../../../promoter/adapters/objectstore/gcs-store.js';
import { S3ObjectStore } from '../../../promoter/adapters/objectstore/s3-store.js';
import { StoreCalls } from '../../../promoter/adapters/objectstore/store-calls.js';
import { RequestStats } from '../../../promoter/adapters/http/request-stats.js';
import { S3_TEST_CREDENTIALS } from './s3-server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Calls that retry quickly, with their request counts. */
export function testCalls(stats = new RequestStats()): StoreCalls {
  return new StoreCalls({ stats, sleep: async () => undefined });
}

/** An S3 client for a local S3-protocol server. */
export function s3Client(url: string): S3Client {
  return new S3Client({
    endpoint: url,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: S3_TEST_CREDENTIALS,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A store over one bucket of a local S3-protocol server. */
export function s3Store(
  url: string,
  bucket: string,
  opts: { client?: S3Client; calls?: StoreCalls; partSize?: number; pageSize?: number } = {},
): S3ObjectStore {
  return new S3ObjectStore({
    bucket,
    client: opts.client ?? s3Client(url),
    host: new URL(url).host,
    calls: opts.calls ?? testCalls(),
    copyDomain: `s3|${url}`,
    ...(opts.partSize ? { partSize: opts.partSize } : {}),
    ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
  });
}

/** A store over one bucket of the test GCS server. */
export function gcsStore(
  url: string,
  bucket: string,
  opts: { storage?: Storage; calls?: StoreCalls; chunkSize?: number; pageSize?: number } = {},
): GcsObjectStore {
  return new GcsObjectStore({
    bucket,
    storage:
      opts.storage ??
      new Storage({ apiEndpoint: url, projectId: 'test', retryOptions: { autoRetry: false } }),
    host: new URL(url).host,
    calls: opts.calls ?? testCalls(),
    copyDomain: `gcs|${url}`,
    ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}),
    ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
  });
}
