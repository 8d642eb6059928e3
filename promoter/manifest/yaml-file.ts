/**
 * Safe YAML reading: hostile input (binary data, alias bombs, deep nesting, duplicate keys, several
 * documents) becomes findings with a location, never a crash, a hang or unbounded memory.
 */
import { type Document, LineCounter, parseDocument, visit } from 'yaml';
import { type Finding, filePos, finding, type SourcePos } from '../domain/finding.js';
import type { FindingCode } from '../domain/finding-codes.js';
import { prescanYaml } from './yaml-prescan.js';

/** The largest manifest file read; the real k8s.io images lists are about 1 MB. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/** How many alias expansions one document may use (the yaml package's default guard). */
const MAX_ALIAS_COUNT = 100;

/** A parsed YAML file with what is needed to locate its nodes. */
export interface YamlFile {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The document as plain data (aliases expanded, within the limit). */
  data: unknown;
}

/** The result of reading one YAML file: the parsed file when usable, and what was wrong. */
export interface YamlReadResult {
  yaml: YamlFile | undefined;
  findings: Finding[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes manifest bytes as UTF-8 text (dropping a BOM), or explains why they are not text. */
export function decodeText(bytes: Buffer): string | { problem: string } {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { problem: `binary content (NUL byte at offset ${nul})` };
  try {
    const text = utf8.decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return { problem: 'not valid UTF-8 text' };
  }
}

/** The finding for a file that is not UTF-8 text. */
export function notText(file: string, problem: string): Finding {
  return finding('file-not-text', filePos(file), `${file} is ${problem}`);
}

function yamlErrorCode(code: string): FindingCode {
  if (code === 'DUPLICATE_KEY') return 'yaml-duplicate-key';
  if (code === 'MULTIPLE_DOCS') return 'yaml-multiple-documents';
  if (code === 'RESOURCE_EXHAUSTION') return 'yaml-too-deep';
  return 'yaml-syntax';
}

function firstLine(message: string): string {
  const nl = message.indexOf('\n');
  return (nl < 0 ? message : message.slice(0, nl)).replace(/ at line \d+, column \d+:?$/, '');
}

/** How a file's scalars are read. */
export interface ParseOptions {
  /**
   * Read unquoted numbers (a tag `1.10`, a sha256 of digits) as their text, as kpromo's Go readers do for
   * string fields, with a warning. For file kinds that have no numeric fields.
   */
  numbersAsText?: boolean;
}

/** Replaces plain-scalar numbers by their source text; returns a warning for each. */
function numbersToText(doc: Document.Parsed, at: (offset: number) => SourcePos): Finding[] {
  const out: Finding[] = [];
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'number' || node.source === undefined) return;
      const text = node.source;
      node.value = text;
      const message = `unquoted ${text} is a number in YAML; read as the string "${text}" (as kpromo does): quote it`;
      out.push(finding('number-as-text', at(node.range?.[0] ?? 0), message));
    },
  });
  return out;
}

/** Parses `bytes` of `file` as a single YAML document. */
export function parseYamlFile(file: string, bytes: Buffer | string, opts: ParseOptions = {}): YamlReadResult {
  const text = typeof bytes === 'string' ? bytes : decodeText(bytes);
  if (typeof text !== 'string') {
    return { yaml: undefined, findings: [notText(file, text.problem)] };
  }
  const lines = new LineCounter();
  const at = (offset: number): SourcePos => {
    const { line, col } = lines.linePos(offset);
    return { file, line, column: col, path: '' };
  };
  const problem = prescanYaml(text);
  if (problem) {
    const code = problem.kind === 'too-deep' ? 'yaml-too-deep' : 'yaml-syntax';
    return {
      yaml: undefined,
      findings: [
        finding(code, { file, line: problem.line, column: problem.column, path: '' }, problem.message),
      ],
    };
  }
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  } catch (err) {
    return { yaml: undefined, findings: [tooDeepOrRethrow(err, file)] };
  }
  const findings: Finding[] = [];
  for (const e of doc.errors) {
    const code = yamlErrorCode(e.code);
    // After the first syntax error the parser's further complaints are mostly its consequences.
    if (code === 'yaml-syntax' && findings.some((f) => f.code === 'yaml-syntax')) continue;
    if (code === 'yaml-too-deep')
      findings.push(finding(code, filePos(file), `${file} is nested too deeply to process`));
    else findings.push(finding(code, at(e.pos[0]), firstLine(e.message)));
  }
  if (findings.length > 0) return { yaml: undefined, findings };
  if (opts.numbersAsText) findings.push(...numbersToText(doc, at));
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof ReferenceError || (err instanceof Error && /alias/i.test(err.message))) {
      const message = `too many YAML aliases (more than ${MAX_ALIAS_COUNT} expansions): refusing to expand`;
      return { yaml: undefined, findings: [finding('yaml-alias-limit', filePos(file), message)] };
    }
    return { yaml: undefined, findings: [tooDeepOrRethrow(err, file)] };
  }
  return { yaml: { file, doc, lines, data }, findings };
}

function tooDeepOrRethrow(err: unknown, file: string): Finding {
  if (err instanceof RangeError) {
    return finding('yaml-too-deep', filePos(file), `${file} is nested too deeply to process`);
  }
  throw err;
}
