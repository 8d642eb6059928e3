/**
 * A fast reader for the canonical shape of kpromo thin manifests (manifests/<project>/promoter-manifest.yaml):
 *
 *     registries:
 *     - name: gcr.io/k8s-staging-foo        (or indented: "  - name: …")
 *       src: true
 *     - name: us-central1-docker.pkg.dev/k8s-artifacts-prod/images/foo
 *       service-account: promoter@example.iam.gserviceaccount.com
 *     imagesPath: "…"                        (deprecated, optional)
 *
 * Anything else (a provenance block, anchors, flow style, other keys) returns undefined and the caller
 * uses the full YAML parser. A differential test holds it to the full parser's output on the corpus.
 */
import type { SourcePos } from '../domain/finding.js';
import type { RegistrySpec } from '../domain/manifest-model.js';
import { COMMENT_OR_BLANK, fastLines, QUOTED, scalarText, TRAIL } from './fast-scalars.js';
import { pointer } from './json-pointer.js';

/** What the fast path read: plain data for the schema check, and the model with positions. */
export interface FastRegistries {
  data: { registries: Record<string, string | boolean>[]; imagesPath?: string };
  registries: RegistrySpec[];
  registriesPos: SourcePos;
  /** Where `imagesPath` is, when present (kpromo ignores it). */
  imagesPathPos: SourcePos | undefined;
}

const PLAIN = '[A-Za-z_][A-Za-z0-9@._/-]*';
const ROOT_KEY = new RegExp(`^(registries|imagesPath):(?: +(${QUOTED}|${PLAIN}))?${TRAIL}`);
const VALUE_START = /^ *(?:- )?[a-z-]+: +/;
const FIELD = new RegExp(`^( *)(- )?(name|src|service-account): +(${QUOTED}|${PLAIN})${TRAIL}`);

interface Item {
  data: Record<string, string | boolean>;
  pos: Record<string, SourcePos>;
}

/** Reads one `name|src|service-account` value; undefined when it is not a canonical string or boolean. */
function fieldValue(key: string, raw: string): string | boolean | undefined {
  if (key !== 'src') return scalarText(raw);
  return raw === 'true' ? true : raw === 'false' ? false : undefined;
}

/** Reads `text` if it is a canonical thin manifest; undefined means "use the full parser". */
export function readRegistriesFast(file: string, text: string): FastRegistries | undefined {
  const lines = fastLines(text);
  if (!lines) return undefined;
  const items: Item[] = [];
  let registriesPos: SourcePos | undefined;
  let imagesPath: { value: string; pos: SourcePos } | undefined;
  let inRegistries = false;
  let itemIndent: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (COMMENT_OR_BLANK.test(line)) continue;
    const root = ROOT_KEY.exec(line);
    if (root) {
      const pos = { file, line: i + 1, column: 1, path: `/${root[1]}` };
      inRegistries = root[1] === 'registries';
      if (inRegistries) {
        if (registriesPos || root[2] !== undefined) return undefined;
        registriesPos = pos;
      } else {
        const value = root[2] === undefined ? undefined : scalarText(root[2]);
        if (value === undefined || imagesPath) return undefined;
        imagesPath = { value, pos };
      }
      continue;
    }
    const m = FIELD.exec(line);
    if (!m || !inRegistries) return undefined;
    const [, spaces, dash, key, raw] = m as unknown as [string, string, string | undefined, string, string];
    if (dash) {
      if (itemIndent !== undefined && spaces.length !== itemIndent) return undefined;
      itemIndent = spaces.length;
      items.push({ data: {}, pos: {} });
    } else if (itemIndent === undefined || spaces.length !== itemIndent + 2) {
      return undefined;
    }
    const item = items[items.length - 1]!;
    const value = fieldValue(key, raw);
    if (value === undefined || Object.hasOwn(item.data, key)) return undefined;
    item.data[key] = value;
    const column = VALUE_START.exec(line)![0].length + 1;
    item.pos[key] = { file, line: i + 1, column, path: pointer('/registries', items.length - 1, key) };
  }
  // No `registries:` or no items (null in YAML): the full parser and schema report it with locations.
  if (!registriesPos || items.length === 0) return undefined;
  const registries: RegistrySpec[] = [];
  for (const item of items) {
    const { name, src, 'service-account': sa } = item.data;
    if (typeof name !== 'string') continue;
    registries.push({
      name,
      src: src === true,
      ...(typeof sa === 'string' ? { serviceAccount: sa } : {}),
      pos: item.pos.name!,
    });
  }
  return {
    data: { registries: items.map((it) => it.data), ...(imagesPath ? { imagesPath: imagesPath.value } : {}) },
    registries,
    registriesPos,
    imagesPathPos: imagesPath?.pos,
  };
}
