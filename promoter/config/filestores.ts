/**
 * Resolves where a filestore base (`s3://bucket/dir/`, `gs://bucket/dir/`, `file:///srv/dir/`) is
 * reached, from promoter.yaml's `filestores:` entries (the longest prefix wins) and the environment, by
 * the SDKs' own conventions: AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL (path-style addressing when an
 * endpoint is set), AWS_REGION / AWS_DEFAULT_REGION; STORAGE_EMULATOR_HOST for GCS. Credentials are named
 * (environment variables, a key file) and read here, never written down. Pure: (config, env) in, target out.
 */
import { isAbsolute, join } from 'node:path';
import type { FilestoreEndpointConfig } from '../domain/manifest-model.js';
import { InputError, UnsupportedError } from '../errors.js';

/** Limits for the store's host. */
export interface FilestoreLimits {
  concurrency?: number;
  requestsPerSecond?: number;
}

/** S3 credentials as resolved (values, to hand to the SDK only). */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Where one base is. */
export type FilestoreTarget =
  | { kind: 'local'; root: string; prefix: string }
  | {
      kind: 's3';
      bucket: string;
      prefix: string;
      endpoint?: string;
      region: string;
      /** Explicit credentials; absent: the SDK's default chain. */
      credentials?: S3Credentials;
      /** Names what the credentials came from (never the values), to tell clients apart. */
      credentialSource: string;
      limits: FilestoreLimits;
    }
  | {
      kind: 'gcs';
      bucket: string;
      prefix: string;
      endpoint?: string;
      keyFile?: string;
      limits: FilestoreLimits;
    };

/** The known filestore schemes. */
export const FILESTORE_URL_SCHEMES = ['s3://', 'gs://', 'file://'] as const;

/** The entry with the longest prefix covering `base`. */
export function filestoreEntryFor(
  base: string,
  entries: readonly FilestoreEndpointConfig[],
): FilestoreEndpointConfig | undefined {
  let best: FilestoreEndpointConfig | undefined;
  for (const e of entries)
    if (base.startsWith(e.prefix) && (!best || e.prefix.length > best.prefix.length)) best = e;
  return best;
}

function need(env: NodeJS.ProcessEnv, name: string, base: string): string {
  const v = env[name];
  if (!v) throw new InputError(`${base}: environment variable ${name} (named in promoter.yaml) is not set`);
  return v;
}

function s3Credentials(
  e: FilestoreEndpointConfig | undefined,
  env: NodeJS.ProcessEnv,
  base: string,
): { credentials?: S3Credentials; credentialSource: string } {
  const c = e?.credentials;
  if (c?.accessKeyIdEnv && c.secretAccessKeyEnv) {
    const token = c.sessionTokenEnv ? need(env, c.sessionTokenEnv, base) : undefined;
    return {
      credentials: {
        accessKeyId: need(env, c.accessKeyIdEnv, base),
        secretAccessKey: need(env, c.secretAccessKeyEnv, base),
        ...(token ? { sessionToken: token } : {}),
      },
      credentialSource: `env:${c.accessKeyIdEnv}`,
    };
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY)
    return {
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      },
      credentialSource: 'env:AWS_ACCESS_KEY_ID',
    };
  return { credentialSource: 'default-chain' };
}

/** Splits `scheme://bucket/rest` into bucket and key prefix. */
function bucketAndPrefix(base: string, scheme: string): { bucket: string; prefix: string } {
  const rest = base.slice(scheme.length);
  const slash = rest.indexOf('/');
  return { bucket: rest.slice(0, slash), prefix: rest.slice(slash + 1) };
}

/** Where `base` (normalized, ending in `/`) is; `baseDir` anchors relative directories and key files. */
export function resolveFilestore(
  base: string,
  entries: readonly FilestoreEndpointConfig[],
  env: NodeJS.ProcessEnv,
  baseDir: string,
): FilestoreTarget {
  const e = filestoreEntryFor(base, entries);
  const limits: FilestoreLimits = {
    ...(e?.concurrency ? { concurrency: e.concurrency } : {}),
    ...(e?.requestsPerSecond ? { requestsPerSecond: e.requestsPerSecond } : {}),
  };
  const anchored = (p: string) => (isAbsolute(p) ? p : join(baseDir, p));
  if (e?.directory !== undefined)
    return { kind: 'local', root: anchored(e.directory), prefix: base.slice(e.prefix.length) };
  if (base.startsWith('file://')) {
    const raw = base.slice('file://'.length);
    let path = raw;
    try {
      path = decodeURIComponent(raw);
    } catch {
      // A literal `%` that is no escape: the path as written.
    }
    return { kind: 'local', root: path, prefix: '' };
  }
  if (base.startsWith('s3://')) {
    const endpoint = e?.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
    return {
      kind: 's3',
      ...bucketAndPrefix(base, 's3://'),
      ...(endpoint ? { endpoint: endpoint.replace(/\/+$/, '') } : {}),
      region: e?.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      ...s3Credentials(e, env, base),
      limits,
    };
  }
  if (base.startsWith('gs://')) {
    const endpoint = e?.endpoint ?? env.STORAGE_EMULATOR_HOST;
    return {
      kind: 'gcs',
      ...bucketAndPrefix(base, 'gs://'),
      ...(endpoint ? { endpoint: endpoint.replace(/\/+$/, '') } : {}),
      ...(e?.credentials?.keyFile ? { keyFile: anchored(e.credentials.keyFile) } : {}),
      limits,
    };
  }
  throw new UnsupportedError(
    `${base}: unknown filestore scheme; known schemes are ${FILESTORE_URL_SCHEMES.join(', ')}`,
  );
}
