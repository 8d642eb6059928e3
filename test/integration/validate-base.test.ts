/** `validate --base REF` on a temporary git repository with real commits. */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../helpers/cli.js';
import { fileProject, imagesYaml, shaOf, thinProject } from '../helpers/manifests.js';
import { git, gitCommitAll, gitInitCommit, tempDir, writeTree } from '../helpers/temp.js';

const tmp = tempDir('promoter-base-');
const repo = join(tmp.dir, 'repo');
const sub = join(repo, 'promotion');
const DESTS = ['us-docker.pkg.dev/prod/images', 'eu-docker.pkg.dev/prod/images'];
let first = '';

beforeAll(() => {
  writeTree(repo, { 'README.md': 'not a manifest\n' });
  writeTree(sub, {
    ...thinProject('app', 'gcr.io/staging-app', DESTS, { app: { a: ['v1.0'], b: ['v1.1'] } }),
    ...fileProject('bin', 'gs://staging/bin/', ['gs://prod/bin/'], { 'v1/tool': shaOf('t1') }),
  });
  first = gitInitCommit(repo, 'first release');
  writeTree(sub, {
    'images/app/images.yaml': imagesYaml({ app: { a: ['v1.0'], b: ['v1.1'], c: ['v1.2'] } }),
  });
  gitCommitAll(repo, 'add v1.2');
});
afterAll(() => tmp.cleanup());
// Each test edits the working tree; put it back so tests stay independent.
afterEach(() => {
  git(repo, 'checkout', '--', '.');
  git(repo, 'clean', '-fdq');
});

interface Doc {
  findings: { code: string; file: string; line: number; severity: string; message: string }[];
  baseCommit?: string;
}

async function validate(args: string[], cwd = sub) {
  const r = await runCli(['validate', ...args, '--format', 'json'], { cwd });
  return { ...r, doc: r.code === 2 ? undefined : (JSON.parse(r.stdout) as Doc) };
}

describe('validate --base', () => {
  it('passes an additive change and reports the commit it compared with', async () => {
    const r = await validate(['.', '--base', 'HEAD~1']);
    expect(r.code).toBe(0);
    expect(r.doc!.baseCommit).toBe(first);
    expect(r.doc!.findings).toEqual([]);
  });

  it('compares the working tree, uncommitted edits included, and points at the new file', async () => {
    writeTree(sub, { 'images/app/images.yaml': imagesYaml({ app: { a: ['v1.0'], c: ['v1.1', 'v1.2'] } }) });
    const r = await validate(['.', '--base', 'main']);
    expect(r.code).toBe(1);
    const codes = r.doc!.findings.map((f) => `${f.code}@${f.file}:${f.line}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'tag-moved@images/app/images.yaml:4',
        'entry-removed@images/app/images.yaml:1',
      ]),
    );
  });

  it('works from a subdirectory of the repository and with a commit id', async () => {
    writeTree(sub, {
      'filestores/bin/filepromoter-manifest.yaml':
        'filestores:\n- base: gs://staging/bin/\n  src: true\n- base: gs://prod/bin/\n- base: s3://mirror/bin/\n',
    });
    const r = await validate([sub, '--base', first], repo);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.doc!.findings.map((f) => `${f.code}@${f.file}:${f.line}`)).toEqual([
      'filestores-changed@promotion/filestores/bin/filepromoter-manifest.yaml:1',
    ]);
  });

  it('treats a base without manifests as everything new', async () => {
    const emptyTree = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
    const empty = git(repo, 'commit-tree', emptyTree, '-m', 'empty').trim();
    const r = await validate(['.', '--base', empty]);
    expect(r.code).toBe(0);
    expect(r.doc!.findings.map((f) => f.code).sort()).toEqual(['filestores-changed', 'registries-changed']);
  });

  it('exits 2 for an unknown revision, with a message and no stack trace', async () => {
    const r = await validate(['.', '--base', 'no-such-branch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"no-such-branch" does not name a commit/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 outside a git work tree', async () => {
    const outside = tempDir('promoter-nogit-');
    writeTree(outside.dir, thinProject('app', 'gcr.io/s', DESTS, { app: { a: ['v1'] } }));
    const r = await validate(['.', '--base', 'main'], outside.dir);
    outside.cleanup();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not inside a git work tree/);
  });
});
