/**
 * Checks shared by registries and filestores: exactly one source, at least one destination, no duplicate
 * destinations, and the source not listed again as a destination.
 */
import { type Finding, finding, type SourcePos } from '../domain/finding.js';

/** A registry or filestore reduced to what these checks need. */
export interface Endpoint {
  /** The normalized name (registry name or filestore base). */
  key: string;
  src: boolean;
  pos: SourcePos;
}

/** Findings about one manifest's list of endpoints; `what` is "registry" or "filestore". */
export function endpointFindings(
  endpoints: Endpoint[],
  blockPos: SourcePos,
  what: 'registry' | 'filestore',
): Finding[] {
  const out: Finding[] = [];
  const sources = endpoints.filter((e) => e.src);
  const dests = endpoints.filter((e) => !e.src);
  if (sources.length === 0) {
    out.push(
      finding('source-missing', blockPos, `no source ${what}: mark exactly one ${what} with "src: true"`),
    );
  }
  for (const extra of sources.slice(1)) {
    out.push(
      finding(
        'source-multiple',
        extra.pos,
        `second source ${what} "${extra.key}": only one may have "src: true" (the first is at line ${sources[0]!.pos.line})`,
      ),
    );
  }
  if (dests.length === 0) {
    out.push(
      finding(
        'destination-missing',
        blockPos,
        `no destination ${what}: list at least one ${what} without "src: true"`,
      ),
    );
  }
  const seen = new Map<string, SourcePos>();
  for (const d of dests) {
    const first = seen.get(d.key);
    if (first) {
      out.push(
        finding(
          'destination-duplicate',
          d.pos,
          `destination "${d.key}" is listed twice (first at line ${first.line})`,
        ),
      );
    } else {
      seen.set(d.key, d.pos);
    }
    const src = sources.find((s) => s.key === d.key);
    if (src) {
      out.push(
        finding('source-is-destination', d.pos, `"${d.key}" is the source ${what} and also a destination`),
      );
    }
  }
  return out;
}
