import type { Redis } from 'ioredis';
import type { RateLimitPolicy } from '../resilience/rate-limit.ts';
import { createRedisGate, type RedisGate } from './redis-gate.ts';
import { rateKey, redisLocation } from './redis-keys.ts';
import type { Wakeups } from './wakeups.ts';

/** Default lease of a shared slot, in ms: how soon the slots of a killed worker come back. */
export const DEFAULT_LEASE_MS = 10_000;

export interface RedisRateLimiterOptions {
  redis: Redis;
  /** The doorbell of freed slots (one per process: `createWakeups`). */
  wakeups: Wakeups;
  /** The deployment's key prefix: keys are `erpbridge:{prefix}:rate:<connector>:…`. */
  prefix: string;
  /** The connector's name in erpbridge.yaml. */
  connector: string;
  /** The connector's `resilience.rateLimit`, parsed. Every worker must use the same one. */
  policy: RateLimitPolicy;
  /**
   * Lease of a slot in ms (renewed every third of it while the request runs): a SIGKILLed worker's
   * slots return after at most this long. 1000–600 000; default {@link DEFAULT_LEASE_MS}.
   */
  leaseMs?: number;
  /** Redis URL or other description of where Redis is, for messages; credentials are dropped. */
  redisUrl?: string;
  /** Told about failures no caller sees (a failed release or renewal). Default: a process warning. */
  onError?: (error: Error) => void;
}

/** A shared rate limiter: the in-memory limiter's contract, plus a view of all workers and `close`. */
export type RedisRateLimiter = RedisGate;

/**
 * A {@link SharedRateLimiter} whose budget lives in Redis, so every worker together respects one
 * connector's `rateLimit`: at most `requestsPerSecond` started (token bucket in a Lua script, on
 * Redis's clock, never the workers'), at most `maxInFlight` in flight across all workers (a
 * semaphore of leased slots), waits bounded by `maxWaitMs`. Waiters are served roughly first come,
 * first served across workers. Pass it to `withResilience` as `rateLimiter`, or build it through
 * `createSharedBudget`.
 *
 * @example
 *   const limiter = createRedisRateLimiter({ redis, wakeups, prefix: 'prod', connector: 'erp', policy });
 *   const erp = withResilience(connection, policies, { connector: 'erp', rateLimiter: limiter });
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RedisRateLimiter {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  checkLease(leaseMs);
  const { policy } = options;
  return createRedisGate({
    redis: options.redis,
    wakeups: options.wakeups,
    base: rateKey(options.prefix, options.connector),
    connector: options.connector,
    location: options.redisUrl === undefined ? 'Redis' : redisLocation(options.redisUrl),
    capacity: { kind: 'fixed', slots: policy.maxInFlight },
    ...(policy.requestsPerSecond === null
      ? {}
      : { rate: { requestsPerSecond: policy.requestsPerSecond, burst: policy.burst } }),
    leaseMs,
    maxWaitMs: policy.maxWaitMs,
    onError: options.onError ?? warn,
  });
}

/** @throws RangeError naming the value when a lease is not a whole number of ms in 1000–600 000. */
export function checkLease(leaseMs: number): void {
  if (!Number.isInteger(leaseMs) || leaseMs < 1000 || leaseMs > 600_000) {
    throw new RangeError(`leaseMs must be a whole number from 1000 to 600000 (ms), not ${leaseMs}`);
  }
}

/** The default reporter of background failures: a process warning, one line. */
export function warn(error: Error): void {
  process.emitWarning(error.message, 'ErpbridgeDistributedWarning');
}
