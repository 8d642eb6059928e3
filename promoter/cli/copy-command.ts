/** `promoter copy SRC DST [DST…] [--all-tags] [--format text|json]`: copy images by hand, digest-preserving. */
import { Command, Option } from 'commander';
import { StoreResolver } from '../adapters/registry/store-resolver.js';
import { runCopy } from '../copy/copy-references.js';
import { CopySession } from '../copy/copy-session.js';
import { parseReference } from '../domain/reference.js';
import { paletteFor, wantsColour } from '../report/colour.js';
import { formatCopyJson, formatCopyText } from '../report/copy-format.js';
import { EXIT_FAILED, EXIT_OK } from './exit-codes.js';

interface CopyFlags {
  allTags?: boolean;
  insecureRegistry: string[];
  format: 'text' | 'json';
  concurrency: string;
}

/** The `copy` command definition. */
export function copyCommand(setExit: (code: number) => void): Command {
  return new Command('copy')
    .description(
      'copy an image (every platform of an index, its blobs, manifests byte-for-byte) from SRC to each DST; ' +
        'what a destination already holds is skipped, blobs are mounted within a registry, and each source blob ' +
        'is read once for all destinations',
    )
    .argument('<src>', 'host[:port]/repo:tag, host[:port]/repo@sha256:…, or oci-layout:DIR[:tag]')
    .argument(
      '<dst...>',
      'destination repositories (host[:port]/repo[:tag] or oci-layout:DIR[:tag]); without a tag, the source tag',
    )
    .option('--all-tags', 'copy every tag of the source repository (SRC and DST name repositories only)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--concurrency <n>', 'blob transfers at once', '6')
    .option(
      '--insecure-registry <host>',
      'allow plain http to this registry host (repeatable; loopback hosts always may)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .addHelpText(
      'after',
      "\nCredentials come from $REGISTRY_AUTH_FILE or Docker's config.json (auths, credHelpers, credsStore).\n" +
        'Exit status: 0 every destination holds the image, 1 some destination failed, 2 usage or I/O error.',
    )
    .action(async (src: string, dsts: string[], flags: CopyFlags) => {
      const concurrency = Number(flags.concurrency);
      const resolver = new StoreResolver({ insecureHosts: flags.insecureRegistry });
      try {
        const job = {
          source: parseReference(src),
          targets: dsts.map(parseReference),
          allTags: flags.allTags === true,
        };
        const session = new CopySession({
          blobConcurrency: Number.isInteger(concurrency) && concurrency > 0 ? concurrency : 6,
        });
        const report = await runCopy(job, resolver, session);
        process.stdout.write(
          flags.format === 'json'
            ? formatCopyJson(report)
            : formatCopyText(report, paletteFor(wantsColour(process.stdout))),
        );
        setExit(report.failures === 0 ? EXIT_OK : EXIT_FAILED);
      } finally {
        await resolver.close();
      }
    });
}
