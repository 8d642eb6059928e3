/** The skopeo CLI as an independent second opinion on what a registry holds. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Credentials as `user:pass` or an object. */
export type SkopeoCreds = string | { user: string; password: string };

/** Options of a skopeo run. */
export interface SkopeoOptions {
  /** Kill skopeo after this many ms; 60 s unless given. */
  timeoutMs?: number;
  /** Extra arguments placed before the image references. */
  args?: string[];
}

/** Options of `skopeoInspectRaw`. */
export interface SkopeoInspectOptions extends SkopeoOptions {
  creds?: SkopeoCreds;
}

/** Options of `skopeoCopy`. */
export interface SkopeoCopyOptions extends SkopeoOptions {
  srcCreds?: SkopeoCreds;
  destCreds?: SkopeoCreds;
}

function creds(c: SkopeoCreds): string {
  return typeof c === 'string' ? c : `${c.user}:${c.password}`;
}

/** The global flags: `--insecure-policy` when the machine has no /etc/containers/policy.json. */
function globalArgs(): string[] {
  return existsSync('/etc/containers/policy.json') ? [] : ['--insecure-policy'];
}

/** Runs `skopeo args…`; resolves with stdout, rejects with stderr. */
export function skopeo(args: string[], timeoutMs = 60_000): Promise<Buffer> {
  const all = [...globalArgs(), ...args];
  return new Promise((resolve, reject) => {
    execFile(
      'skopeo',
      all,
      {
        encoding: 'buffer',
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' },
      },
      (err, stdout, stderr) => {
        if (err) {
          const detail = stderr.toString('utf8').trim() || err.message;
          reject(new Error(`skopeo ${all.join(' ')} failed: ${detail}`, { cause: err }));
        } else resolve(stdout);
      },
    );
  });
}

/** The exact manifest bytes of `ref` (`HOST/REPO:TAG`, `HOST/REPO@DIGEST`, `docker://…` or `oci:DIR:tag`). */
export function skopeoInspectRaw(ref: string, opts: SkopeoInspectOptions = {}): Promise<Buffer> {
  const full =
    ref.includes('://') || /^(oci|oci-archive|dir|docker-archive):/.test(ref) ? ref : `docker://${ref}`;
  const args = [
    'inspect',
    '--raw',
    '--tls-verify=false',
    ...(opts.creds ? ['--creds', creds(opts.creds)] : []),
  ];
  return skopeo([...args, ...(opts.args ?? []), full], opts.timeoutMs);
}

/** `skopeo copy --all --preserve-digests` between any two references (`docker://…`, `oci:DIR:tag`, …). */
export async function skopeoCopy(src: string, dst: string, opts: SkopeoCopyOptions = {}): Promise<void> {
  const args = [
    'copy',
    '--all',
    '--preserve-digests',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    ...(opts.srcCreds ? ['--src-creds', creds(opts.srcCreds)] : []),
    ...(opts.destCreds ? ['--dest-creds', creds(opts.destCreds)] : []),
    ...(opts.args ?? []),
  ];
  await skopeo([...args, src, dst], opts.timeoutMs);
}
