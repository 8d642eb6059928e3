/** The `promoter validate` command-line contract: exit codes, formats, help, and errors without stack traces. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../helpers/cli.js';
import { digestOf, thinProject } from '../helpers/manifests.js';
import { tempDir, writeTree } from '../helpers/temp.js';

const tmp = tempDir('promoter-cli-');
const good = join(tmp.dir, 'good');
const warn = join(tmp.dir, 'warn');
const bad = join(tmp.dir, 'bad');
const empty = join(tmp.dir, 'empty');
const DESTS = ['us-docker.pkg.dev/prod/images'];

beforeAll(() => {
  writeTree(good, thinProject('app', 'gcr.io/s', DESTS, { app: { a: ['v1'] } }));
  writeTree(warn, {
    ...thinProject('app', 'gcr.io/s', DESTS, { app: { a: ['v1'] } }),
    'images/orphan/images.yaml': '[]\n',
  });
  writeTree(bad, {
    'manifests/app/promoter-manifest.yaml':
      'registries:\n- name: gcr.io/s\n  src: true\n- name: us-docker.pkg.dev/prod/images\n',
    'images/app/images.yaml': `- name: app\n  dmap:\n    "${digestOf('a')}": ["v1, with comma: and %"]\n`,
  });
  writeTree(empty, { 'notes.txt': 'nothing here\n' });
});
afterAll(() => tmp.cleanup());

describe('exit codes', () => {
  it('exits 0 for valid manifests and says so', async () => {
    const r = await runCli(['validate', good]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✔ 0 errors, 0 warnings, 0 info in 2 files/);
  });

  it('exits 0 when there are only warnings', async () => {
    const r = await runCli(['validate', warn]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning images-orphaned/);
  });

  it('exits 1 with errors, printing file:line:col', async () => {
    const r = await runCli(['validate', '.'], { cwd: bad });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^images\/app\/images\.yaml:3:81: error tag-invalid: invalid tag/m);
  });

  it.each([
    ['a missing directory', ['validate', '/nonexistent/dir'], /\/nonexistent\/dir does not exist/],
    [
      'a file instead of a directory',
      ['validate', join(tmp.dir, 'empty', 'notes.txt')],
      /is not a directory/,
    ],
    ['a directory without manifests', ['validate', join(tmp.dir, 'empty')], /no promotion manifests found/],
    ['an unknown option', ['validate', '--frobnicate'], /unknown option '--frobnicate'/],
    ['an unknown format', ['validate', '--format', 'xml'], /Allowed choices are text, json, github/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
  ])('exits 2 for %s, with a message and no stack trace', async (_name, args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});

describe('formats', () => {
  it('json is one document with every finding and the counts', async () => {
    const r = await runCli(['validate', bad, '--format', 'json']);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean;
      summary: { errors: number };
      findings: { code: string; path: string }[];
    };
    expect(doc.ok).toBe(false);
    expect(doc.summary.errors).toBe(1);
    expect(doc.findings[0]).toMatchObject({ code: 'tag-invalid', line: 3, column: 81, severity: 'error' });
    expect(doc.findings[0]!.path).toBe(`/0/dmap/${digestOf('a')}/0`);
  });

  it('github prints workflow commands with escaped properties and data', async () => {
    const r = await runCli(['validate', '.', '--format', 'github'], {
      cwd: bad,
      env: { GITHUB_WORKSPACE: tmp.dir },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^::error file=bad\/images\/app\/images\.yaml,line=3,col=81,title=tag-invalid::invalid tag "v1, with comma: and %25"/m,
    );
  });

  it('colours text only when asked (FORCE_COLOR) and never in a pipe by default', async () => {
    const plain = await runCli(['validate', bad]);
    expect(plain.stdout).not.toMatch(/\u001b\[/);
    const coloured = await runCli(['validate', bad], { env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    expect(coloured.stdout).toMatch(/\u001b\[31merror\u001b\[39m/);
  });
});

describe('help', () => {
  it('lists the commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/validate \[options\] \[dir\]/);
  });

  it('documents validate’s flags and exit codes', async () => {
    const r = await runCli(['validate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--base <ref>/);
    expect(r.stdout).toMatch(/--format <format>.*choices: "text", "json", "github"/s);
    expect(r.stdout).toMatch(/Exit status: 0 no errors.*1 errors found.*2 usage or I\/O error/s);
  });

  it('prints the version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
