/** Durations on the command line: `500ms`, `30s`, `3m`, `1h`, or combinations such as `1h30m`. */
import { UsageError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in `text`; throws UsageError naming `flag` when it is not a duration. */
export function parseDuration(text: string, flag: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new UsageError(`${flag} ${text}: not a duration (such as 30s, 3m, 1h)`);
  const ms = Math.round(parts.reduce((n, p) => n + Number(p[1]) * UNIT_MS[p[2]!]!, 0));
  if (ms <= 0) throw new UsageError(`${flag} ${text}: must be at least 1ms`);
  return ms;
}

/** `host:port` (IPv6 in brackets) → its parts; throws UsageError. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^[\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new UsageError(`--listen ${text}: not host:port (such as 127.0.0.1:8080)`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
