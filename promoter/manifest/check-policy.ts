/**
 * Policy checks from promoter.yaml: every destination registry, image and filestore must fall under one of
 * `allowedDestinations` (prefixes on path-segment boundaries; `*` matches within one segment).
 */
import { type Finding, finding, type SourcePos } from '../domain/finding.js';
import type { FileManifest, ImageManifest, Policy } from '../domain/manifest-model.js';
import { normalizeRegistryName, repositoryPath } from '../domain/names.js';
import { normalizeBase } from '../domain/names.js';

function segments(path: string): string[] {
  const parts = path.split('/');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function segmentMatcher(pattern: string): (s: string) => boolean {
  if (!pattern.includes('*')) return (s) => s === pattern;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  );
  return (s) => re.test(s);
}

/** A compiled allow-list entry. */
interface Prefix {
  text: string;
  parts: ((s: string) => boolean)[];
}

/** Compiles allow-list patterns once. */
function compile(patterns: string[]): Prefix[] {
  return patterns.map((text) => {
    // Registry hosts are case-insensitive; bucket paths are not.
    const normal = text.includes('://') ? text : normalizeRegistryName(text);
    return { text, parts: segments(normal).map(segmentMatcher) };
  });
}

/** How a destination path relates to the allow-list. */
type Verdict = 'allowed' | 'denied' | 'deeper';

/** 'allowed' when a prefix covers `path`; 'deeper' when some prefix reaches below it (check its children). */
function verdict(prefixes: Prefix[], path: string): Verdict {
  const parts = segments(path);
  let deeper = false;
  for (const p of prefixes) {
    const n = Math.min(p.parts.length, parts.length);
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = p.parts[i]!(parts[i]!);
    if (!ok) continue;
    if (p.parts.length <= parts.length) return 'allowed';
    deeper = true;
  }
  return deeper ? 'deeper' : 'denied';
}

function deny(pos: SourcePos, what: string, patterns: string[], configFile: string): Finding {
  return finding(
    'destination-not-allowed',
    pos,
    `destination ${what} is outside the allowedDestinations of ${configFile} (${patterns.join(', ')})`,
  );
}

/** Findings for destinations outside the policy's allow-list (none when the list is empty). */
export function checkPolicy(
  policy: Policy,
  configFile: string,
  images: ImageManifest[],
  files: FileManifest[],
): Finding[] {
  if (policy.allowedDestinations.length === 0) return [];
  const prefixes = compile(policy.allowedDestinations);
  const patterns = policy.allowedDestinations;
  const out: Finding[] = [];
  for (const m of images) {
    for (const r of m.registries.filter((x) => !x.src)) {
      const name = normalizeRegistryName(r.name);
      const v = verdict(prefixes, name);
      if (v === 'denied') out.push(deny(r.pos, `"${name}"`, patterns, configFile));
      if (v !== 'deeper') continue;
      for (const image of m.images) {
        const path = repositoryPath(name, image.name);
        if (verdict(prefixes, path) !== 'allowed')
          out.push(deny(image.pos, `"${path}"`, patterns, configFile));
      }
    }
  }
  for (const m of files) {
    for (const s of m.filestores.filter((x) => !x.src)) {
      const base = normalizeBase(s.base);
      const v = verdict(prefixes, base);
      if (v === 'denied') out.push(deny(s.pos, `"${base}"`, patterns, configFile));
      if (v !== 'deeper') continue;
      for (const f of m.files) {
        if (verdict(prefixes, base + f.name) !== 'allowed')
          out.push(deny(f.pos, `"${base}${f.name}"`, patterns, configFile));
      }
    }
  }
  return out;
}
