/**
 * Scalar rules shared by the fast readers: only forms whose YAML 1.2 core-schema meaning is a plain string
 * (or a literal true/false), so the fast readers agree with the full parser by construction.
 */

/** An escape-free double-quoted scalar. */
export const QUOTED = '"[^"\\\\\\u0000-\\u001f]*"';

/** Optional trailing spaces and comment at the end of a line. */
export const TRAIL = '\\s*(?:\\s#.*)?$';

/** Plain scalars that the core schema would read as null or a boolean, not as a string. */
const NOT_STRING = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE|~)$/;

/** Comment-only or blank line. */
export const COMMENT_OR_BLANK = /^\s*(?:#.*)?$/;

/** The string value of a matched QUOTED or plain scalar; undefined when the plain form is not a string. */
export function scalarText(text: string): string | undefined {
  if (text.startsWith('"')) return text.slice(1, -1);
  return NOT_STRING.test(text) ? undefined : text;
}

/** The lines of a text, without line terminators; undefined when a tab appears (indentation ambiguity). */
export function fastLines(text: string): string[] | undefined {
  if (text.includes('\t')) return undefined;
  return text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}
