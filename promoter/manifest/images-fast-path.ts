/**
 * A fast reader for the canonical shape of kpromo images lists, which is almost all of a real repository's
 * bytes (k8s.io's kubernetes images.yaml alone is ~1 MB):
 *
 *     - name: kube-apiserver
 *       dmap:
 *         "sha256:<hex>": ["v1.30.0", "v1.30"]
 *
 * It accepts only lines whose YAML meaning is unambiguous (plain or escape-free double-quoted scalars, one
 * flow list per digest, fixed indentation, comments) and returns undefined on anything else — the caller
 * then uses the full YAML parser. A differential test holds it to the full parser's output on the corpus.
 */
import type { Digest } from '../domain/digest.js';
import type { ImageSpec, TagSpec } from '../domain/manifest-model.js';
import { COMMENT_OR_BLANK, fastLines, QUOTED, scalarText, TRAIL } from './fast-scalars.js';
import { pointer } from './json-pointer.js';

/** What the fast path read: the plain data (for the schema check) and the model with positions. */
export interface FastImages {
  data: { name: string; dmap: Record<string, string[]> | null }[] | null;
  images: ImageSpec[];
}

// Plain scalars that YAML's core schema reads as strings: start with a letter or underscore, no indicators.
const PLAIN_NAME = '[a-z_][a-z0-9._/-]*';
const PLAIN_KEY = 'sha256:[0-9a-zA-Z]+';
const PLAIN_TAG = '[A-Za-z_][A-Za-z0-9_.-]*';

const ITEM = new RegExp(`^- name: (${QUOTED}|${PLAIN_NAME})${TRAIL}`);
const DMAP = new RegExp(`^  dmap:${TRAIL}`);
const ENTRY = new RegExp(`^    (${QUOTED}|${PLAIN_KEY}): *\\[([^\\]#]*)\\]${TRAIL}`);
const TAG = new RegExp(`^ *(${QUOTED}|${PLAIN_TAG}) *$`);

interface Cursor {
  file: string;
  line: number;
}

/** Parses the inside of a flow list `[…]` starting at `col0` (0-based); undefined when not canonical. */
function parseTags(
  inside: string,
  col0: number,
  at: Cursor,
  path: string,
): { tags: string[]; specs: TagSpec[] } | undefined {
  const tags: string[] = [];
  const specs: TagSpec[] = [];
  if (inside.trim() === '') return { tags, specs };
  let offset = 0;
  for (const part of inside.split(',')) {
    const m = TAG.exec(part);
    const tag = m ? scalarText(m[1]!) : undefined;
    if (!m || tag === undefined) return undefined;
    const column = col0 + offset + part.indexOf(m[1]!) + 1;
    specs.push({ tag, pos: { file: at.file, line: at.line, column, path: pointer(path, tags.length) } });
    tags.push(tag);
    offset += part.length + 1;
  }
  return { tags, specs };
}

interface Reading {
  file: string;
  data: { name: string; dmap: Record<string, string[]> | null }[];
  images: ImageSpec[];
  inDmap: boolean;
}

/** Handles `- name: …`; false when not canonical. */
function startImage(r: Reading, raw: string, line: number): boolean {
  const name = scalarText(raw);
  if (name === undefined) return false;
  r.data.push({ name, dmap: null });
  r.images.push({
    name,
    digests: [],
    pos: { file: r.file, line, column: 9, path: pointer('', r.data.length - 1, 'name') },
  });
  r.inDmap = false;
  return true;
}

/** Handles `    "sha256:…": [tags]`; false when not canonical (or a duplicate key, which the full parser reports). */
function addDigest(r: Reading, m: RegExpExecArray, text: string, line: number): boolean {
  const current = r.data[r.data.length - 1];
  const spec = r.images[r.images.length - 1];
  const key = scalarText(m[1]!);
  if (!current || !spec || !r.inDmap || key === undefined) return false;
  current.dmap ??= {};
  if (Object.hasOwn(current.dmap, key)) return false;
  const digestPath = pointer('', r.data.length - 1, 'dmap', key);
  const col0 = text.indexOf('[', 4 + m[1]!.length) + 1;
  const parsed = parseTags(m[2]!, col0, { file: r.file, line }, digestPath);
  if (!parsed) return false;
  current.dmap[key] = parsed.tags;
  spec.digests.push({
    digest: key as Digest,
    tags: parsed.specs,
    pos: { file: r.file, line, column: 5, path: digestPath },
  });
  return true;
}

/** Reads `text` if it is a canonical images list; undefined means "use the full parser". */
export function readImagesFast(file: string, text: string): FastImages | undefined {
  const lines = fastLines(text);
  if (!lines) return undefined;
  const r: Reading = { file, data: [], images: [], inDmap: false };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (COMMENT_OR_BLANK.test(line)) continue;
    const item = ITEM.exec(line);
    const entry = item ? null : ENTRY.exec(line);
    let ok: boolean;
    if (item) ok = startImage(r, item[1]!, i + 1);
    else if (entry) ok = addDigest(r, entry, line, i + 1);
    else if (DMAP.test(line)) {
      const current = r.data[r.data.length - 1];
      ok = current !== undefined && !r.inDmap && current.dmap === null;
      r.inDmap = true;
    } else ok = false;
    if (!ok) return undefined;
  }
  // A `dmap:` with no entries is null in YAML; the schema rejects it, and the full parser reports where.
  if (r.data.some((d) => d.dmap === null)) return undefined;
  return { data: r.data.length === 0 ? null : r.data, images: r.images };
}
