import { describe, expect, it } from 'vitest';
import { defaultResiliencePolicies, ResiliencePolicies } from './resilience-config.ts';

describe('ResiliencePolicies', () => {
  it('an empty section is a complete policy with the documented defaults', () => {
    expect(ResiliencePolicies.parse({})).toEqual({
      timeoutMs: 10_000,
      retry: {
        maxAttempts: 5,
        baseDelayMs: 200,
        maxDelayMs: 30_000,
        multiplier: 2,
        jitter: 'full',
        honourRetryAfter: true,
        maxRetryAfterMs: 120_000,
      },
      breaker: { failureThreshold: 5, halfOpenAfterMs: 10_000, maxPauseMs: 600_000 },
      rateLimit: { requestsPerSecond: null, burst: 1, maxInFlight: 8, maxWaitMs: 60_000 },
      adaptive: {
        enabled: false,
        initial: 1,
        min: 1,
        max: 8,
        window: 10,
        latencyTolerance: 1.5,
        backoffRatio: 0.9,
      },
    });
    expect(defaultResiliencePolicies()).toEqual(ResiliencePolicies.parse({}));
  });

  it('a partial section keeps the defaults of what it does not say', () => {
    const policies = ResiliencePolicies.parse({
      retry: { maxAttempts: 3 },
      rateLimit: { requestsPerSecond: 5 },
    });
    expect(policies.retry.maxAttempts).toBe(3);
    expect(policies.retry.baseDelayMs).toBe(200);
    expect(policies.rateLimit).toEqual({ requestsPerSecond: 5, burst: 1, maxInFlight: 8, maxWaitMs: 60_000 });
  });

  it.each([
    [{ timeoutMs: 0 }, ['timeoutMs']],
    [{ timeoutMs: 600_001 }, ['timeoutMs']],
    [{ retry: { maxAttempts: 0 } }, ['retry', 'maxAttempts']],
    [{ breaker: { failureThreshold: 0 } }, ['breaker', 'failureThreshold']],
    [{ rateLimit: { requestsPerSecond: 0 } }, ['rateLimit', 'requestsPerSecond']],
    [{ adaptive: { backoffRatio: 1.5 } }, ['adaptive', 'backoffRatio']],
    [{ retires: {} }, []],
  ])('%j is an error at %j, never clamped', (input, path) => {
    const result = ResiliencePolicies.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(path);
  });

  it('adaptive concurrency may not go above rateLimit.maxInFlight', () => {
    const result = ResiliencePolicies.safeParse({
      rateLimit: { maxInFlight: 4 },
      adaptive: { enabled: true, max: 8 },
    });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['adaptive', 'max'],
        message: 'adaptive.max (8) must not exceed rateLimit.maxInFlight (4)',
      }),
    ]);
    // Disabled, its max is not in force.
    expect(ResiliencePolicies.safeParse({ rateLimit: { maxInFlight: 4 } }).success).toBe(true);
  });
});
