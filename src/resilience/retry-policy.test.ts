import { describe, expect, it } from 'vitest';
import { seededRandom } from '../ai/embedded/seeded-random.ts';
import { ErpError, type ErrorKind } from '../errors/index.ts';
import { ResilienceError } from './resilience-error.ts';
import { delayFor, RetryPolicy, shouldRetry } from './retry-policy.ts';

const policy = RetryPolicy.parse({});

describe('RetryPolicy', () => {
  it('has the documented defaults', () => {
    expect(policy).toEqual({
      maxAttempts: 5,
      baseDelayMs: 200,
      maxDelayMs: 30_000,
      multiplier: 2,
      jitter: 'full',
      honourRetryAfter: true,
      maxRetryAfterMs: 120_000,
    });
  });

  it.each([
    [{ maxAttempts: 0 }, ['maxAttempts']],
    [{ maxAttempts: 1.5 }, ['maxAttempts']],
    [{ baseDelayMs: -1 }, ['baseDelayMs']],
    [{ multiplier: 0.5 }, ['multiplier']],
    [{ multiplier: 11 }, ['multiplier']],
    [{ jitter: 'equal' }, ['jitter']],
    [{ maxRetryAfterMs: 86_400_001 }, ['maxRetryAfterMs']],
    [{ baseDelayMs: 500, maxDelayMs: 100 }, ['maxDelayMs']],
    [{ retries: 3 }, []],
  ])('%j is refused, never clamped (issue at %j)', (input, path) => {
    const result = RetryPolicy.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(path);
  });

  it('names both options when maxDelayMs is below baseDelayMs', () => {
    const result = RetryPolicy.safeParse({ baseDelayMs: 500, maxDelayMs: 100 });
    expect(result.error?.issues[0]?.message).toBe('maxDelayMs (100) must be at least baseDelayMs (500)');
  });
});

describe('delayFor', () => {
  const none = { ...policy, jitter: 'none' as const };

  it('without jitter: base · multiplier^(attempt-1), capped at maxDelayMs', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => delayFor(none, attempt, 0))).toEqual(
      [200, 400, 800, 1600, 3200].map((ms) => ({ kind: 'wait', ms, basis: 'backoff' })),
    );
    expect(delayFor(none, 8, 0)).toEqual({ kind: 'wait', ms: 25_600, basis: 'backoff' });
    expect(delayFor(none, 9, 0)).toEqual({ kind: 'wait', ms: 30_000, basis: 'backoff' });
  });

  it('an attempt large enough to overflow still waits maxDelayMs', () => {
    expect(delayFor(none, 5000, 0)).toEqual({ kind: 'wait', ms: 30_000, basis: 'backoff' });
  });

  it('full jitter: uniform in [0, ceiling) — bounds and mean over 10 000 seeded samples', () => {
    const random = seededRandom(7);
    for (const [attempt, ceiling] of [
      [1, 200],
      [3, 800],
      [12, 30_000],
    ] as const) {
      const samples = Array.from({ length: 10_000 }, () => {
        const delay = delayFor(policy, attempt, random());
        if (delay.kind !== 'wait') throw new Error('expected a wait');
        return delay.ms;
      });
      expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...samples)).toBeLessThan(ceiling);
      const mean = samples.reduce((sum, ms) => sum + ms, 0) / samples.length;
      expect(mean / ceiling).toBeCloseTo(0.5, 1);
      // Spread over the whole range: each tenth of it gets 7–13 % of the samples.
      const tenths = new Array<number>(10).fill(0);
      for (const ms of samples)
        tenths[Math.floor((ms / ceiling) * 10)] = (tenths[Math.floor((ms / ceiling) * 10)] ?? 0) + 1;
      for (const count of tenths) expect(count / samples.length).toBeGreaterThan(0.07);
    }
  });

  it('the same seed gives the same delays', () => {
    const first = seededRandom(42);
    const second = seededRandom(42);
    expect(delayFor(policy, 3, first())).toEqual(delayFor(policy, 3, second()));
  });

  it('Retry-After wins over the backoff when honoured, exactly as asked', () => {
    expect(delayFor(policy, 1, 0.99, 7000)).toEqual({ kind: 'wait', ms: 7000, basis: 'retry-after' });
    expect(delayFor(policy, 1, 0.5, 0)).toEqual({ kind: 'wait', ms: 0, basis: 'retry-after' });
  });

  it('Retry-After up to maxRetryAfterMs is waited; above it the call gives up', () => {
    expect(delayFor(policy, 2, 0, 120_000)).toEqual({ kind: 'wait', ms: 120_000, basis: 'retry-after' });
    expect(delayFor(policy, 2, 0, 120_001)).toEqual({
      kind: 'too-long',
      retryAfterMs: 120_001,
      maxRetryAfterMs: 120_000,
    });
  });

  it('Retry-After is ignored when honourRetryAfter is false', () => {
    expect(delayFor({ ...none, honourRetryAfter: false }, 1, 0, 999_999)).toEqual({
      kind: 'wait',
      ms: 200,
      basis: 'backoff',
    });
  });

  it.each([
    [0, 0.5, undefined, 'attempt must be an integer of at least 1, not 0'],
    [1.5, 0.5, undefined, 'attempt must be an integer of at least 1, not 1.5'],
    [1, 1, undefined, 'random01 must be in [0, 1), not 1'],
    [1, -0.1, undefined, 'random01 must be in [0, 1), not -0.1'],
    [1, Number.NaN, undefined, 'random01 must be in [0, 1), not NaN'],
    [1, 0.5, -1, 'retryAfterMs must be a number of at least 0, not -1'],
  ])('attempt %j, random %j, retryAfter %j: RangeError', (attempt, random01, retryAfterMs, message) => {
    expect(() => delayFor(policy, attempt, random01, retryAfterMs)).toThrow(new RangeError(message));
  });
});

