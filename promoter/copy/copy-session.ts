/**
 * Digest-preserving image copy from one store to several. Manifests travel byte-for-byte; an index's
 * children are copied first, an image's blobs exist before its manifest is put, and tags are written last,
 * so an interrupted copy never leaves a tag pointing at an incomplete image. Cheap: content a destination
 * already holds is skipped (HEAD), blobs are mounted within a registry, and each source blob is read once
 * for all destinations that lack it. Each destination fails alone; the others finish.
 */
import type { Readable } from 'node:stream';
import pLimit, { type LimitFunction } from 'p-limit';
import type { ImageStore } from '../adapters/registry/image-store.js';
import { canMount } from '../adapters/registry/image-store.js';
import type { Descriptor } from '../domain/descriptor.js';
import type { Digest } from '../domain/digest.js';
import { type ManifestContent, parseManifest, requiredBlobs } from '../domain/manifest-content.js';
import {
  DEFAULT_RETRY,
  isRetryable,
  type RetryPolicy,
  retryDelayMs,
  sleep,
} from '../adapters/http/retry-policy.js';
import { errorMessage, findError, RequestRejectedError, TransientError } from '../errors.js';
import type { FetchedManifest } from '../adapters/registry/image-store.js';
import { fanOutBlob } from './blob-fanout.js';
import { type BlobLocations, MemoryBlobLocations } from './blob-locations.js';

/** A repository in a store. */
export interface Endpoint {
  store: ImageStore;
  repo: string;
}

/** A printable name for an endpoint. */
export function endpointName(e: Endpoint): string {
  return e.repo ? `${e.store.description}/${e.repo}` : e.store.description;
}

/** What happened on one destination. */
export interface TargetReport {
  target: string;
  status: 'copied' | 'present' | 'failed';
  blobsCopied: number;
  blobsMounted: number;
  blobsSkipped: number;
  bytesUploaded: number;
  manifestsPut: number;
  tagsPut: string[];
  tagsUnchanged: string[];
  error?: string;
}

/** What happened to one image. */
export interface ImageCopyReport {
  source: string;
  ref: string;
  digest: Digest;
  mediaType: string;
  targets: TargetReport[];
}

/** Totals over a session, to compare source bytes read with the unique content moved. */
export interface SessionTotals {
  sourceBlobsRead: number;
  sourceBytesRead: number;
  uniqueBlobs: number;
  uniqueBlobBytes: number;
  /** Blob transfers tried again after a transient failure. */
  retries: number;
  /** Blob bytes uploaded, summed over destinations. */
  bytesUploaded: number;
}

/** Manifests kept per session (they are small; an index run of thousands of images stays well under 100 MB). */
const MANIFEST_CACHE = 20_000;

/** How a blob reached one destination, or why it did not. */
type BlobResult = 'copied' | 'mounted' | 'skipped' | Error;

/** Per-image bookkeeping: each destination's report and whether it has failed. */
interface Lane {
  endpoint: Endpoint;
  key: string;
  report: TargetReport;
  failed: boolean;
}

/** Options of a copy session. */
export interface CopySessionOptions {
  /** The retry budget for blob transfers (the HTTP layer's by default). */
  retry?: RetryPolicy;
  /** Sleeps between retries; replaced in tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Told of the bytes of each blob uploaded to a destination (for progress). */
  onUploaded?: (bytes: number) => void;
  /** Blob transfers at once (default 6). */
  blobConcurrency?: number;
  /** Where blobs were seen before (kept between runs); in memory for this session when absent. */
  locations?: BlobLocations;
}

/** Copies images; shares what it learns (present content, transfers in flight) across the images of a run. */
export class CopySession {
  private readonly present = new Map<string, Set<Digest>>();
  private readonly inflight = new Map<string, Promise<BlobResult>>();
  private readonly limit: LimitFunction;
  private readonly uniqueSizes = new Map<Digest, number>();
  readonly totals: SessionTotals = {
    sourceBlobsRead: 0,
    sourceBytesRead: 0,
    uniqueBlobs: 0,
    uniqueBlobBytes: 0,
    retries: 0,
    bytesUploaded: 0,
  };

  private readonly locations: BlobLocations;

