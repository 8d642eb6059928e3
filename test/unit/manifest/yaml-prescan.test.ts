/** The pre-parse scan: tab indentation and nesting limits, without being fooled by quotes or comments. */
import { describe, expect, it } from '@jest/globals';
import { MAX_FLOW_DEPTH, prescanYaml } from '../../../promoter/manifest/yaml-prescan.js';

describe('prescanYaml', () => {
  it.each([
    ['ordinary manifest', '- name: a\n  dmap:\n    "sha256:x": ["v1", "v2"]\n'],
    ['brackets inside double quotes', `x: "${'['.repeat(100)}"\n`],
    ['brackets inside single quotes', `x: '${'['.repeat(100)}'\n`],
    ['brackets in a comment', `# ${'['.repeat(100)}\nx: 1\n`],
    ['an apostrophe inside a plain scalar', `x: it's ${'['.repeat(3)}]]]\n`],
    ['tab inside a value', 'x: "a\tb"\n'],
    ['tab on a blank line', '\t\nx: 1\n'],
    ['nesting at the limit', `x: ${'['.repeat(MAX_FLOW_DEPTH)}${']'.repeat(MAX_FLOW_DEPTH)}\n`],
  ])('accepts %s', (_name, text) => {
    expect(prescanYaml(text)).toBeUndefined();
  });

  it.each([
    ['tab indentation', '- a: 1\n\tb: 2\n', { kind: 'tab-indent', line: 2, column: 1 }],
    [
      'flow nesting one past the limit',
      `x: ${'['.repeat(MAX_FLOW_DEPTH + 1)}`,
      { kind: 'too-deep', line: 1, column: 4 + MAX_FLOW_DEPTH },
    ],
    ['indentation past 256 columns', `${' '.repeat(257)}x: 1\n`, { kind: 'too-deep', line: 1, column: 258 }],
  ])('reports %s', (_name, text, want) => {
    expect(prescanYaml(text)).toMatchObject(want);
  });
});
