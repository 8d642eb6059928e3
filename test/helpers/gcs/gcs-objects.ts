/** In-memory model of the test GCS server: buckets, objects with hashes and generations, preconditions, listing. */
import { createHash } from 'node:crypto';
import { CRC32C } from '@google-cloud/storage';

/** An error the server answers with: HTTP status, GCS `reason` and message. */
export class GcsError extends Error {
  /** Builds the error; `reason` goes into `errors[0].reason` of the JSON body. */
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Simple string fields of an object resource that are stored and echoed verbatim. */
const EXTRA_FIELDS = ['cacheControl', 'contentDisposition', 'contentLanguage'] as const;

/** Writable fields of an object resource. */
export interface ObjectFields {
  contentType: string;
  metadata: Record<string, string>;
  extra: Record<string, string>;
}

/** One stored object (only the live generation is kept). */
export interface StoredObject extends ObjectFields {
  bucket: string;
  name: string;
  data: Buffer;
  generation: string;
  metageneration: number;
  md5Hash: string;
  crc32c: string;
  timeCreated: string;
  updated: string;
}

/** Options of an object listing. */
export interface ListQuery {
  prefix: string;
  delimiter: string;
  maxResults: number;
  pageToken?: string;
  startOffset?: string;
  endOffset?: string;
}

/** One page of a listing. */
export interface ListPage {
  items: StoredObject[];
  prefixes: string[];
  nextPageToken?: string;
}

/** Base64 MD5 of some bytes, as GCS reports `md5Hash`. */
export function md5Base64(data: Buffer): string {
  return createHash('md5').update(data).digest('base64');
}

/** Base64 big-endian CRC32C of some bytes, as GCS reports `crc32c`. */
export function crc32cBase64(data: Buffer): string {
  const crc = new CRC32C();
  crc.update(data);
  return crc.toString();
}

/** Fails with 400 when a hash the client claims differs from the hash of what arrived. */
export function assertClientHashes(data: Buffer, claimed: { md5?: string; crc32c?: string }): void {
  if (claimed.md5 !== undefined && claimed.md5 !== md5Base64(data))
    throw new GcsError(
      400,
      'invalid',
      `Provided MD5 hash "${claimed.md5}" doesn't match calculated MD5 hash.`,
    );
  if (claimed.crc32c !== undefined && claimed.crc32c !== crc32cBase64(data))
    throw new GcsError(
      400,
      'invalid',
      `Provided CRC32C "${claimed.crc32c}" doesn't match calculated CRC32C.`,
    );
}

function stringMap(value: unknown, into: Record<string, string> = {}): Record<string, string> {
  if (value === null || typeof value !== 'object') return into;
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) delete into[k];
    else into[k] = String(v);
  }
  return into;
}

/** Object fields from a JSON resource, on top of `base` (fields the resource has replace base's). */
export function objectFields(json: Record<string, unknown>, base?: Partial<ObjectFields>): ObjectFields {
  const enc = json.contentEncoding;
  if (enc !== undefined && enc !== null && enc !== 'identity')
    throw new GcsError(400, 'invalid', `test GCS server: contentEncoding "${String(enc)}" is not supported`);
  const extra: Record<string, string> = { ...base?.extra };
  for (const key of EXTRA_FIELDS) if (key in json) stringMap({ [key]: json[key] }, extra);
  return {
    contentType:
      typeof json.contentType === 'string'
        ? json.contentType
        : (base?.contentType ?? 'application/octet-stream'),
    metadata: 'metadata' in json ? stringMap(json.metadata) : { ...base?.metadata },
    extra,
  };
}

/** Fields after a PATCH: `metadata` keys merge (null deletes a key), other given fields replace. */
export function patchedFields(obj: StoredObject, json: Record<string, unknown>): ObjectFields {
  const fields = objectFields({ ...json, metadata: undefined }, obj);
  fields.metadata = json.metadata === null ? {} : stringMap(json.metadata, { ...obj.metadata });
  return fields;
}

/** The JSON object resource of a stored object, as the JSON API returns it. */
export function objectResource(obj: StoredObject): Record<string, unknown> {
  return {
    kind: 'storage#object',
    id: `${obj.bucket}/${obj.name}/${obj.generation}`,
    name: obj.name,
    bucket: obj.bucket,
    generation: obj.generation,
    metageneration: String(obj.metageneration),
    contentType: obj.contentType,
    storageClass: 'STANDARD',
    size: String(obj.data.length),
    md5Hash: obj.md5Hash,
    crc32c: obj.crc32c,
    etag: `${obj.generation}/${obj.metageneration}`,
    timeCreated: obj.timeCreated,
    updated: obj.updated,
    ...obj.extra,
    ...(Object.keys(obj.metadata).length > 0 ? { metadata: { ...obj.metadata } } : {}),
  };
}

function numberParam(params: URLSearchParams, key: string): string | null {
  const value = params.get(key);
  if (value !== null && !/^\d+$/.test(value))
    throw new GcsError(400, 'invalid', `Invalid value for ${key}: ${value}`);
  return value;
}

