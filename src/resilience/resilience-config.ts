import { z } from 'zod';
import { AdaptiveConcurrencyPolicy } from './adaptive-concurrency.ts';
import { BreakerPolicy } from './circuit-breaker.ts';
import { RateLimitPolicy } from './rate-limit.ts';
import { RetryPolicy } from './retry-policy.ts';

/**
 * Every resilience policy of one connector, as written under `connectors.<name>.resilience` in
 * erpbridge.yaml. Each part and each option has a default, so `resilience: {}` (or no key at all)
 * is a complete, sensible policy. A value out of range or a contradictory combination is an error
 * naming the option, never silently clamped.
 *
 * Defaults: `{ timeoutMs: 10000, retry: { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 30000,
 * multiplier: 2, jitter: full, honourRetryAfter: true, maxRetryAfterMs: 120000 },
 * breaker: { failureThreshold: 5, halfOpenAfterMs: 10000 }, rateLimit: { requestsPerSecond: null,
 * burst: 1, maxInFlight: 8, maxWaitMs: 60000 }, adaptive: { enabled: false, initial: 1, min: 1,
 * max: 8, window: 10, latencyTolerance: 1.5, backoffRatio: 0.9 } }`.
 *
 * @example
 *   connectors:
 *     erp:
 *       kind: rest
 *       resilience:
 *         timeoutMs: 5000
 *         retry: { maxAttempts: 3 }
 *         rateLimit: { requestsPerSecond: 10, maxInFlight: 4 }
 */
export const ResiliencePolicies = z
  .strictObject({
    /**
     * Bound on one attempt (one request, one read page), in ms, whatever the connector's own
     * timeout. 1–600 000, default 10 000.
     */
    timeoutMs: z.int().min(1).max(600_000).default(10_000),
    retry: RetryPolicy.prefault({}),
    breaker: BreakerPolicy.prefault({}),
    rateLimit: RateLimitPolicy.prefault({}),
    adaptive: AdaptiveConcurrencyPolicy.prefault({}),
  })
  .superRefine((policies, context) => {
    const { adaptive, rateLimit } = policies;
    if (adaptive.enabled && adaptive.max > rateLimit.maxInFlight) {
      context.addIssue({
        code: 'custom',
        path: ['adaptive', 'max'],
        message: `adaptive.max (${adaptive.max}) must not exceed rateLimit.maxInFlight (${rateLimit.maxInFlight})`,
      });
    }
  });
/** The policies with every default filled in. */
export type ResiliencePolicies = z.infer<typeof ResiliencePolicies>;
/** The policies as written: every key optional. */
export type ResiliencePoliciesInput = z.input<typeof ResiliencePolicies>;

/** The policies of a connector whose configuration says nothing about resilience (a fresh object each time). */
export function defaultResiliencePolicies(): ResiliencePolicies {
  return ResiliencePolicies.parse({});
}
