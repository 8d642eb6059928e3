/** The README tells the truth: its findings table is the catalogue, and its console examples run as shown. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { FINDING_CODES } from '../../promoter/domain/finding-codes.js';
import { ROOT, runCli } from '../helpers/cli.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** `$ npx promoter …` commands of ```console blocks, each with the lines shown after it. */
function examples(): { args: string[]; shown: string[] }[] {
  const out: { args: string[]; shown: string[] }[] = [];
  for (const block of readme.matchAll(/```console\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.split('\n')) {
      if (line.startsWith('$ npx promoter '))
        out.push({ args: line.slice('$ npx promoter '.length).split(' '), shown: [] });
      else if (line.trim() !== '') out[out.length - 1]?.shown.push(line);
    }
  }
  return out;
}

describe('README', () => {
  it('lists exactly the catalogued finding codes with their severities', () => {
    const rows = [...readme.matchAll(/^\| `([a-z0-9-]+)` \| (error|warning|info) \| (.+) \|$/gm)].map((m) => [
      m[1],
      m[2],
      m[3],
    ]);
    const catalogue = Object.entries(FINDING_CODES).map(([code, info]) => [
      code,
      info.severity,
      info.summary,
    ]);
    expect(rows).toEqual(catalogue);
  });

  const cases = examples();
  it('has console examples', () => {
    expect(cases.length).toBeGreaterThanOrEqual(3);
  });

  it.each(cases.map((c) => [c.args.join(' '), c] as const))(
    'example `promoter %s` prints what it shows',
    async (_n, c) => {
      const r = await runCli(c.args, { cwd: ROOT });
      expect(r.code === 0 || r.code === 1).toBe(true);
      const lines = r.stdout.split('\n');
      let at = 0;
      for (const want of c.shown) {
        const found = lines.findIndex((l, i) => i >= at && l.startsWith(want));
        expect({ want, found: found >= 0 }).toEqual({ want, found: true });
        at = found + 1;
      }
      if (c.shown.length === 0) expect(r.stdout).toBe('');
    },
  );
});
