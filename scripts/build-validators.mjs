// Writes dist/schemas/validators.cjs: ajv standalone validators for every schema in schemas/, with a hash
// of the schema files so the runtime uses them only while they match (it compiles afresh otherwise).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { createAjv, SCHEMA_KINDS, schemaHash, schemaKey } from '../dist/promoter/manifest/schema-compile.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ajv = createAjv(true);
const refs = Object.fromEntries(SCHEMA_KINDS.map((k) => [k, schemaKey(k)]));
const code = standaloneCode.default(ajv, refs);
const out = join(root, 'dist', 'schemas', 'validators.cjs');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${code}\nexports.hash = ${JSON.stringify(schemaHash())};\n`);
