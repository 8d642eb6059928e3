/**
 * A cheap pass over YAML text before parsing, for problems the parser reports badly or at an unstable
 * place: tab indentation, and nesting deeper than any manifest needs (the parser recurses, so a hostile file
 * could otherwise exhaust the stack at a machine-dependent depth).
 */

/** Deepest flow nesting (`[`/`{`) accepted; real manifests use two. */
export const MAX_FLOW_DEPTH = 64;
/** Widest indentation accepted; real manifests use six columns. */
export const MAX_INDENT = 256;

/** A problem found before parsing, at a 1-based line and column. */
export interface PrescanProblem {
  kind: 'tab-indent' | 'too-deep';
  line: number;
  column: number;
  message: string;
}

const OPENERS_BEFORE_QUOTE = new Set([undefined, ' ', '[', '{', ',', ':', '-', '?']);

/** Returns the first problem in `text`, or undefined. */
export function prescanYaml(text: string): PrescanProblem | undefined {
  let depth = 0;
  let quote: '"' | "'" | undefined;
  let line = 1;
  let lineStart = 0;
  let atLineStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      lineStart = i + 1;
      atLineStart = true;
      continue;
    }
    if (atLineStart && !quote) {
      if (ch === ' ') continue;
      if (ch === '\t') {
        const nl = text.indexOf('\n', i);
        const rest = text.slice(i, nl < 0 ? undefined : nl);
        if (rest.trim() !== '' && !rest.trimStart().startsWith('#')) {
          return {
            kind: 'tab-indent',
            line,
            column: i - lineStart + 1,
            message: 'tab character in indentation: YAML indentation must be spaces',
          };
        }
        continue;
      }
      atLineStart = false;
      if (i - lineStart > MAX_INDENT) {
        return {
          kind: 'too-deep',
          line,
          column: i - lineStart + 1,
          message: `indented more than ${MAX_INDENT} columns: nested too deeply to process`,
        };
      }
    }
    if (quote) {
      if (quote === '"' && ch === '\\') i++;
      else if (ch === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else quote = undefined;
      }
      continue;
    }
    if (ch === '#' && (i === lineStart || text[i - 1] === ' ')) {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl - 1;
      continue;
    }
    if ((ch === '"' || ch === "'") && OPENERS_BEFORE_QUOTE.has(i === lineStart ? undefined : text[i - 1]))
      quote = ch;
    else if (ch === '[' || ch === '{') {
      if (++depth > MAX_FLOW_DEPTH) {
        return {
          kind: 'too-deep',
          line,
          column: i - lineStart + 1,
          message: `flow collections nested more than ${MAX_FLOW_DEPTH} deep: nested too deeply to process`,
        };
      }
    } else if ((ch === ']' || ch === '}') && depth > 0) depth--;
  }
  return undefined;
}
