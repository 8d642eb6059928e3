/** The error catalogue: stable codes, classification through the cause chain, context that keeps the class. */
import { describe, expect, it } from '@jest/globals';
import {
  errorCode,
  FileTooLargeError,
  findError,
  GitRefError,
  InputError,
  PromoterError,
  wrapError,
} from '../../promoter/errors.js';

describe('error catalogue', () => {
  it('gives every class a stable code and keeps the hierarchy', () => {
    const e = new GitRefError('"x" does not name a commit');
    expect(e.code).toBe('GIT_REF_UNKNOWN');
    expect(e.name).toBe('GitRefError');
    expect(e).toBeInstanceOf(PromoterError);
  });

  it('wraps with "verb-ing noun" context, keeping class, details and cause', () => {
    const inner = new FileTooLargeError('f is 99 bytes', { size: 99, limit: 10 });
    const outer = wrapError(inner, 'reading images.yaml');
    expect(outer).toBeInstanceOf(FileTooLargeError);
    expect(outer.message).toBe('reading images.yaml: f is 99 bytes');
    expect((outer as FileTooLargeError).size).toBe(99);
    expect(outer.cause).toBe(inner);
  });

  it('classifies through the cause chain, never by message', () => {
    const root = new InputError('disk on fire');
    const wrapped = new Error('while loading', { cause: new Error('while reading', { cause: root }) });
    expect(findError(wrapped, InputError)).toBe(root);
    expect(errorCode(wrapped)).toBe('INPUT');
    expect(errorCode(new Error('plain'))).toBe('UNKNOWN');
  });

  it('wraps foreign errors as PromoterError', () => {
    const e = wrapError(new TypeError('boom'), 'parsing x');
    expect(e).toBeInstanceOf(PromoterError);
    expect(e.message).toBe('parsing x: boom');
  });
});
