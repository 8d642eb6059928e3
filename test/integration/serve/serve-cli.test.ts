/** `promoter serve` refuses bad flags and input with exit status 2 and a message naming what is wrong. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp.js';

const tmp = tempDir('promoter-serve-cli-');
afterAll(() => tmp.cleanup());

describe('promoter serve flags', () => {
  const state = () => ['--state', join(tmp.dir, 'state')];
  it.each([
    [['--interval', '3 minutes'], /--interval 3 minutes: not a duration/],
    [['--drift-interval', '0s'], /--drift-interval 0s: must be at least 1ms/],
    [['--shutdown-timeout', 'soon'], /--shutdown-timeout soon: not a duration/],
    [['--listen', '8080'], /--listen 8080: not host:port/],
    [['--leader-elect', 'maybe'], /--leader-elect maybe: auto, on or off/],
  ])('%j', async (flags, message) => {
    const r = await runCli(['serve', '--repo', 'manifests/example', ...state(), ...flags], {
      timeoutMs: 20_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('needs --repo, and an existing directory for a path', async () => {
    const none = await runCli(['serve', ...state()], { timeoutMs: 20_000 });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/required option '--repo/);
    const missing = await runCli(['serve', '--repo', join(tmp.dir, 'nope'), ...state()], {
      timeoutMs: 20_000,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--repo .*nope: no such directory/);
  });

  it('refuses an empty webhook secret file', async () => {
    const empty = join(tmp.dir, 'secret');
    writeFileSync(empty, '\n');
    const r = await runCli(['serve', '--repo', 'manifests/example', ...state()], {
      timeoutMs: 20_000,
      env: { PROMOTER_WEBHOOK_SECRET_FILE: empty },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PROMOTER_WEBHOOK_SECRET_FILE .*secret: it is empty/);
  });
});
