import { describe, expect, test } from 'vitest';
import { FaultConfig, parseFaultConfig, requestKindOf, resolveFaults, targets } from './fault-config.ts';

/** The example of the README, every fault at once. */
const EVERYTHING = {
  seed: 7,
  target: 'both',
  latency: { fixedMs: 20, jitterMs: 30, target: 'reads' },
  errors: { rates: { '500': 0.05, '502': 0.02, '503': 0.02, '504': 0.01 }, target: 'both' },
  hangs: { rate: 0.03 },
  resets: { rate: 0.01 },
  rateLimit: { requestsPerSecond: 50, burst: 50, retryAfter: 'http-date' },
  bursts429: { every: 500, length: 20 },
  maintenance: { startAfterMs: 2000, durationMs: 5000 },
  degradation: { baseLatencyMs: 5, perConcurrentMs: 4 },
  oauth: { clientId: 'erp-client', clientSecret: 's3cret', tokenTtlSeconds: 10 },
  lostAnswers: { rate: 0.02, mode: 'reset' },
};

describe('FaultConfig', () => {
  test('takes every fault at once and reads back exactly as written', () => {
    expect(FaultConfig.parse(EVERYTHING)).toEqual(EVERYTHING);
    expect(FaultConfig.parse({})).toEqual({});
  });

  test.each([
    [
      { latency: { fixed: 20 } },
      'latency.fixed',
      'unknown key "fixed"; known keys: fixedMs, jitterMs, target',
    ],
    [{ colour: 'red' }, 'colour', 'unknown key "colour"; known keys: seed, target'],
    [{ latency: { fixedMs: -1 } }, 'latency.fixedMs', 'must be at least 0'],
    [{ latency: { fixedMs: 1.5 } }, 'latency.fixedMs', 'must be a whole number of milliseconds'],
    [{ latency: { jitterMs: 60_001 } }, 'latency.jitterMs', 'must be at most 60000'],
    [{ errors: { rates: { '600': 0.1 } } }, 'errors.rates.600', 'must be an HTTP status from 400 to 599'],
    [{ errors: { rates: { '503': 1.5 } } }, 'errors.rates.503', 'must be a probability from 0 to 1'],
    [{ errors: { rates: { '503': '5%' } } }, 'errors.rates.503', 'must be a probability from 0 to 1'],
    [{ errors: {} }, 'errors.rates', 'must map statuses to probabilities, such as {"503": 0.05}'],
    [{ hangs: { rate: -0.1 } }, 'hangs.rate', 'must be a probability from 0 to 1'],
    [{ target: 'deletes' }, 'target', 'must be one of reads, writes, both'],
    [{ resets: { rate: 0.1, target: 'all' } }, 'resets.target', 'must be one of reads, writes, both'],
    [{ rateLimit: { requestsPerSecond: 0 } }, 'rateLimit.requestsPerSecond', 'must be a number above 0'],
    [{ rateLimit: { requestsPerSecond: 5, burst: 0 } }, 'rateLimit.burst', 'must be a whole number from 1'],
    [
      { rateLimit: { requestsPerSecond: 5, retryAfter: 'date' } },
      'rateLimit.retryAfter',
      'must be one of seconds, http-date',
    ],
    [{ bursts429: { every: 10, length: 10 } }, 'bursts429.length', 'must be less than bursts429.every (10)'],
    [{ maintenance: { durationMs: 0 } }, 'maintenance.durationMs', 'must be at least 1'],
    [
      { maintenance: { startAfterMs: 5 } },
      'maintenance.durationMs',
      'must be a whole number of milliseconds',
    ],
    [{ oauth: { clientId: 'a', clientSecret: '' } }, 'oauth.clientSecret', 'must be a non-empty string'],
    [{ oauth: { clientId: 'a', clientSecret: 'b', tokenTtlSeconds: 0 } }, 'oauth.tokenTtlSeconds', 'above 0'],
    [{ lostAnswers: { rate: 0.1, mode: 503 } }, 'lostAnswers.mode', 'must be one of 502, reset, hang'],
    [{ lostAnswers: { rate: 0.1, target: 'writes' } }, 'lostAnswers.target', 'unknown key "target"'],
    [{ seed: -1 }, 'seed', 'must be a whole number from 0 to 4294967295'],
    [
      { hangs: { rate: 0.5 }, errors: { rates: { '500': 0.6 } } },
      'errors.rates',
      'for reads, hangs.rate + resets.rate + the errors.rates add up to 1.1; at most 1',
    ],
    [
      { hangs: { rate: 0.5, target: 'writes' }, resets: { rate: 0.6, target: 'writes' } },
      'resets.rate',
      'for writes, hangs.rate + resets.rate + the errors.rates add up to 1.1; at most 1',
    ],
    ['hangs: 1', '', 'must be an object'],
  ])('%j is refused, naming %s', (value, key, message) => {
    const parsed = parseFaultConfig(value);
    expect(parsed).toMatchObject({ kind: 'invalid', key, message: expect.stringContaining(message) });
  });

  test('rates that add up to 1 only across targets are fine', () => {
    const parsed = parseFaultConfig({
      hangs: { rate: 0.7, target: 'reads' },
      resets: { rate: 0.7, target: 'writes' },
    });
    expect(parsed.kind).toBe('valid');
  });

  test('lostAnswers.mode takes 502 as a number too, as YAML writes it', () => {
    expect(parseFaultConfig({ lostAnswers: { rate: 0.1, mode: 502 } }).kind).toBe('valid');
  });
});

describe('resolveFaults', () => {
  test('fills in the documented defaults and the top-level target', () => {
    const resolved = resolveFaults(
      FaultConfig.parse({
        target: 'writes',
        latency: {},
        errors: { rates: { '504': 0.1, '500': 0.2 } },
        rateLimit: { requestsPerSecond: 2.5 },
        maintenance: { durationMs: 100 },
        degradation: { perConcurrentMs: 3, target: 'reads' },
        oauth: { clientId: 'c', clientSecret: 's' },
        lostAnswers: { rate: 0.1, mode: 502 },
      }),
    );
    expect(resolved).toEqual({
      seed: 0,
      latency: { fixedMs: 0, jitterMs: 0, target: 'writes' },
      errors: {
        rates: [
          { status: 500, rate: 0.2 },
          { status: 504, rate: 0.1 },
        ],
        target: 'writes',
      },
      hangs: null,
      resets: null,
      rateLimit: { requestsPerSecond: 2.5, burst: 3, retryAfter: 'seconds', target: 'writes' },
      bursts429: null,
      maintenance: { startAfterMs: 0, durationMs: 100, target: 'writes' },
      degradation: { baseLatencyMs: 0, perConcurrentMs: 3, workers: null, target: 'reads' },
      oauth: { clientId: 'c', clientSecret: 's', tokenTtlSeconds: 3600 },
      lostAnswers: { rate: 0.1, mode: '502' },
    });
  });
});

describe('targets', () => {
  test('reads are GET and HEAD; writes PATCH, PUT and POST; other methods are never faulted', () => {
    expect(['GET', 'head', 'PATCH', 'PUT', 'POST', 'DELETE', 'OPTIONS'].map(requestKindOf)).toEqual([
      'reads',
      'reads',
      'writes',
      'writes',
      'writes',
      null,
      null,
    ]);
    expect(targets('both', 'reads') && targets('both', 'writes')).toBe(true);
    expect(targets('reads', 'writes') || targets('writes', 'reads')).toBe(false);
  });
});