describe('shouldRetry', () => {
  const error = (kind: ErrorKind) => new ErpError(kind, `${kind} failure`);
  const read = { idempotent: true };
  const write = { idempotent: false };

  it.each<[ErrorKind, boolean]>([
    ['transient', true],
    ['rate_limited', true],
    ['auth', false],
    ['validation', false],
    ['conflict', false],
    ['permanent', false],
  ])('an idempotent call retries %s: %s', (kind, retry) => {
    expect(shouldRetry(error(kind), 1, policy, read)).toEqual(
      retry ? { retry: true } : { retry: false, reason: 'not-retryable' },
    );
  });

  it('something other than an ErpError is not retried (normalise it first)', () => {
    expect(shouldRetry(new Error('ECONNRESET'), 1, policy, read)).toEqual({
      retry: false,
      reason: 'not-retryable',
    });
    expect(shouldRetry('boom', 1, policy, read)).toEqual({ retry: false, reason: 'not-retryable' });
  });

  it('never beyond maxAttempts attempts in all', () => {
    expect(shouldRetry(error('transient'), 4, policy, read)).toEqual({ retry: true });
    expect(shouldRetry(error('transient'), 5, policy, read)).toEqual({
      retry: false,
      reason: 'attempts-exhausted',
    });
    expect(shouldRetry(error('transient'), 1, { ...policy, maxAttempts: 1 }, read)).toEqual({
      retry: false,
      reason: 'attempts-exhausted',
    });
  });

  it('a write is retried only when the caller says the failed attempt provably did not happen', () => {
    expect(shouldRetry(error('transient'), 1, policy, write)).toEqual({
      retry: false,
      reason: 'outcome-unknown',
    });
    expect(shouldRetry(error('transient'), 1, policy, { ...write, notApplied: false })).toEqual({
      retry: false,
      reason: 'outcome-unknown',
    });
    expect(shouldRetry(error('rate_limited'), 1, policy, { ...write, notApplied: true })).toEqual({
      retry: true,
    });
    expect(shouldRetry(error('rate_limited'), 5, policy, { ...write, notApplied: true })).toEqual({
      retry: false,
      reason: 'attempts-exhausted',
    });
  });

  it('a write rejected as invalid is not retried, and its outcome is known', () => {
    expect(shouldRetry(error('validation'), 1, policy, write)).toEqual({
      retry: false,
      reason: 'not-retryable',
    });
  });

  it('a verdict of the resilience layer itself is never retried', () => {
    const open = new ResilienceError('transient', 'circuit-open', 'circuit open for connector erp');
    expect(shouldRetry(open, 1, policy, read)).toEqual({ retry: false, reason: 'verdict' });
  });
});
