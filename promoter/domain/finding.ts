/**
 * Findings: every problem the validator reports, with the exact place in the YAML that causes it, so an
 * editor, a terminal and a pull-request annotation can all show it.
 */
import { FINDING_CODES, type FindingCode } from './finding-codes.js';

/** How serious a finding is: only errors fail validation. */
export type Severity = 'error' | 'warning' | 'info';

/** A place in a manifest file: tree-relative POSIX path, 1-based line and column, JSON-pointer-like path. */
export interface SourcePos {
  file: string;
  line: number;
  column: number;
  /** Where in the document, as a JSON pointer (`/0/dmap/sha256:…`); empty for the whole document. */
  path: string;
}

/** One problem in the manifests. */
export interface Finding extends SourcePos {
  code: FindingCode;
  message: string;
  severity: Severity;
}

/** Builds a finding with the catalogue's severity for `code` (or an explicit one). */
export function finding(code: FindingCode, pos: SourcePos, message: string, severity?: Severity): Finding {
  return {
    file: pos.file,
    line: pos.line,
    column: pos.column,
    path: pos.path,
    code,
    message,
    severity: severity ?? FINDING_CODES[code].severity,
  };
}

/** The position of a whole file, for problems that have no better place. */
export function filePos(file: string): SourcePos {
  return { file, line: 1, column: 1, path: '' };
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Orders findings by file, line, column, then severity and code, so output is stable. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
  );
}

/** Counts findings per severity. */
export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** True when any finding is an error. */
export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

export type { FindingCode };
