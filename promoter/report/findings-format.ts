/** Renders findings for people (text), programs (json) and GitHub Actions (workflow-command annotations). */
import { countBySeverity, type Finding } from '../domain/finding.js';
import type { Palette } from './colour.js';

/** The output formats of `validate`. */
export const FINDING_FORMATS = ['text', 'json', 'github'] as const;
export type FindingFormat = (typeof FINDING_FORMATS)[number];

/** What a report says besides the findings. */
export interface ReportContext {
  filesRead: number;
  elapsedMs: number;
  baseCommit?: string | undefined;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One line per finding (`file:line:col: severity code: message`) and a summary line. */
export function formatText(findings: readonly Finding[], ctx: ReportContext, c: Palette): string {
  const lines = findings.map((f) => {
    const sev =
      f.severity === 'error'
        ? c.red('error')
        : f.severity === 'warning'
          ? c.yellow('warning')
          : c.blue('info');
    return `${c.bold(`${f.file}:${f.line}:${f.column}`)}: ${sev} ${c.dim(f.code)}: ${f.message}`;
  });
  const n = countBySeverity(findings);
  const counts = `${plural(n.error, 'error')}, ${plural(n.warning, 'warning')}, ${n.info} info`;
  const base = ctx.baseCommit ? `, compared with ${ctx.baseCommit.slice(0, 12)}` : '';
  const summary = `${counts} in ${plural(ctx.filesRead, 'file')}${base} (${(ctx.elapsedMs / 1000).toFixed(2)} s)`;
  lines.push(n.error > 0 ? c.red(`✖ ${summary}`) : c.green(`✔ ${summary}`));
  return `${lines.join('\n')}\n`;
}

/** One JSON document with every finding and the counts. */
export function formatJson(findings: readonly Finding[], ctx: ReportContext): string {
  const n = countBySeverity(findings);
  const doc = {
    ok: n.error === 0,
    summary: {
      errors: n.error,
      warnings: n.warning,
      infos: n.info,
      files: ctx.filesRead,
      elapsedMs: Math.round(ctx.elapsedMs),
    },
    ...(ctx.baseCommit ? { baseCommit: ctx.baseCommit } : {}),
    findings,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`. */
export function formatGithub(findings: readonly Finding[]): string {
  const kind = { error: 'error', warning: 'warning', info: 'notice' } as const;
  return findings
    .map(
      (f) =>
        `::${kind[f.severity]} file=${escapeProperty(f.file)},line=${f.line},col=${f.column},title=${escapeProperty(f.code)}::${escapeData(f.message)}\n`,
    )
    .join('');
}