  private readonly manifests = new Map<string, FetchedManifest>();
  /** Blob uploads in flight per registry (`store\0digest`): others wait, then mount. */
  private readonly storeFlights = new Map<string, Promise<void>>();
  private readonly onUploaded: ((bytes: number) => void) | undefined;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(opts: CopySessionOptions = {}) {
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.onUploaded = opts.onUploaded;
    this.sleep = opts.sleep ?? sleep;
    this.limit = pLimit(opts.blobConcurrency ?? 6);
    this.locations = opts.locations ?? new MemoryBlobLocations();
  }

  private key(e: Endpoint): string {
    return endpointName(e);
  }

  private known(e: Endpoint, d: Digest): boolean {
    return this.present.get(this.key(e))?.has(d) ?? false;
  }

  private remember(e: Endpoint, d: Digest): void {
    let set = this.present.get(this.key(e));
    if (!set) {
      set = new Set();
      this.present.set(this.key(e), set);
    }
    if (set.has(d)) return;
    set.add(d);
    if (canMount(e.store)) this.locations.record(e.store.description, d, e.repo);
  }

  /** Repositories of `store` known to hold blob `d` (other than `except`), to mount from. */
  private holdersIn(store: ImageStore, d: Digest, except: string): string[] {
    return this.locations.lookup(store.description, d).filter((repo) => repo !== except);
  }

  /**
   * A manifest of `source` by tag or digest; manifests fetched by digest are kept for the session (they
   * cannot change), so a later tag write or a second destination group does not fetch them again.
   */
  async manifest(source: Endpoint, ref: string): Promise<FetchedManifest> {
    const key = `${this.key(source)}@${ref}`;
    const hit = this.manifests.get(key);
    if (hit) return hit;
    const m = await source.store.getManifest(source.repo, ref);
    if (this.manifests.size >= MANIFEST_CACHE) this.manifests.delete(this.manifests.keys().next().value!);
    this.manifests.set(`${this.key(source)}@${m.digest}`, m);
    return m;
  }

  /** Copies `ref` (a tag or digest) from `source` to every target, then sets `tags` on each. */
  async copyImage(
    source: Endpoint,
    ref: string,
    targets: Endpoint[],
    tags: string[],
  ): Promise<ImageCopyReport> {
    const m = await this.manifest(source, ref);
    const lanes: Lane[] = targets.map((endpoint) => ({
      endpoint,
      key: this.key(endpoint),
      failed: false,
      report: {
        target: this.key(endpoint),
        status: 'present',
        blobsCopied: 0,
        blobsMounted: 0,
        blobsSkipped: 0,
        bytesUploaded: 0,
        manifestsPut: 0,
        tagsPut: [],
        tagsUnchanged: [],
      },
    }));
    await this.ensureManifest(source, m, lanes);
    await Promise.all(lanes.map((lane) => this.applyTags(lane, m, tags)));
    return {
      source: this.key(source),
      ref,
      digest: m.digest,
      mediaType: m.mediaType,
      targets: lanes.map((l) => l.report),
    };
  }

  private fail(lane: Lane, err: unknown): void {
    if (lane.failed) return;
    lane.failed = true;
    lane.report.status = 'failed';
    lane.report.error = errorMessage(err);
  }

  /** The lanes that lack manifest `digest` (HEAD, unless already known). */
  private async lacking(lanes: Lane[], digest: Digest): Promise<Lane[]> {
    const lacks = await Promise.all(
      lanes.map(async (lane) => {
        if (lane.failed || this.known(lane.endpoint, digest)) return false;
        try {
          const head = await lane.endpoint.store.headManifest(lane.endpoint.repo, digest);
          if (head) this.remember(lane.endpoint, digest);
          return !head;
        } catch (err) {
          this.fail(lane, err);
          return false;
        }
      }),
    );
    // In the lanes' own order, whatever order the answers came in: the first lane of a registry leads.
    return lanes.filter((_, i) => lacks[i]);
  }

  /** Puts manifest `m` (and everything it references) on every lane that lacks it. */
  private async ensureManifest(source: Endpoint, m: FetchedManifest, lanes: Lane[]): Promise<void> {
    const need = await this.lacking(lanes, m.digest);
    if (need.length === 0) return;
    let content: ManifestContent;
    try {
      content = parseManifest(m);
    } catch (err) {
      for (const lane of need) this.fail(lane, err);
      return;
    }
    if (content.kind === 'index') {
      await Promise.all(
        content.manifests.map(async (child) => {
          try {
            const cm = await this.manifest(source, child.digest);
            await this.ensureManifest(source, cm, need);
          } catch (err) {
            for (const lane of need) this.fail(lane, err);
          }
        }),
      );
    } else {
      await Promise.all(requiredBlobs(content).map((b) => this.ensureBlob(source, b, need)));
    }
    await Promise.all(
      need.map(async (lane) => {
        if (lane.failed) return;
        try {
          await lane.endpoint.store.putManifest(lane.endpoint.repo, m.digest, m);
          this.remember(lane.endpoint, m.digest);
          lane.report.manifestsPut++;
          lane.report.status = 'copied';
        } catch (err) {
          this.fail(lane, err);
        }
      }),
    );
  }

