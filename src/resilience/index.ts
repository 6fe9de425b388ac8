/**
 * Resilience: retries, circuit breaker, rate limit, timeout and adaptive concurrency around every
 * connector call, one set of policies per connector, from config. See README.md for the order of
 * the wrappers and the rule for retrying writes.
 *
 * @example
 *   import { ResiliencePolicies, withResilience } from '../resilience/index.ts';
 *   const policies = ResiliencePolicies.parse(rawConfig.resilience ?? {});
 *   const erp = withResilience(await prepared.connect(), policies, { connector: 'erp' });
 */
export {
  AdaptiveConcurrencyPolicy,
  type AdaptiveLimiter,
  type AdaptiveState,
  adaptLimit,
  capacitySignal,
  createAdaptiveLimiter,
  type LimitPoint,
  type RequestOutcome,
} from './adaptive-concurrency.ts';
export {
  BreakerPolicy,
  type BreakerState,
  type ConnectorBreaker,
  countsAsFailure,
  createCircuitBreaker,
} from './circuit-breaker.ts';
export { type BoundaryContext, toErpError } from './classify-error.ts';
export { createLatencyHistogram, type LatencyHistogram, type LatencySummary } from './latency-histogram.ts';
export {
  createRateLimiter,
  type RateLimiterOptions,
  type RateLimiterSnapshot,
  type RateLimitPermit,
  RateLimitPolicy,
  type SharedRateLimiter,
} from './rate-limit.ts';
export {
  defaultResiliencePolicies,
  ResiliencePolicies,
  type ResiliencePoliciesInput,
} from './resilience-config.ts';
export {
  isOutcomeUnknown,
  isResilienceError,
  RESILIENCE_VERDICTS,
  ResilienceError,
  type ResilienceVerdict,
} from './resilience-error.ts';
export {
  type ConnectorFigures,
  type GiveUpReason,
  type ResilienceEvent,
  type ResilienceOptions,
  type ResilientConnection,
  type ResilientOperation,
  withResilience,
} from './resilient-connection.ts';
export { parseRetryAfter } from './retry-after.ts';
export {
  delayFor,
  NO_RETRY_REASONS,
  type NoRetryReason,
  type RetryCall,
  type RetryDecision,
  type RetryDelay,
  RetryPolicy,
  shouldRetry,
} from './retry-policy.ts';
export {
  fullBucket,
  refill,
  type TakeResult,
  type TokenBucket,
  type TokenRate,
  takeToken,
} from './token-bucket.ts';
export { provablyNotApplied } from './write-outcome.ts';
