/** Retries, backoff, Retry-After, adaptive concurrency and rate limits, against a fake transport. */
import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { AdaptiveLimiter, TokenBucket } from '../../../promoter/adapters/http/host-limits.js';
import { ResilientTransport } from '../../../promoter/adapters/http/resilient-transport.js';
import { DEFAULT_RETRY, isRetryable, retryDelayMs } from '../../../promoter/adapters/http/retry-policy.js';
import { RequestRejectedError, TransientError } from '../../../promoter/errors.js';
import { type FakeAnswer, FakeTransport } from '../../fakes/fake-transport.js';

function setup(answers: (FakeAnswer | Error)[], limits = { concurrency: 8 }) {
  const sleeps: number[] = [];
  let i = 0;
  const inner = new FakeTransport(() => {
    const a = answers[Math.min(i++, answers.length - 1)]!;
    if (a instanceof Error) throw a;
    return a;
  });
  const t = new ResilientTransport(inner, {
    limitsFor: () => limits,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
  });
  return { t, inner, sleeps };
}

const get = { method: 'GET', url: 'http://r.io/v2/', kind: 'ping' };

describe('ResilientTransport', () => {
  it('retries a 503 with backoff and returns the success', async () => {
    const { t, inner, sleeps } = setup([{ status: 503 }, { status: 502 }, { status: 200 }]);
    expect((await t.request(get)).status).toBe(200);
    expect(inner.requests).toHaveLength(3);
    expect(sleeps).toEqual([125, 250]);
  });

  it('honours Retry-After on a 429 and halves the host’s concurrency', async () => {
    const { t, sleeps } = setup([{ status: 429, headers: { 'retry-after': '2' } }, { status: 200 }]);
    expect((await t.request(get)).status).toBe(200);
    expect(sleeps).toEqual([2000]);
    expect(t.limitOf('r.io')).toBe(4);
  });

  it('does not retry other 4xx', async () => {
    const { t, inner } = setup([{ status: 404 }, { status: 200 }]);
    expect((await t.request(get)).status).toBe(404);
    expect(inner.requests).toHaveLength(1);
  });

  it('retries connection failures', async () => {
    const { t, inner } = setup([new TransientError('ECONNRESET'), { status: 200 }]);
    expect((await t.request(get)).status).toBe(200);
    expect(inner.requests).toHaveLength(2);
  });

  it('stops after the budget and hands back the last answer, marked exhausted', async () => {
    const { t, inner } = setup([{ status: 500 }]);
    const res = await t.request(get);
    expect([res.status, res.exhausted]).toEqual([500, true]);
    expect(inner.requests).toHaveLength(DEFAULT_RETRY.attempts);
  });

  it('never re-sends a streamed body', async () => {
    const { t, inner } = setup([{ status: 503 }, { status: 201 }]);
    const res = await t.request({
      method: 'PUT',
      url: 'http://r.io/v2/x',
      kind: 'upload',
      body: Readable.from([Buffer.from('x')]),
    });
    expect(res.status).toBe(503);
    expect(inner.requests).toHaveLength(1);
  });

  it('keeps at most `concurrency` requests of a host in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const inner = new FakeTransport(() => ({ status: 200 }));
    const slow = {
      stats: inner.stats,
      async request(req: Parameters<FakeTransport['request']>[0]) {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return inner.request(req);
      },
    };
    const t = new ResilientTransport(slow, { limitsFor: () => ({ concurrency: 3 }) });
    await Promise.all(Array.from({ length: 12 }, async () => (await t.request(get)).body.dump()));
    expect(peak).toBe(3);
  });
});

describe('limits', () => {
  it('halves on 429 and grows back by one after as many successes as the limit', () => {
    const l = new AdaptiveLimiter(8);
    l.tooMany();
    l.tooMany();
    expect(l.limit).toBe(2);
    l.succeeded();
    expect(l.limit).toBe(2);
    l.succeeded();
    expect(l.limit).toBe(3);
    for (let i = 0; i < 100; i++) l.succeeded();
    expect(l.limit).toBe(8);
  });

  it('admits requests at the configured rate', async () => {
    let clock = 0;
    const waits: number[] = [];
    const bucket = new TokenBucket(
      10,
      2,
      () => clock,
      async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    );
    for (let i = 0; i < 5; i++) await bucket.take();
    expect(clock).toBeCloseTo(300, 5);
    expect(waits).toHaveLength(3);
  });
});

describe('retry budget', () => {
  it('uses full jitter capped by maxDelayMs, or the server’s Retry-After', () => {
    expect(retryDelayMs(0, DEFAULT_RETRY, undefined, () => 0.999)).toBe(249);
    expect(retryDelayMs(20, DEFAULT_RETRY, undefined, () => 1)).toBe(DEFAULT_RETRY.maxDelayMs);
    expect(retryDelayMs(0, DEFAULT_RETRY, 900_000)).toBe(DEFAULT_RETRY.maxRetryAfterMs);
  });

  it('retries transient failures, not refusals, and never a failure that used up a budget already', () => {
    expect(isRetryable(new TransientError('503'))).toBe(true);
    expect(isRetryable(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(new RequestRejectedError('400'))).toBe(false);
    expect(isRetryable(new TransientError('503 (after 5 attempts)', { exhausted: true }))).toBe(false);
  });
});
