/** Collects a planner's actions, findings (one per code and subject) and what is already in place. */
import type { Finding } from '../domain/finding.js';
import type { PlannedAction, Unchanged } from '../domain/plan.js';

/** Accumulates a plan. */
export class PlanBuilder {
  readonly actions: PlannedAction[] = [];
  readonly findings: Finding[] = [];
  readonly unchanged = new Map<string, Unchanged>();
  private readonly reported = new Set<string>();

  /** Adds an action. */
  add(a: PlannedAction): void {
    this.actions.push(a);
  }

  /** Adds a finding unless one with the same key was reported. */
  report(key: string, f: Finding): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.findings.push(f);
  }

  /** Counts something `dest` already holds as wanted. */
  keep(dest: string, what: keyof Unchanged): void {
    const u = this.unchanged.get(dest) ?? { digests: 0, tags: 0, files: 0 };
    u[what]++;
    this.unchanged.set(dest, u);
  }
}
