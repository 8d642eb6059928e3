/**
 * Meaning checks on promoter.yaml's `filestores:` entries that the schema cannot express: a directory
 * and an endpoint exclude each other, file:// prefixes take no endpoint, region and access keys belong to
 * s3://, a key file to gs://, access keys come in pairs, and each prefix is listed once.
 */
import { type Finding, finding } from '../domain/finding.js';
import type { FilestoreEndpointConfig } from '../domain/manifest-model.js';

/** Findings about the filestore endpoints of promoter.yaml. */
export function checkFilestoreEndpoints(entries: FilestoreEndpointConfig[]): Finding[] {
  const out: Finding[] = [];
  const seen = new Map<string, number>();
  for (const e of entries) {
    const scheme = e.prefix.slice(0, e.prefix.indexOf('://') + 3);
    const bad = (message: string) =>
      out.push(finding('invalid-value', e.pos, `filestore ${e.prefix}: ${message}`));
    if (e.directory !== undefined && e.endpoint !== undefined)
      bad('"directory" and "endpoint" exclude each other (a directory stands in for the whole service)');
    if (scheme === 'file://' && e.endpoint !== undefined) bad('a file:// prefix has no API endpoint');
    if (scheme !== 's3://' && e.region !== undefined) bad('"region" applies to s3:// filestores only');
    const c = e.credentials ?? {};
    if (scheme !== 's3://' && (c.accessKeyIdEnv || c.secretAccessKeyEnv || c.sessionTokenEnv))
      bad('access keys apply to s3:// filestores only');
    if (scheme !== 'gs://' && c.keyFile) bad('"keyFile" applies to gs:// filestores only');
    if (Boolean(c.accessKeyIdEnv) !== Boolean(c.secretAccessKeyEnv))
      bad('"accessKeyIdEnv" and "secretAccessKeyEnv" go together');
    if (e.directory !== undefined && e.credentials) bad('a local directory takes no credentials');
    const first = seen.get(e.prefix);
    if (first !== undefined) bad(`listed twice (first at line ${first})`);
    else seen.set(e.prefix, e.pos.line);
  }
  return out;
}
