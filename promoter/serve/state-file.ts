/**
 * What the daemon keeps across restarts: the last revision applied in full (the base for guarded deletion
 * and for resuming without re-reading everything), and the last revision attempted with its outcome (so a
 * restart does not hot-loop on a stalled commit). One small JSON file, replaced atomically.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A revision and when something happened to it. */
export interface RevisionMark {
  revision: string;
  at: string;
}

/** The persisted state. */
export interface DaemonState {
  /** The source it belongs to (a state directory is not reused for another repository). */
  source: string;
  /** The last revision whose promotion finished with every action done. */
  applied?: RevisionMark;
  /** The last revision a pass ran for, and how it ended. */
  attempted?: RevisionMark & { outcome: string };
}

/** Loads and saves the state file. */
export class StateFile {
  constructor(private readonly path: string) {}

  /** The saved state for `source`, or a fresh one (missing, unreadable or another source's file). */
  load(source: string): DaemonState {
    try {
      const doc = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<DaemonState> & { version?: number };
      if (doc.version !== 1 || doc.source !== source) return { source };
      const mark = (m: unknown): RevisionMark | undefined => {
        const r = m as Partial<RevisionMark> | undefined;
        return typeof r?.revision === 'string' && typeof r.at === 'string'
          ? { revision: r.revision, at: r.at }
          : undefined;
      };
      const applied = mark(doc.applied);
      const attempted = mark(doc.attempted);
      const outcome = (doc.attempted as { outcome?: unknown } | undefined)?.outcome;
      return {
        source,
        ...(applied ? { applied } : {}),
        ...(attempted && typeof outcome === 'string' ? { attempted: { ...attempted, outcome } } : {}),
      };
    } catch {
      return { source };
    }
  }

  /** Writes the state (temp file, then rename). */
  async save(state: DaemonState): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp-${process.pid}`;
    await writeFile(tmp, `${JSON.stringify({ version: 1, ...state }, null, 2)}\n`);
    await rename(tmp, this.path);
  }
}
