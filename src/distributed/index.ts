/**
 * Distributed mode: what several erpbridge processes share through Redis — each ERP's request
 * budget (rate, in-flight slots, adaptive concurrency) and the leadership of the schedules. See
 * README.md.
 *
 * @example
 *   import { createLeaderScheduler, createSharedBudget } from '../distributed/index.ts';
 *   const budget = createSharedBudget({ redisUrl: config.queue, prefix: 'prod' });
 *   const erp = withResilience(connection, policies, { connector: 'erp', sharedLimits: budget });
 */
export {
  createLeaderLease,
  type LeaderLease,
  type LeaderLeaseOptions,
  type LeaseLossReason,
} from './leader-lease.ts';
export {
  createLeaderScheduler,
  type FireSlot,
  type LeaderScheduler,
  type LeaderSchedulerOptions,
} from './leader-scheduler.ts';
export {
  createRedisAdaptiveLimiter,
  type RedisAdaptiveLimiter,
  type RedisAdaptiveLimiterOptions,
} from './redis-adaptive.ts';
export type { GateUsage } from './redis-gate.ts';
export { redisLocation } from './redis-keys.ts';
export {
  createRedisRateLimiter,
  DEFAULT_LEASE_MS,
  type RedisRateLimiter,
  type RedisRateLimiterOptions,
} from './redis-rate-limiter.ts';
export { createSharedBudget, type SharedBudget, type SharedBudgetOptions } from './shared-budget.ts';
export { createWakeups, type Wakeups } from './wakeups.ts';
