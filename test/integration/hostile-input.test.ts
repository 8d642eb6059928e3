/**
 * Hostile inputs (test/fixtures/hostile): each must give its findings or a clean exit 2 — never a stack
 * trace, a hang (time limit) or unbounded memory (256 MB heap cap).
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ROOT, runCli } from '../helpers/cli.js';

interface Generate {
  path: string;
  kind: 'repeat' | 'nest' | 'indent';
  text?: string;
  times?: number;
  prefix?: string;
  open?: string;
  close?: string;
  line?: string;
  depth?: number;
}

interface Expect {
  exit: number;
  findings: string[];
  generate?: Generate;
}

const FIXTURES = join(ROOT, 'test', 'fixtures', 'hostile');
const work = mkdtempSync(join(tmpdir(), 'promoter-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function generate(dir: string, g: Generate): void {
  let text: string;
  if (g.kind === 'repeat') text = g.text!.repeat(g.times!);
  else if (g.kind === 'nest') text = g.prefix! + g.open!.repeat(g.depth!) + g.close!.repeat(g.depth!);
  else text = Array.from({ length: g.depth! }, (_, i) => `${'  '.repeat(i)}${g.line!}\n`).join('');
  mkdirSync(dirname(join(dir, g.path)), { recursive: true });
  writeFileSync(join(dir, g.path), text);
}

const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe('hostile input', () => {
  it('has fixtures', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });

  it.each(cases)('%s gives its findings, no stack trace, bounded time and memory', async (name) => {
    const want = JSON.parse(readFileSync(join(FIXTURES, name, 'expect.json'), 'utf8')) as Expect;
    const dir = join(work, name);
    cpSync(join(FIXTURES, name, 'repo'), dir, { recursive: true });
    if (want.generate) generate(dir, want.generate);
    const r = await runCli(['validate', dir, '--format', 'json'], { heapMb: 256, timeoutMs: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+\)?$/m);
    expect(r.code).toBe(want.exit);
    const doc = JSON.parse(r.stdout) as {
      findings: { code: string; file: string; line: number; column: number }[];
    };
    const rel = (file: string) => file.slice(file.indexOf(name) + name.length + 1);
    const found = doc.findings.map((f) => `${f.code}@${rel(f.file)}:${f.line}:${f.column}`);
    expect(found.sort()).toEqual([...want.findings].sort());
  });
});
