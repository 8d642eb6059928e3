/** Parses `WWW-Authenticate` challenges (RFC 7235), as registries send them: `Bearer realm="…",service="…",scope="…"`. */

/** One challenge: its scheme (lowercase) and parameters. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a header value into its challenges, in order. */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const s = header;
  const skip = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === ',')) i++;
  };
  while (i < s.length) {
    skip();
    const start = i;
    while (i < s.length && /[A-Za-z0-9!#$%&'*+.^_`|~-]/.test(s[i]!)) i++;
    if (i === start) break;
    const scheme = s.slice(start, i).toLowerCase();
    const params: Record<string, string> = {};
    for (;;) {
      while (i < s.length && s[i] === ' ') i++;
      const keyStart = i;
      while (i < s.length && /[A-Za-z0-9_-]/.test(s[i]!)) i++;
      const key = s.slice(keyStart, i);
      if (!key || s[i] !== '=') {
        i = keyStart;
        break;
      }
      i++;
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        i++;
      } else {
        const vStart = i;
        while (i < s.length && s[i] !== ',' && s[i] !== ' ') i++;
        value = s.slice(vStart, i);
      }
      params[key.toLowerCase()] = value;
      while (i < s.length && s[i] === ' ') i++;
      if (s[i] === ',') i++;
    }
    out.push({ scheme, params });
  }
  return out;
}
