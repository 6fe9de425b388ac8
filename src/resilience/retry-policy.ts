import { z } from 'zod';
import { ErpError } from '../errors/index.ts';
import { ResilienceError } from './resilience-error.ts';

/**
 * How a connector call is retried: data, with documented defaults. A value out of range is a
 * configuration error, never clamped.
 *
 * @example
 *   retry: { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 30000, multiplier: 2, jitter: full }
 */
export const RetryPolicy = z
  .strictObject({
    /** Attempts in all, the first one included; 1 turns retrying off. 1–100, default 5. */
    maxAttempts: z.int().min(1).max(100).default(5),
    /** Backoff ceiling after the first failure, in ms. 1–600 000, default 200. */
    baseDelayMs: z.int().min(1).max(600_000).default(200),
    /** Largest backoff ceiling, in ms; at least `baseDelayMs`. 1–3 600 000, default 30 000. */
    maxDelayMs: z.int().min(1).max(3_600_000).default(30_000),
    /** Growth of the ceiling per attempt. 1–10, default 2. */
    multiplier: z.number().min(1).max(10).default(2),
    /**
     * `full` (default): wait a uniform random time in [0, ceiling), so clients that failed together do
     * not come back together. `none`: wait the ceiling itself (deterministic; tests, single clients).
     */
    jitter: z.enum(['full', 'none']).default('full'),
    /** Wait what the ERP's Retry-After asks instead of the backoff. Default true. */
    honourRetryAfter: z.boolean().default(true),
    /**
     * Longest Retry-After honoured, in ms. An ERP asking for more makes the call fail with a
     * `retry-after-too-long` verdict instead of sleeping that long. 0–86 400 000, default 120 000.
     */
    maxRetryAfterMs: z.int().min(0).max(86_400_000).default(120_000),
  })
  .superRefine((policy, context) => {
    if (policy.maxDelayMs < policy.baseDelayMs) {
      context.addIssue({
        code: 'custom',
        path: ['maxDelayMs'],
        message: `maxDelayMs (${policy.maxDelayMs}) must be at least baseDelayMs (${policy.baseDelayMs})`,
      });
    }
  });
export type RetryPolicy = z.infer<typeof RetryPolicy>;

/** How long to wait before the next attempt, or why not to wait at all. */
export type RetryDelay =
  /** Sleep `ms`; `basis` says whether the backoff or the ERP's Retry-After decided it. */
  | { kind: 'wait'; ms: number; basis: 'backoff' | 'retry-after' }
  /** The ERP asked for more than `maxRetryAfterMs`: fail now rather than sleep that long. */
  | { kind: 'too-long'; retryAfterMs: number; maxRetryAfterMs: number };

/**
 * The wait before the attempt after `attempt` (1 = the first attempt just failed). Pure.
 *
 * Rules, in order:
 * 1. With `honourRetryAfter` and a `retryAfterMs` from the ERP: wait exactly that, unless it exceeds
 *    `maxRetryAfterMs` — then `too-long`, and the caller fails instead of sleeping.
 * 2. Otherwise the backoff ceiling is `min(maxDelayMs, baseDelayMs · multiplier^(attempt-1))`;
 *    with `jitter: full` the wait is `random01 · ceiling` (uniform in [0, ceiling)), with `none` the
 *    ceiling itself.
 *
 * @param random01 a number in [0, 1), e.g. `Math.random()`; injected so the result is reproducible.
 * @throws RangeError for an attempt below 1, a random01 outside [0, 1) or a negative retryAfterMs —
 *   programming errors, not ERP failures.
 */
export function delayFor(
  policy: RetryPolicy,
  attempt: number,
  random01: number,
  retryAfterMs?: number,
): RetryDelay {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be an integer of at least 1, not ${attempt}`);
  }
  if (!(random01 >= 0 && random01 < 1)) throw new RangeError(`random01 must be in [0, 1), not ${random01}`);
  if (retryAfterMs !== undefined && !(retryAfterMs >= 0)) {
    throw new RangeError(`retryAfterMs must be a number of at least 0, not ${retryAfterMs}`);
  }
  if (policy.honourRetryAfter && retryAfterMs !== undefined) {
    if (retryAfterMs > policy.maxRetryAfterMs) {
      return { kind: 'too-long', retryAfterMs, maxRetryAfterMs: policy.maxRetryAfterMs };
    }
    return { kind: 'wait', ms: retryAfterMs, basis: 'retry-after' };
  }
  // multiplier ** large attempt overflows to Infinity; min() still gives maxDelayMs.
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.multiplier ** (attempt - 1));
  const ms = policy.jitter === 'full' ? random01 * ceiling : ceiling;
  return { kind: 'wait', ms, basis: 'backoff' };
}

/** What the caller knows about the call being retried. */
export interface RetryCall {
  /** Reads and gets: repeating them changes nothing in the ERP. Writes are not idempotent. */
  idempotent: boolean;
  /**
   * For a non-idempotent call: the failed attempt provably never reached the ERP's processing
   * (429, 503, connection refused — see `provablyNotApplied`). Default false.
   */
  notApplied?: boolean;
}

/** Why a failure is not retried. */
export const NO_RETRY_REASONS = [
  /** Not an ErpError, or of a kind trying again cannot fix (auth, validation, conflict, permanent). */
  'not-retryable',
  /** A ResilienceError: this layer already decided (circuit open, queue timeout, …). */
  'verdict',
  /** A write that may have been applied: only a re-read can tell, and the engine owns that step. */
  'outcome-unknown',
  /** `maxAttempts` attempts were made. */
  'attempts-exhausted',
] as const;
export type NoRetryReason = (typeof NO_RETRY_REASONS)[number];

/** Whether to try again, and if not, why. */
export type RetryDecision = { retry: true } | { retry: false; reason: NoRetryReason };

/**
 * Whether to make another attempt after `attempt` attempts failed, the last with `error`. Pure.
 *
 * Rules, in order:
 * 1. Only `transient` and `rate_limited` ErpErrors are retried (anything else: `not-retryable`).
 * 2. A ResilienceError is never retried (`verdict`).
 * 3. A non-idempotent call (a write) is retried only when `call.notApplied` says the failed attempt
 *    provably did not happen (`outcome-unknown` otherwise).
 * 4. Never more than `maxAttempts` attempts in all (`attempts-exhausted`).
 */
export function shouldRetry(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  call: RetryCall,
): RetryDecision {
  if (!(error instanceof ErpError) || !error.retryable) return { retry: false, reason: 'not-retryable' };
  if (error instanceof ResilienceError) return { retry: false, reason: 'verdict' };
  if (!call.idempotent && call.notApplied !== true) return { retry: false, reason: 'outcome-unknown' };
  if (attempt >= policy.maxAttempts) return { retry: false, reason: 'attempts-exhausted' };
  return { retry: true };
}
