/**
 * The real k8s.io corpus (../shared/corpus): validate must find its real defects, each as an error at its
 * exact place, nothing else as an error, and the artifacts tree clean. Mutations of a copy must be caught
 * at the right file:line with exit 1.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ROOT, runCli } from '../helpers/cli.js';
import { copyTree, gitCommitAll, gitInitCommit, tempDir } from '../helpers/temp.js';

const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'k8s.io');
const NGINX = 'registry.k8s.io/images/k8s-staging-ingress-nginx/images.yaml';
const KUBE = 'registry.k8s.io/images/k8s-staging-kubernetes/images.yaml';
const ETCD = 'registry.k8s.io/images/k8s-staging-etcd/images.yaml';

interface Doc {
  ok: boolean;
  summary: { errors: number; warnings: number; infos: number; files: number };
  findings: { code: string; file: string; line: number; column: number; severity: string; message: string }[];
}

async function validate(dir: string, ...extra: string[]): Promise<{ code: number | null; doc: Doc }> {
  const r = await runCli(['validate', dir, '--format', 'json', ...extra], { cwd: dir });
  expect(r.stderr).toBe('');
  return { code: r.code, doc: JSON.parse(r.stdout) as Doc };
}

const where = (f: Doc['findings'][number]) => `${f.code}@${f.file}:${f.line}:${f.column}`;

describe('the k8s.io corpus as checked out', () => {
  it('finds the 63-digit digest in ingress-nginx (kpromo skips digest checks for thin manifests) and no other error', async () => {
    const { code, doc } = await validate(CORPUS);
    expect(code).toBe(1);
    expect(doc.findings.filter((f) => f.severity === 'error').map(where)).toEqual([
      `digest-invalid@${NGINX}:203:5`,
    ]);
    expect(doc.summary.files).toBe(126);
  });

  it('reports what kpromo accepts and is harmless at most as a warning', async () => {
    const { doc } = await validate(CORPUS);
    const codes = new Set(doc.findings.filter((f) => f.severity !== 'error').map((f) => f.code));
    expect([...codes].sort()).toEqual(['deprecated-field', 'image-duplicate']);
    const dup = doc.findings.filter((f) => f.code === 'image-duplicate');
    expect(dup.every((f) => f.file === 'registry.k8s.io/images/k8s-staging-etcd-manager/images.yaml')).toBe(
      true,
    );
  });

  it('validates the artifacts tree clean', async () => {
    const { code, doc } = await validate(join(CORPUS, 'artifacts'));
    expect(doc.findings).toEqual([]);
    expect(code).toBe(0);
    expect(doc.summary.files).toBe(6);
  });
});

describe('mutations of a copy of the corpus', () => {
  const tmp = tempDir('promoter-corpus-');
  const repo = join(tmp.dir, 'k8s.io');
  beforeAll(() => {
    copyTree(CORPUS, repo);
    gitInitCommit(repo);
  });
  afterAll(() => tmp.cleanup());

  function edit(file: string, line: number, change: (text: string) => string): void {
    const path = join(repo, file);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[line - 1] = change(lines[line - 1]!);
    writeFileSync(path, lines.join('\n'));
  }

  function restore(): void {
    gitCommitAll(repo, 'checkpoint');
  }

  it('catches a tag moved to another digest (--base)', async () => {
    // pause:3.2 is at line 10047; point it at the digest of 3.3 instead.
    edit(KUBE, 10047, (l) =>
      l
        .replace('"3.2"', '"3.2", "3.3"')
        .replace(
          '927d98197ec1141a368550822d18fa1c60bdae27b78b0c004f705f548c07814f',
          'a319ac2280eb7e3a59e252e54b76327cb4a33cf8389053b0d78277f22bbca2fa',
        ),
    );
    edit(KUBE, 10048, () => '');
    const { code, doc } = await validate(repo, '--base', 'HEAD');
    expect(code).toBe(1);
    expect(doc.findings.filter((f) => f.code === 'tag-moved').map(where)).toEqual([
      `tag-moved@${KUBE}:10047:81`,
    ]);
    restore();
  });

  it('catches an overlapping edge between two projects, on the added line', async () => {
    const path = join(repo, ETCD);
    writeFileSync(
      path,
      `${readFileSync(path, 'utf8')}- name: pause\n  dmap:\n    "sha256:${'1'.repeat(64)}": ["3.2"]\n`,
    );
    const added = readFileSync(path, 'utf8').split('\n').length - 1;
    const { code, doc } = await validate(repo);
    expect(code).toBe(1);
    const conflicts = doc.findings.filter((f) => f.code === 'tag-conflict').map(where);
    expect(conflicts).toContain(`tag-conflict@${ETCD}:${added}:81`);
    expect(conflicts).toContain(`tag-conflict@${KUBE}:10047:81`);
    restore();
  });

  it('catches a bad digest', async () => {
    edit(KUBE, 3, (l) => l.replace('sha256:10e2', 'sha256:10E2'));
    const { code, doc } = await validate(repo);
    expect(code).toBe(1);
    expect(doc.findings.filter((f) => f.code === 'digest-invalid').map(where)).toContain(
      `digest-invalid@${KUBE}:3:5`,
    );
    restore();
  });
});
