/**
 * How the JSON Schemas in schemas/ are compiled: one place for ajv's options, used at run time (from
 * source) and by the build, which writes standalone validators to dist/ so a CLI run skips compiling.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type AnySchemaObject } from 'ajv';
import { schemasDir } from '../package-paths.js';

/** The file kinds that have a schema, by schema file name (`<kind>.schema.json`). */
export const SCHEMA_KINDS = [
  'promoter-manifest',
  'images',
  'plain-manifest',
  'filepromoter-manifest',
  'files',
  'promoter',
] as const;
export type SchemaKind = (typeof SCHEMA_KINDS)[number];

/** The schema files, sorted, with their contents. */
function schemaFiles(): { name: string; text: string }[] {
  const dir = schemasDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.schema.json'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
}

/** A digest of every schema file, so precompiled validators can be checked against the schemas. */
export function schemaHash(): string {
  const h = createHash('sha256');
  for (const f of schemaFiles()) h.update(f.name).update('\0').update(f.text).update('\0');
  return h.digest('hex');
}

/** An ajv instance holding every schema; `source` keeps generated code for standalone output. */
export function createAjv(source = false): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    verbose: true,
    allowUnionTypes: true,
    code: { source },
  });
  ajv.addKeyword({ keyword: 'x-finding', schemaType: 'string' });
  for (const f of schemaFiles()) ajv.addSchema(JSON.parse(f.text) as AnySchemaObject, f.name);
  return ajv;
}

/** The schema key of a kind. */
export function schemaKey(kind: SchemaKind): string {
  return `${kind}.schema.json`;
}
