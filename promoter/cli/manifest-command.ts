/** `promoter manifest files --src DIR|URL [--prefix P]`: write a file list from what a directory or bucket holds. */
import { Command } from 'commander';
import type { ManifestFilesFlags } from './manifest-run.js';

/** The `manifest` command and its `files` subcommand. */
export function manifestCommand(setExit: (code: number) => void): Command {
  const files = new Command('files')
    .description(
      'hash every file under a directory (or an s3://, gs:// or file:// base) and print a `files:` list ' +
        '(name and sha256 per file, sorted) for a file promotion manifest',
    )
    .requiredOption('--src <dir|url>', 'the staging directory, or a filestore base such as gs://bucket/dir/')
    .option('--prefix <prefix>', 'only files whose path (relative to --src) starts with this')
    .option('--concurrency <n>', 'files hashed at once', '4')
    .addHelpText(
      'after',
      '\nNames are relative to --src. s3:// and gs:// are reached as promotion reaches them without a\n' +
        'promoter.yaml: AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, STORAGE_EMULATOR_HOST and the SDKs’ default\n' +
        'credentials. Files whose names promotion would reject are left out and named on stderr.\n' +
        'Exit status: 0 every file listed, 1 some files left out, 2 usage or I/O error.',
    )
    .action(async (flags: ManifestFilesFlags) => {
      const { runManifestFiles } = await import('./manifest-run.js');
      setExit(await runManifestFiles(flags));
    });
  return new Command('manifest')
    .description('write manifests from what stores hold')
    .addCommand(files.exitOverride().showHelpAfterError('(run with --help for usage)'));
}
