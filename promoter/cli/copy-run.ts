/** Runs `promoter copy` (loaded only when the command runs). */
import { StoreResolver } from '../adapters/registry/store-resolver.js';
import { defaultBlobLocationsPath, FileBlobLocations } from '../copy/blob-locations.js';
import { runCopy } from '../copy/copy-references.js';
import { CopySession } from '../copy/copy-session.js';
import { parseReference } from '../domain/reference.js';
import { paletteFor, wantsColour } from '../report/colour.js';
import { formatCopyJson, formatCopyText } from '../report/copy-format.js';
import { ByteTicker } from '../report/progress.js';
import { EXIT_FAILED, EXIT_OK } from './exit-codes.js';

/** The flags of `copy`. */
export interface CopyFlags {
  allTags?: boolean;
  insecureRegistry: string[];
  format: 'text' | 'json';
  concurrency: string;
}

/** Copies and prints the report; returns the exit code. */
export async function runCopyCommand(src: string, dsts: string[], flags: CopyFlags): Promise<number> {
  const concurrency = Number(flags.concurrency);
  const resolver = new StoreResolver({ insecureHosts: flags.insecureRegistry });
  try {
    const job = {
      source: parseReference(src),
      targets: dsts.map(parseReference),
      allTags: flags.allTags === true,
    };
    const locations = FileBlobLocations.load(defaultBlobLocationsPath());
    const blobConcurrency = Number.isInteger(concurrency) && concurrency > 0 ? concurrency : 6;
    const ticker = process.stderr.isTTY ? new ByteTicker(process.stderr, 'copying:') : undefined;
    const session = new CopySession({
      blobConcurrency,
      locations,
      ...(ticker ? { onUploaded: (n: number) => ticker.add(n) } : {}),
    });
    const report = await runCopy(job, resolver, session).finally(() => ticker?.stop());
    await locations.save().catch(() => undefined); // a cache that cannot be written is only a missed shortcut
    const out =
      flags.format === 'json'
        ? formatCopyJson(report)
        : formatCopyText(report, paletteFor(wantsColour(process.stdout)));
    process.stdout.write(out);
    return report.failures === 0 ? EXIT_OK : EXIT_FAILED;
  } finally {
    await resolver.close();
  }
}