  /** Makes blob `b` present on every lane: skipped when there, mounted when possible, else uploaded. */
  private async ensureBlob(source: Endpoint, b: Descriptor, lanes: Lane[]): Promise<void> {
    if (!this.uniqueSizes.has(b.digest)) {
      this.uniqueSizes.set(b.digest, b.size);
      this.totals.uniqueBlobs++;
      this.totals.uniqueBlobBytes += b.size;
    }
    const missing: Lane[] = [];
    const waits: Promise<void>[] = [];
    for (const lane of lanes) {
      if (lane.failed) continue;
      const flying = this.inflight.get(`${lane.key}\0${b.digest}`);
      if (flying) {
        // Another image is moving this blob to this destination right now: wait for that transfer.
        waits.push(
          flying.then((r) => (r instanceof Error ? this.fail(lane, r) : void lane.report.blobsSkipped++)),
        );
      } else if (this.known(lane.endpoint, b.digest)) {
        lane.report.blobsSkipped++;
      } else {
        missing.push(lane);
      }
    }
    if (missing.length > 0) {
      const work = this.transfer(source, b, missing);
      for (const lane of missing) {
        this.inflight.set(
          `${lane.key}\0${b.digest}`,
          work.then((results) => results.get(lane.key) ?? new Error('no result')),
        );
      }
      const results = await work;
      for (const lane of missing) {
        this.inflight.delete(`${lane.key}\0${b.digest}`);
        const r = results.get(lane.key) ?? new Error('no result');
        if (r instanceof Error) {
          this.fail(lane, r);
          continue;
        }
        this.remember(lane.endpoint, b.digest);
        if (r === 'skipped') lane.report.blobsSkipped++;
        else if (r === 'mounted') lane.report.blobsMounted++;
        else {
          lane.report.blobsCopied++;
          lane.report.bytesUploaded += b.size;
          this.totals.bytesUploaded += b.size;
          this.onUploaded?.(b.size);
        }
      }
    }
    await Promise.all(waits);
  }

  /**
   * HEADs, mounts and uploads one blob for lanes not known to have it; returns each lane's result. A lane
   * mounts from the source or any repository of its registry known to hold the blob; of several lanes on
   * one registry, one receives the upload and the others mount from it.
   */
  private async transfer(source: Endpoint, b: Descriptor, lanes: Lane[]): Promise<Map<string, BlobResult>> {
    const results = new Map<string, BlobResult>();
    this.remember(source, b.digest);
    const missing: Lane[] = [];
    await Promise.all(
      lanes.map(async (lane) => {
        const { store, repo } = lane.endpoint;
        try {
          if ((await store.headBlob(repo, b.digest)) !== undefined)
            return void results.set(lane.key, 'skipped');
          missing.push(lane);
        } catch (err) {
          results.set(lane.key, err as Error);
        }
      }),
    );
    // One upload per registry, even across images copied at the same time: the first lane of a registry
    // leads; later lanes of that registry (in this image or another) wait, then mount from it.
    const leaders: Lane[] = [];
    const followers: { lane: Lane; after: Promise<void> }[] = [];
    const mine = new Map<string, () => void>();
    missing.sort((x, y) => lanes.indexOf(x) - lanes.indexOf(y));
    for (const lane of missing) {
      if (await this.tryMount(lane, b.digest)) {
        results.set(lane.key, 'mounted');
        continue;
      }
      const store = lane.endpoint.store;
      if (!canMount(store)) {
        leaders.push(lane);
        continue;
      }
      const key = `${store.description}\0${b.digest}`;
      const flying = this.storeFlights.get(key);
      if (flying) {
        followers.push({ lane, after: flying });
        continue;
      }
      let release!: () => void;
      this.storeFlights.set(key, new Promise<void>((resolve) => (release = resolve)));
      mine.set(key, release);
      leaders.push(lane);
    }
    await this.uploadLimited(source, b, leaders, results);
    for (const [key, release] of mine) {
      this.storeFlights.delete(key);
      release();
    }
    const again: Lane[] = [];
    for (const { lane, after } of followers) {
      await after;
      if (await this.tryMount(lane, b.digest)) results.set(lane.key, 'mounted');
      else again.push(lane);
    }
    await this.uploadLimited(source, b, again, results);
    return results;
  }

