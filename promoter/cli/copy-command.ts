/** `promoter copy SRC DST [DST…] [--all-tags] [--format text|json]`: copy images by hand, digest-preserving. */
import { Command, Option } from 'commander';
import type { CopyFlags } from './copy-run.js';

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
      const { runCopyCommand } = await import('./copy-run.js');
      setExit(await runCopyCommand(src, dsts, flags));
    });
}
