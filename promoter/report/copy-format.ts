/** Renders a copy run for people (text) and programs (JSON). */
import type { CopyRunReport } from '../copy/copy-references.js';
import type { TargetReport } from '../copy/copy-session.js';
import type { Palette } from './colour.js';

/** Bytes as a short human figure. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function targetLine(t: TargetReport, c: Palette): string {
  const status =
    t.status === 'failed' ? c.red('failed') : t.status === 'copied' ? c.green('copied') : 'present';
  const parts: string[] = [];
  if (t.blobsCopied || t.blobsMounted || t.blobsSkipped) {
    parts.push(
      `${t.blobsCopied} blobs uploaded (${formatBytes(t.bytesUploaded)}), ${t.blobsMounted} mounted, ${t.blobsSkipped} already there`,
    );
  }
  if (t.manifestsPut) parts.push(`${t.manifestsPut} manifests put`);
  if (t.tagsPut.length) parts.push(`tagged ${t.tagsPut.join(', ')}`);
  if (t.tagsUnchanged.length) parts.push(`tag ${t.tagsUnchanged.join(', ')} unchanged`);
  if (t.error) parts.push(t.error);
  return `  → ${t.target}: ${status}${parts.length ? ` — ${parts.join('; ')}` : ''}`;
}

/** The text report. */
export function formatCopyText(r: CopyRunReport, c: Palette): string {
  const lines: string[] = [];
  for (const img of r.images) {
    lines.push(`${c.bold(img.source)} ${img.ref === img.digest ? '' : `${img.ref} `}${c.dim(img.digest)}`);
    for (const t of img.targets) lines.push(targetLine(t, c));
  }
  const requests = Object.values(r.requests).reduce((n, h) => n + h.requests, 0);
  const t = r.totals;
  lines.push(
    `source: ${t.sourceBlobsRead} blobs read (${formatBytes(t.sourceBytesRead)}) for ${t.uniqueBlobs} unique blobs (${formatBytes(t.uniqueBlobBytes)}); ` +
      `${requests} requests; ${(r.elapsedMs / 1000).toFixed(2)} s`,
  );
  const failed = r.failures;
  lines.push(failed ? c.red(`✖ ${failed} destination copies failed`) : c.green('✔ done'));
  return `${lines.join('\n')}\n`;
}

/** The JSON report. */
export function formatCopyJson(r: CopyRunReport): string {
  return `${JSON.stringify({ ok: r.failures === 0, ...r, elapsedMs: Math.round(r.elapsedMs) }, null, 2)}\n`;
}
