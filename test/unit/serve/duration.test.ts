/** Command-line durations (`parseDuration`) and listen addresses (`parseListen`). */
import { describe, expect, it } from '@jest/globals';
import { UsageError } from '../../../promoter/errors.js';
import { parseDuration, parseListen } from '../../../promoter/serve/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['1ms', 1],
    ['30s', 30_000],
    ['3m', 180_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['1h1m1s1ms', 3_661_001],
    ['1.5s', 1500],
    ['0.5m', 30_000],
    ['90m', 5_400_000],
    ['0.6ms', 1],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text, '--poll')).toBe(ms);
  });

  it.each([
    ['', 'not a duration'],
    ['3', 'not a duration'],
    ['3 m', 'not a duration'],
    ['3x', 'not a duration'],
    ['-1s', 'not a duration'],
    ['0s', 'must be at least 1ms'],
    ['0h0m', 'must be at least 1ms'],
    ['0.4ms', 'must be at least 1ms'],
    ['m3', 'not a duration'],
    ['1h 30m', 'not a duration'],
    [' 30s', 'not a duration'],
    ['30s ', 'not a duration'],
    ['30S', 'not a duration'],
    ['.5s', 'not a duration'],
    ['1e3ms', 'not a duration'],
    ['30sec', 'not a duration'],
  ])('rejects %j (%s) with a UsageError naming the flag', (text, why) => {
    const run = (): number => parseDuration(text, '--poll');
    expect(run).toThrow(UsageError);
    expect(run).toThrow(`--poll ${text}: ${why}`);
  });
});

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
    ['localhost:9464', { host: 'localhost', port: 9464 }],
    ['[::1]:9090', { host: '::1', port: 9090 }],
    ['[::]:80', { host: '::', port: 80 }],
    [':8080', { host: '0.0.0.0', port: 8080 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['host:65535', { host: 'host', port: 65535 }],
  ])('%s is %j', (text, want) => {
    expect(parseListen(text)).toEqual(want);
  });

  it.each([
    '',
    '8080',
    'host:99999',
    'host:65536',
    'host:',
    'host:123456',
    'host:http',
    'host:-1',
    '::1:9090',
    '[]:9090',
    '[::1:9090',
    '[::1]9090',
    'a:b:8080',
    ':',
  ])('rejects %j with a UsageError', (text) => {
    const run = (): unknown => parseListen(text);
    expect(run).toThrow(UsageError);
    expect(run).toThrow(`--listen ${text}: not host:port`);
  });
});
