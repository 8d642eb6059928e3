/**
 * The JSON Schemas are the single source of truth for structure: the domain's patterns match them, the
 * build's precompiled validators agree with a fresh compile, and every schema compiles in strict mode.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { ValidateFunction } from 'ajv';
import { DIGEST_PATTERN, SHA256_HEX_PATTERN } from '../../../promoter/domain/digest.js';
import { TAG_PATTERN } from '../../../promoter/domain/tag.js';
import { createAjv, SCHEMA_KINDS, schemaHash, schemaKey } from '../../../promoter/manifest/schema-compile.js';
import { ROOT } from '../../helpers/cli.js';

const defs = JSON.parse(readFileSync(join(ROOT, 'schemas', 'defs.schema.json'), 'utf8')) as {
  definitions: Record<string, { pattern?: string }>;
};

describe('schemas', () => {
  it('use the same digest and tag rules as the code', () => {
    expect(defs.definitions.digest!.pattern).toBe(DIGEST_PATTERN.source);
    expect(defs.definitions.tag!.pattern).toBe(TAG_PATTERN.source);
    expect(defs.definitions.sha256!.pattern).toBe(SHA256_HEX_PATTERN.source.replace('a-f', 'a-fA-F'));
  });

  it('all compile in strict mode', () => {
    const ajv = createAjv();
    for (const kind of SCHEMA_KINDS) expect(ajv.getSchema(schemaKey(kind))).toBeInstanceOf(Function);
  });

  const samples: [string, unknown][] = [
    ['images', [{ name: 'app', dmap: { [`sha256:${'a'.repeat(64)}`]: ['v1'] } }]],
    ['images', [{ name: 'App', dmap: { 'sha256:x': ['-bad'] }, extra: 1 }]],
    ['promoter-manifest', { registries: [{ name: 'gcr.io/x', src: 'yes' }], imagesPath: 3 }],
    ['files', { files: [{ name: 'a', sha256: 'xyz' }] }],
    ['promoter', { policy: { deletions: { allowed: true, maxDeletes: -1 } }, other: true }],
  ];

  it.each(samples)('precompiled validators (from the build) agree with a fresh compile: %s', (kind, data) => {
    const file = join(ROOT, 'dist', 'schemas', 'validators.cjs');
    expect(existsSync(file)).toBe(true);
    const pre = createRequire(import.meta.url)(file) as { hash: string } & Record<string, ValidateFunction>;
    expect(pre.hash).toBe(schemaHash());
    const fresh = createAjv().getSchema(`${kind}.schema.json`)!;
    const a = pre[kind]!;
    expect(a(data)).toBe(fresh(data));
    const strip = (errs: typeof a.errors) =>
      (errs ?? []).map((e) => ({
        path: e.instancePath,
        kw: e.keyword,
        params: e.params,
        prop: e.propertyName,
      }));
    expect(strip(a.errors)).toEqual(strip(fresh.errors));
  });
});
