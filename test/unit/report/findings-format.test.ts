/** Rendering findings: escaping for GitHub workflow commands, stable text lines, the JSON document. */
import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../../../promoter/domain/finding.js';
import { paletteFor, wantsColour } from '../../../promoter/report/colour.js';
import { formatGithub, formatJson, formatText } from '../../../promoter/report/findings-format.js';

const f = (over: Partial<Finding> = {}): Finding => ({
  file: 'a/b.yaml',
  line: 3,
  column: 5,
  path: '/0',
  code: 'tag-invalid',
  message: 'bad',
  severity: 'error',
  ...over,
});

describe('github format', () => {
  it.each([
    [
      'percent, CR and LF in the message',
      f({ message: '100% bad\r\nnext' }),
      '::error file=a/b.yaml,line=3,col=5,title=tag-invalid::100%25 bad%0D%0Anext\n',
    ],
    [
      'colon and comma in a property',
      f({ file: 'a:b,c.yaml' }),
      '::error file=a%3Ab%2Cc.yaml,line=3,col=5,title=tag-invalid::bad\n',
    ],
    ['warning', f({ severity: 'warning' }), '::warning file=a/b.yaml,line=3,col=5,title=tag-invalid::bad\n'],
    [
      'info as notice',
      f({ severity: 'info' }),
      '::notice file=a/b.yaml,line=3,col=5,title=tag-invalid::bad\n',
    ],
  ])('escapes %s', (_name, finding, want) => {
    expect(formatGithub([finding])).toBe(want);
  });
});

describe('text format', () => {
  it('prints one line per finding and a summary', () => {
    const out = formatText(
      [f(), f({ severity: 'warning', code: 'image-duplicate', line: 9 })],
      { filesRead: 2, elapsedMs: 1234 },
      paletteFor(false),
    );
    expect(out).toBe(
      'a/b.yaml:3:5: error tag-invalid: bad\na/b.yaml:9:5: warning image-duplicate: bad\n✖ 1 error, 1 warning, 0 info in 2 files (1.23 s)\n',
    );
  });

  it('says which base commit it compared with', () => {
    const out = formatText(
      [],
      { filesRead: 1, elapsedMs: 10, baseCommit: '0123456789abcdef' },
      paletteFor(false),
    );
    expect(out).toBe('✔ 0 errors, 0 warnings, 0 info in 1 file, compared with 0123456789ab (0.01 s)\n');
  });
});

describe('json format', () => {
  it('is one document with ok, counts and findings', () => {
    const doc = JSON.parse(formatJson([f()], { filesRead: 4, elapsedMs: 12.4 }));
    expect(doc).toEqual({
      ok: false,
      summary: { errors: 1, warnings: 0, infos: 0, files: 4, elapsedMs: 12 },
      findings: [f()],
    });
  });
});

describe('colour choice', () => {
  it.each([
    [{ isTTY: true }, {}, true],
    [{ isTTY: false }, {}, false],
    [{ isTTY: true }, { NO_COLOR: '1' }, false],
    [{ isTTY: false }, { FORCE_COLOR: '1' }, true],
    [{ isTTY: false }, { FORCE_COLOR: '0' }, false],
  ])('stream %j with env %j → %s', (stream, env, want) => {
    expect(wantsColour(stream, env)).toBe(want);
  });
});