  /** Mounts blob `d` into the lane's repository from a repository of the same registry that holds it. */
  private async tryMount(lane: Lane, d: Digest): Promise<boolean> {
    const { store, repo } = lane.endpoint;
    if (!canMount(store)) return false;
    for (const from of this.holdersIn(store, d, repo).slice(0, 2)) {
      try {
        if (await store.mountBlob(repo, d, from)) return true;
      } catch {
        // A failed mount is only a missed shortcut: try the next holder, then upload.
      }
    }
    return false;
  }

  private async uploadLimited(
    source: Endpoint,
    b: Descriptor,
    lanes: Lane[],
    results: Map<string, BlobResult>,
  ): Promise<void> {
    if (lanes.length === 0) return;
    try {
      await this.limit(() => this.upload(source, b, lanes, results, false));
    } catch (err) {
      for (const lane of lanes) if (!results.has(lane.key)) results.set(lane.key, err as Error);
    }
    for (const lane of lanes) if (results.get(lane.key) === 'copied') this.remember(lane.endpoint, b.digest);
  }

  /**
   * Uploads blob `b` to `lanes` from one read of the source. A lane refused with 413 gets the blob again in
   * chunks; a lane that failed transiently (5xx, 429, a reset, the source stream breaking) gets it again
   * after a backoff, within the retry budget. Streamed bodies cannot be re-sent by the HTTP layer, so the
   * blob's retries live here.
   */
  private async upload(
    source: Endpoint,
    b: Descriptor,
    lanes: Lane[],
    results: Map<string, BlobResult>,
    chunked: boolean,
    attempt = 0,
  ): Promise<void> {
    let outcomes: { key: string; error: unknown }[];
    try {
      const read = await source.store.getBlob(source.repo, b.digest);
      const targets = lanes.map((lane) => ({
        key: lane.key,
        upload: (body: Readable) => lane.endpoint.store.putBlob(lane.endpoint.repo, b, body, { chunked }),
      }));
      const fan = await fanOutBlob(read.stream, b, targets, `blob ${b.digest} from ${this.key(source)}`);
      this.totals.sourceBlobsRead++;
      this.totals.sourceBytesRead += fan.bytesRead;
      outcomes = fan.outcomes;
    } catch (err) {
      outcomes = lanes.map((lane) => ({ key: lane.key, error: err }));
    }
    const chunkedRetry: Lane[] = [];
    const later: Lane[] = [];
    let retryAfter: number | undefined;
    for (const o of outcomes) {
      const lane = lanes.find((l) => l.key === o.key)!;
      if (!o.error) results.set(o.key, 'copied');
      else if (!chunked && o.error instanceof RequestRejectedError && o.error.status === 413)
        chunkedRetry.push(lane);
      else if (isRetryable(o.error) && attempt + 1 < this.retry.attempts) {
        later.push(lane);
        retryAfter = findError(o.error, TransientError)?.retryAfterMs ?? retryAfter;
      } else results.set(o.key, o.error as Error);
    }
    if (chunkedRetry.length > 0) await this.upload(source, b, chunkedRetry, results, true, attempt);
    if (later.length > 0) {
      this.totals.retries++;
      await this.sleep(retryDelayMs(attempt, this.retry, retryAfter));
      await this.upload(source, b, later, results, chunked, attempt + 1);
    }
  }

  private async applyTags(lane: Lane, m: FetchedManifest, tags: string[]): Promise<void> {
    for (const tag of tags) {
      if (lane.failed) return;
      try {
        const head = await lane.endpoint.store.headManifest(lane.endpoint.repo, tag);
        if (head?.digest === m.digest) {
          lane.report.tagsUnchanged.push(tag);
          continue;
        }
        await lane.endpoint.store.putManifest(lane.endpoint.repo, tag, m);
        lane.report.tagsPut.push(tag);
      } catch (err) {
        this.fail(lane, err);
      }
    }
  }
}
