/** The leaf domain: digest and tag rules and messages, registry-name normal form, finding ordering. */
import { describe, expect, it } from '@jest/globals';
import { DIGEST_PATTERN, describeDigestProblem, isDigest } from '../../../promoter/domain/digest.js';
import { compareFindings, type Finding } from '../../../promoter/domain/finding.js';
import { normalizeRegistryName, repositoryPath } from '../../../promoter/domain/names.js';
import { describeTagProblem, isTag, TAG_PATTERN } from '../../../promoter/domain/tag.js';

const HEX = 'a'.repeat(64);

describe('digests', () => {
  it.each([
    [`sha256:${HEX}`, true],
    [`sha256:${HEX.slice(1)}`, false],
    [`sha256:${HEX}a`, false],
    [`sha256:${'A'.repeat(64)}`, false],
    [`sha512:${HEX}`, false],
    [HEX, false],
  ])('%s valid: %s', (value, valid) => {
    expect(isDigest(value)).toBe(valid);
  });

  it.each([
    [`sha256:${HEX.slice(1)}`, 'expected 64 hex digits, found 63'],
    [`sha256:${'A'.repeat(64)}`, 'hex digits must be lowercase'],
    [`sha256:${'g'.repeat(64)}`, '"g" is not a lowercase hex digit'],
    [`sha512:${HEX}`, 'algorithm "sha512" is not supported, only sha256'],
    [HEX, 'must start with "sha256:"'],
  ])('explains what is wrong with %s', (value, reason) => {
    expect(describeDigestProblem(value)).toContain(reason);
  });
});

describe('tags', () => {
  it.each([
    ['v1.2.3', true],
    ['_x', true],
    ['1.10', true],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false],
    ['', false],
    ['-x', false],
    ['.x', false],
    ['v1+b', false],
    ['v1/x', false],
  ])('%s valid: %s', (value, valid) => {
    expect(isTag(value)).toBe(valid);
  });

  it.each([
    ['', 'cannot be empty'],
    ['-x', 'must start with a letter, digit or underscore'],
    ['v1+b', '"+" is not allowed'],
    ['a'.repeat(129), 'longer than 128 characters'],
  ])('explains what is wrong with %j', (value, reason) => {
    expect(describeTagProblem(value)).toContain(reason);
  });
});

describe('registry names', () => {
  it.each([
    ['GCR.io/Foo/', 'gcr.io/Foo'],
    ['us-docker.pkg.dev/p/images', 'us-docker.pkg.dev/p/images'],
    ['Localhost:5000', 'localhost:5000'],
  ])('%s normalizes to %s', (name, want) => {
    expect(normalizeRegistryName(name)).toBe(want);
  });

  it('joins registry and image into one repository path, whatever the slashes', () => {
    expect(repositoryPath('r.io/p/images/', '/kubernetes/app')).toBe('r.io/p/images/kubernetes/app');
    expect(repositoryPath('r.io/p/images/kubernetes', 'app')).toBe(
      repositoryPath('r.io/p/images', 'kubernetes/app'),
    );
  });
});

describe('finding order', () => {
  it('sorts by file, line, column, severity and code', () => {
    const f = (
      file: string,
      line: number,
      column: number,
      severity: Finding['severity'],
      code: Finding['code'],
    ): Finding => ({
      file,
      line,
      column,
      severity,
      code,
      path: '',
      message: '',
    });
    const list = [
      f('b', 1, 1, 'error', 'tag-invalid'),
      f('a', 2, 1, 'error', 'tag-invalid'),
      f('a', 1, 2, 'info', 'deprecated-field'),
      f('a', 1, 2, 'error', 'digest-invalid'),
    ];
    expect(list.sort(compareFindings).map((x) => `${x.file}${x.line}${x.column}${x.severity}`)).toEqual([
      'a12error',
      'a12info',
      'a21error',
      'b11error',
    ]);
  });
});

describe('patterns', () => {
  it('are the ones kpromo uses', () => {
    expect(DIGEST_PATTERN.source).toBe('^sha256:[0-9a-f]{64}$');
    expect(TAG_PATTERN.source).toBe('^\\w[\\w.-]{0,127}$');
  });
});
