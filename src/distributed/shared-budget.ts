import { Redis, type RedisOptions } from 'ioredis';
import { describeError } from '../errors/index.ts';
import type { AdaptiveConcurrencyPolicy } from '../resilience/adaptive-concurrency.ts';
import type { RateLimitPolicy } from '../resilience/rate-limit.ts';
import type { SharedLimiterFactory } from '../resilience/resilient-connection.ts';
import { createRedisAdaptiveLimiter, type RedisAdaptiveLimiter } from './redis-adaptive.ts';
import { deploymentTag, redisLocation } from './redis-keys.ts';
import { checkLease, createRedisRateLimiter, type RedisRateLimiter, warn } from './redis-rate-limiter.ts';
import { createWakeups } from './wakeups.ts';

export interface SharedBudgetOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`: the `queue:` of erpbridge.yaml. */
  redisUrl: string;
  /**
   * The deployment's key prefix; every worker of one deployment uses the same one, and two
   * deployments on one Redis use different ones. Letters, digits, `_`, `-`, `.`.
   */
  prefix: string;
  /** Lease of a shared slot, in ms: how soon a killed worker's slots return. Default 10 000. */
  leaseMs?: number;
  /** Told about background failures (Redis unreachable, a lease lost). Default: a process warning. */
  onError?: (error: Error) => void;
  /**
   * ioredis options over the URL's (TLS, timeouts). Default ioredis behaviour: a command waits
   * through reconnects and fails after 20 attempts (about 10 s of outage); the caller's
   * `maxWaitMs` bounds the wait before that.
   */
  redisOptions?: RedisOptions;
}

/**
 * The ERP budgets of one deployment, shared by all its workers through Redis: pass it to
 * `withResilience` as `sharedLimits` and each connector's rate limit, in-flight limit and adaptive
 * concurrency hold across every worker instead of per process.
 */
export interface SharedBudget extends SharedLimiterFactory {
  readonly prefix: string;
  /** The connection the limiters use (for a leader lease or a health check; do not close it). */
  readonly redis: Redis;
  rateLimiter(connector: string, policy: RateLimitPolicy): RedisRateLimiter;
  adaptiveLimiter(
    connector: string,
    policy: AdaptiveConcurrencyPolicy,
    options?: { now?: () => number },
  ): RedisAdaptiveLimiter;
  /** Frees this process's slots, closes the Redis connections. Limiters fail fast afterwards. */
  close(): Promise<void>;
}

/**
 * Opens the shared budget of a deployment: one Redis connection for the scripts and one for
 * pub/sub, whatever the number of connectors. Limiters are made on demand and reused: the same
 * connector and policy give the same limiter, so every connection to one ERP in this process
 * draws on one budget.
 *
 * @throws Error for a URL that is not redis:// or rediss://, or an unusable prefix; nothing is
 *   opened then.
 * @example
 *   const budget = createSharedBudget({ redisUrl: 'redis://127.0.0.1:6379', prefix: 'prod' });
 *   const erp = withResilience(await prepared.connect(), policies, { connector: 'erp', sharedLimits: budget });
 *   // on shutdown, after the connections:
 *   await budget.close();
 */
export function createSharedBudget(options: SharedBudgetOptions): SharedBudget {
  const { redisUrl, prefix } = options;
  const location = redisLocation(redisUrl);
  if (!/^rediss?:\/\//.test(redisUrl)) {
    throw new Error(`the shared budget needs a redis:// or rediss:// URL, not ${location}`);
  }
  deploymentTag(prefix);
  const leaseMs = options.leaseMs ?? 10_000;
  checkLease(leaseMs);
  const onError = options.onError ?? warn;

  const redis = new Redis(redisUrl, { connectionName: 'erpbridge-budget', ...options.redisOptions });
  let reported = false;
  redis.on('error', (error: Error) => {
    // ioredis retries on its own; one report per outage, not one per reconnect attempt.
    if (reported) return;
    reported = true;
    onError(
      new Error(`Redis at ${location} (shared ERP budget) failed: ${describeError(error)}; reconnecting`),
    );
  });
  redis.on('ready', () => {
    reported = false;
  });
  const wakeups = createWakeups(redis, onError);
  const rateLimiters = new Map<string, RedisRateLimiter>();
  const adaptiveLimiters = new Map<string, RedisAdaptiveLimiter>();
  let closed = false;

  const opened = () => {
    if (closed) throw new Error(`the shared budget on ${location} (prefix ${prefix}) is closed`);
  };

  return {
    prefix,
    redis,
    rateLimiter(connector, policy) {
      opened();
      const key = `${connector}\n${JSON.stringify(policy)}`;
      let limiter = rateLimiters.get(key);
      if (limiter === undefined) {
        limiter = createRedisRateLimiter({
          redis,
          wakeups,
          prefix,
          connector,
          policy,
          leaseMs,
          redisUrl,
          onError,
        });
        rateLimiters.set(key, limiter);
      }
      return limiter;
    },
    adaptiveLimiter(connector, policy, limiterOptions = {}) {
      opened();
      const key = `${connector}\n${JSON.stringify(policy)}`;
      let limiter = adaptiveLimiters.get(key);
      if (limiter === undefined) {
        limiter = createRedisAdaptiveLimiter({
          redis,
          wakeups,
          prefix,
          connector,
          policy,
          leaseMs,
          redisUrl,
          onError,
          ...(limiterOptions.now === undefined ? {} : { now: limiterOptions.now }),
        });
        adaptiveLimiters.set(key, limiter);
      }
      return limiter;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(
        [...rateLimiters.values(), ...adaptiveLimiters.values()].map((limiter) => limiter.close()),
      );
      await wakeups.close();
      try {
        await redis.quit();
      } catch (error) {
        onError(
          new Error(`could not close the Redis connection to ${location} cleanly: ${describeError(error)}`),
        );
        redis.disconnect();
      }
    },
  };
}
