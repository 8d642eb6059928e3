/** Counts every HTTP request by host and status, and bytes moved, for reports and metrics. */

/** One request, as counted. */
export interface RequestRecord {
  host: string;
  method: string;
  /** What the request was for (manifest, blob, upload, tags, token…), as the caller labels it. */
  kind: string;
  status: number | 'error';
  bytesSent: number;
  bytesReceived: number;
}

/** Totals per host. */
export interface HostStats {
  requests: number;
  byStatus: Record<string, number>;
  byKind: Record<string, number>;
  bytesSent: number;
  bytesReceived: number;
}

/** A running tally of requests; listeners see each record (metrics hook in here). */
export class RequestStats {
  private readonly hosts = new Map<string, HostStats>();
  private readonly listeners: ((r: RequestRecord) => void)[] = [];

  /** Adds one finished request. */
  record(r: RequestRecord): void {
    let h = this.hosts.get(r.host);
    if (!h) {
      h = { requests: 0, byStatus: {}, byKind: {}, bytesSent: 0, bytesReceived: 0 };
      this.hosts.set(r.host, h);
    }
    h.requests++;
    h.byStatus[String(r.status)] = (h.byStatus[String(r.status)] ?? 0) + 1;
    const kind = `${r.method} ${r.kind}`;
    h.byKind[kind] = (h.byKind[kind] ?? 0) + 1;
    h.bytesSent += r.bytesSent;
    h.bytesReceived += r.bytesReceived;
    for (const l of this.listeners) l(r);
  }

  /** Calls `listener` for every later record. */
  onRecord(listener: (r: RequestRecord) => void): void {
    this.listeners.push(listener);
  }

  /** A snapshot: host → totals. */
  snapshot(): Record<string, HostStats> {
    return Object.fromEntries([...this.hosts].map(([k, v]) => [k, structuredClone(v)]));
  }

  /** Requests across all hosts. */
  total(): number {
    let n = 0;
    for (const h of this.hosts.values()) n += h.requests;
    return n;
  }
}