/**
 * Checks `if[Source]{Generation,Metageneration}[Not]Match` of `params` against `obj` (undefined: no object);
 * fails with 412 `conditionNotMet`. `ifGenerationMatch=0` means the object must not exist.
 */
export function checkPreconditions(
  params: URLSearchParams,
  obj: StoredObject | undefined,
  source = false,
): void {
  const p = source ? 'ifSource' : 'if';
  const generation = obj?.generation;
  const meta = obj === undefined ? undefined : String(obj.metageneration);
  const gm = numberParam(params, `${p}GenerationMatch`);
  const gnm = numberParam(params, `${p}GenerationNotMatch`);
  const mm = numberParam(params, `${p}MetagenerationMatch`);
  const mnm = numberParam(params, `${p}MetagenerationNotMatch`);
  const failed =
    (gm !== null && (gm === '0' ? obj !== undefined : generation !== gm)) ||
    (gnm !== null && (gnm === '0' ? obj === undefined : generation === gnm)) ||
    (mm !== null && meta !== mm) ||
    (mnm !== null && meta === mnm);
  if (failed)
    throw new GcsError(
      412,
      'conditionNotMet',
      'At least one of the pre-conditions you specified did not hold.',
    );
}

/** Orders names as GCS does: by their UTF-8 bytes. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function encodeToken(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  return Buffer.from(token, 'base64url').toString('utf8');
}

/** Buckets of objects, with a server-wide increasing generation counter. */
export class ObjectStore {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  private lastGeneration = Date.now() * 1000;

  /** Creates an empty bucket (no-op if it exists). */
  createBucket(name: string): void {
    if (!this.buckets.has(name)) this.buckets.set(name, new Map());
  }

  /** The objects of a bucket; 404 if the bucket does not exist. */
  bucket(name: string): Map<string, StoredObject> {
    const bucket = this.buckets.get(name);
    if (!bucket) throw new GcsError(404, 'notFound', `The specified bucket does not exist: ${name}`);
    return bucket;
  }

  /** The live object, or undefined; 404 if the bucket does not exist. */
  find(bucket: string, name: string): StoredObject | undefined {
    return this.bucket(bucket).get(name);
  }

  /** The live object (of `generation` if given); 404 if it or its bucket does not exist. */
  require(bucket: string, name: string, generation?: string | null): StoredObject {
    const obj = this.find(bucket, name);
    if (!obj || (generation && generation !== obj.generation))
      throw new GcsError(404, 'notFound', `No such object: ${bucket}/${name}`);
    return obj;
  }

  /** Stores a new generation of an object. */
  write(bucket: string, name: string, data: Buffer, fields: ObjectFields): StoredObject {
    const objects = this.bucket(bucket);
    const now = new Date().toISOString();
    const obj: StoredObject = {
      bucket,
      name,
      data,
      ...structuredClone(fields),
      generation: String(++this.lastGeneration),
      metageneration: 1,
      md5Hash: md5Base64(data),
      crc32c: crc32cBase64(data),
      timeCreated: now,
      updated: now,
    };
    objects.set(name, obj);
    return obj;
  }

  /** Replaces the metadata fields of an object, bumping its metageneration. */
  update(obj: StoredObject, fields: ObjectFields): StoredObject {
    const next = {
      ...obj,
      ...fields,
      metageneration: obj.metageneration + 1,
      updated: new Date().toISOString(),
    };
    this.bucket(obj.bucket).set(obj.name, next);
    return next;
  }

  /** Removes an object. */
  delete(bucket: string, name: string): void {
    this.bucket(bucket).delete(name);
  }

  /** One page of names in a bucket, sorted; with a delimiter, names below it collapse into `prefixes`. */
  list(bucket: string, q: ListQuery): ListPage {
    const entries: { key: string; obj?: StoredObject }[] = [];
    const names = [...this.bucket(bucket).keys()].sort(compareNames);
    for (const name of names) {
      if (!name.startsWith(q.prefix)) continue;
      if (q.startOffset && compareNames(name, q.startOffset) < 0) continue;
      if (q.endOffset && compareNames(name, q.endOffset) >= 0) continue;
      const cut = q.delimiter ? name.indexOf(q.delimiter, q.prefix.length) : -1;
      if (cut < 0) entries.push({ key: name, obj: this.bucket(bucket).get(name)! });
      else {
        const key = name.slice(0, cut + q.delimiter.length);
        if (entries[entries.length - 1]?.key !== key) entries.push({ key });
      }
    }
    const after = q.pageToken ? decodeToken(q.pageToken) : undefined;
    const start = after === undefined ? 0 : entries.findIndex((e) => compareNames(e.key, after) > 0);
    const page = start < 0 ? [] : entries.slice(start, start + q.maxResults);
    const more = start >= 0 && start + q.maxResults < entries.length;
    return {
      items: page.flatMap((e) => (e.obj ? [e.obj] : [])),
      prefixes: page.flatMap((e) => (e.obj ? [] : [e.key])),
      ...(more ? { nextPageToken: encodeToken(page[page.length - 1]!.key) } : {}),
    };
  }
}
