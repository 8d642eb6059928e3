/**
 * Stage one of validation: ajv checks a YAML file against its JSON Schema in schemas/ (compiled once per
 * process), and every schema error becomes a finding located at the offending YAML node.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { describeDigestProblem, describeHexProblem } from '../domain/digest.js';
import { type Finding, finding } from '../domain/finding.js';
import { FINDING_CODES, type FindingCode } from '../domain/finding-codes.js';
import { describeTagProblem } from '../domain/tag.js';
import { packageRoot } from '../package-paths.js';
import { createAjv, SCHEMA_KINDS, type SchemaKind, schemaHash, schemaKey } from './schema-compile.js';

export type { SchemaKind };

import { type YamlFile } from './yaml-file.js';
import { pointer } from './json-pointer.js';
import { keyNodeAt, nodeAtPointer, posOf } from './yaml-nodes.js';

let validators: Map<SchemaKind, ValidateFunction> | undefined;

/** Standalone validators written by the build, if present and built from the current schemas. */
function precompiled(): Map<SchemaKind, ValidateFunction> | undefined {
  const file = join(packageRoot(), 'dist', 'schemas', 'validators.cjs');
  if (!existsSync(file)) return undefined;
  const mod = createRequire(import.meta.url)(file) as { hash: string } & Record<string, ValidateFunction>;
  if (mod.hash !== schemaHash()) return undefined;
  return new Map(SCHEMA_KINDS.map((k) => [k, mod[k]!]));
}

function compileAll(): Map<SchemaKind, ValidateFunction> {
  const ajv = createAjv();
  return new Map(SCHEMA_KINDS.map((k) => [k, ajv.getSchema(schemaKey(k))!]));
}

/** The validator for one file kind (compiled once per process). */
function validatorFor(kind: SchemaKind): ValidateFunction {
  validators ??= precompiled() ?? compileAll();
  return validators.get(kind)!;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

function describeExpectedType(type: unknown): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    boolean: 'true or false',
    integer: 'an integer',
    number: 'a number',
    null: 'empty',
  };
  const list = Array.isArray(type) ? type : [type];
  return list.map((t) => names[String(t)] ?? String(t)).join(' or ');
}

/** A person-readable message for a value that broke the rule annotated with `code`. */
function annotatedMessage(code: FindingCode, value: string): string {
  switch (code) {
    case 'digest-invalid':
      return describeDigestProblem(value);
    case 'tag-invalid':
      return describeTagProblem(value);
    case 'sha256-invalid':
      return `invalid sha256 ${JSON.stringify(value)}: ${describeHexProblem(value.toLowerCase())}`;
    case 'registry-name-invalid':
      return `invalid registry name ${JSON.stringify(value)}: expected host[:port][/lowercase/path]`;
    case 'image-name-invalid':
      return `invalid image name ${JSON.stringify(value)}: expected lowercase path components (a-z, 0-9, ".", "_", "-") separated by "/"`;
    default:
      return `${JSON.stringify(value)}: ${FINDING_CODES[code].summary}`;
  }
}

function toFinding(y: YamlFile, e: ErrorObject): Finding | undefined {
  const params = e.params as Record<string, unknown>;
  const here = e.instancePath;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      const pos = posOf(y, keyNodeAt(y, here, key), pointer(here, key));
      const hint = allowed.length ? ` (allowed here: ${allowed.join(', ')})` : '';
      return finding('unknown-field', pos, `unknown field "${key}"${hint}`);
    }
    case 'required': {
      const key = String(params.missingProperty);
      return finding(
        'missing-field',
        posOf(y, nodeAtPointer(y, here), here),
        `missing required field "${key}"`,
      );
    }
    case 'type':
      return finding(
        'wrong-type',
        posOf(y, nodeAtPointer(y, here), here),
        `${here ? `"${here.slice(here.lastIndexOf('/') + 1)}"` : 'the document'} must be ${describeExpectedType(params.type)}, not ${typeName(e.data)}`,
      );
    case 'propertyNames':
      return undefined; // the nested error, which names the key, is reported instead
    default: {
      const code = (e.parentSchema?.['x-finding'] as FindingCode | undefined) ?? 'invalid-value';
      const keyName = e.propertyName;
      if (keyName !== undefined) {
        const pos = posOf(y, keyNodeAt(y, here, keyName), pointer(here, keyName));
        return finding(code, pos, annotatedMessage(code, keyName));
      }
      const pos = posOf(y, nodeAtPointer(y, here), here);
      if (code !== 'invalid-value' && typeof e.data === 'string')
        return finding(code, pos, annotatedMessage(code, e.data));
      const field = here ? `"${here.slice(here.lastIndexOf('/') + 1)}"` : 'the document';
      return finding(
        code,
        pos,
        `${field} ${e.message ?? 'is invalid'}${e.keyword === 'enum' ? `: ${(params.allowedValues as unknown[]).join(', ')}` : ''}`,
      );
    }
  }
}

/** True when plain data satisfies the schema of `kind` (no locations needed). */
export function matchesSchema(kind: SchemaKind, data: unknown): boolean {
  return validatorFor(kind)(data) === true;
}

/** Checks a parsed YAML file against the schema of `kind`; returns one finding per problem. */
export function schemaFindings(kind: SchemaKind, y: YamlFile): Finding[] {
  const validate = validatorFor(kind);
  if (validate(y.data)) return [];
  const out: Finding[] = [];
  for (const e of validate.errors ?? []) {
    const f = toFinding(y, e);
    if (f) out.push(f);
  }
  return out;
}
