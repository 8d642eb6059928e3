/** JSON pointers (RFC 6901) naming places in a manifest document, as findings report them. */

/** Escapes one JSON-pointer segment. */
export function pointerSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Appends segments to a JSON pointer. */
export function pointer(base: string, ...segments: (string | number)[]): string {
  return base + segments.map((s) => `/${pointerSegment(s)}`).join('');
}
