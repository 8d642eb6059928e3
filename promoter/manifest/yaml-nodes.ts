/** Walking a parsed YAML document: entries, items and scalars, with aliases followed and positions kept. */
import { isAlias, isMap, isScalar, isSeq, type Node, type Scalar } from 'yaml';
import type { SourcePos } from '../domain/finding.js';
import type { YamlFile } from './yaml-file.js';

/** The position of `node` (or of the document start) in `y`, labelled with the JSON pointer `path`. */
export function posOf(y: YamlFile, node: Node | null | undefined, path: string): SourcePos {
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = y.lines.linePos(offset);
  return { file: y.file, line, column: col, path };
}

/** Follows an alias to the node it names; other nodes are returned as they are. */
export function resolve(y: YamlFile, node: unknown): Node | undefined {
  if (isAlias(node)) return node.resolve(y.doc) ?? undefined;
  return (node ?? undefined) as Node | undefined;
}

/** A key/value pair of a mapping whose key is a scalar. */
export interface MapEntry {
  key: string;
  keyNode: Scalar;
  value: Node | undefined;
}

/** The scalar-keyed entries of a mapping node (empty when `node` is not a mapping). */
export function mapEntries(y: YamlFile, node: unknown): MapEntry[] {
  const map = resolve(y, node);
  if (!isMap(map)) return [];
  const out: MapEntry[] = [];
  for (const pair of map.items) {
    if (!isScalar(pair.key)) continue;
    out.push({ key: String(pair.key.value), keyNode: pair.key, value: resolve(y, pair.value) });
  }
  return out;
}

/** The entry with key `key`, if the mapping has one. */
export function mapEntry(y: YamlFile, node: unknown, key: string): MapEntry | undefined {
  return mapEntries(y, node).find((e) => e.key === key);
}

/** The items of a sequence node (empty when `node` is not a sequence). */
export function seqItems(y: YamlFile, node: unknown): Node[] {
  const seq = resolve(y, node);
  if (!isSeq(seq)) return [];
  return seq.items.map((item) => resolve(y, item)).filter((n): n is Node => n !== undefined);
}

/** The string value of a scalar node, or undefined for anything else. */
export function scalarString(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

/** The boolean value of a scalar node, or undefined. */
export function scalarBool(node: unknown): boolean | undefined {
  return isScalar(node) && typeof node.value === 'boolean' ? node.value : undefined;
}

/** Finds the node at a JSON pointer, or the deepest node on the way when the path does not exist. */
export function nodeAtPointer(y: YamlFile, path: string): Node | undefined {
  const segments =
    path === ''
      ? []
      : path
          .slice(1)
          .split('/')
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node = resolve(y, y.doc.contents);
  for (const seg of segments) {
    if (isSeq(node)) {
      const next = node.items[Number(seg)];
      if (next === undefined) return node;
      node = resolve(y, next);
    } else if (isMap(node)) {
      const entry = mapEntry(y, node, seg);
      if (!entry) return node;
      node = entry.value ?? entry.keyNode;
    } else {
      return node;
    }
  }
  return node;
}

/** The key node of `key` inside the mapping at `path`, for findings about a field name. */
export function keyNodeAt(y: YamlFile, path: string, key: string): Node | undefined {
  return mapEntry(y, nodeAtPointer(y, path), key)?.keyNode;
}
