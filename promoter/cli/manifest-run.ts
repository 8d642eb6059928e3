/** Runs `promoter manifest files` (loaded only when the command runs). */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FilestoreResolver } from '../adapters/objectstore/filestore-resolver.js';
import { HashCache } from '../adapters/objectstore/hash-cache.js';
import { normalizeBase } from '../domain/names.js';
import { InputError, PathNotFoundError, UsageError } from '../errors.js';
import { hashTree } from '../observe/hash-files.js';
import { formatFilesManifest } from '../report/files-manifest-format.js';
import { EXIT_FAILED, EXIT_OK } from './exit-codes.js';

/** The flags of `manifest files`. */
export interface ManifestFilesFlags {
  src: string;
  prefix?: string;
  concurrency: string;
}

/** The filestore base for --src: a URL as given, a directory as file://. */
async function baseOf(src: string): Promise<string> {
  if (/^(s3|gs|file):\/\//.test(src)) return normalizeBase(src);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(src))
    throw new UsageError(`--src ${src}: unknown scheme; use a directory, s3://, gs:// or file://`);
  const dir = resolve(src);
  const s = await stat(dir).catch((err: unknown) => {
    throw new PathNotFoundError(`--src ${src} does not exist`, { cause: err });
  });
  if (!s.isDirectory()) throw new InputError(`--src ${src} is not a directory`);
  return normalizeBase(`file://${encodeURI(dir)}`);
}

/** Hashes the tree and prints the file list; returns the exit code. */
export async function runManifestFiles(flags: ManifestFilesFlags): Promise<number> {
  const concurrency = Number(flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new UsageError(`--concurrency ${flags.concurrency}: expected a positive integer`);
  const base = await baseOf(flags.src);
  const resolver = new FilestoreResolver({
    entries: [],
    env: process.env,
    baseDir: process.cwd(),
    calls: {},
    hashes: new HashCache(),
  });
  try {
    await resolver.prepare([base]);
    const at = resolver.locate(base);
    const tree = await hashTree(at.store, at.prefix, {
      concurrency,
      ...(flags.prefix ? { only: flags.prefix } : {}),
    });
    process.stdout.write(formatFilesManifest(tree.files));
    for (const s of tree.skipped)
      process.stderr.write(`promoter: left out ${JSON.stringify(s.name)}: ${s.reason}\n`);
    if (tree.files.length === 0 && tree.skipped.length === 0)
      process.stderr.write(`promoter: no files under ${base}${flags.prefix ?? ''}\n`);
    return tree.skipped.length > 0 ? EXIT_FAILED : EXIT_OK;
  } finally {
    await resolver.close();
  }
}
