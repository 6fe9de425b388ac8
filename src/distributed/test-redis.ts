import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deploymentTag } from './redis-keys.ts';

/**
 * The real Redis the tests of this folder run against, for tests only (not exported from the
 * folder's index). An absent Redis skips the tests with one line — unless CI=true, where a missing
 * service is a failure, not a skip. Same rules as `src/connectors/sql/test-databases.ts`.
 */

/** Where Redis is expected; override with ERPBRIDGE_TEST_REDIS. */
export const TEST_REDIS_URL = process.env.ERPBRIDGE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

export type RedisProbe = { available: true } | { available: false; reason: string };

/**
 * Whether Redis answers PING within 3 s. Outside CI an absent server is reported (the caller
 * skips and prints `reason`); under CI=true it throws.
 */
export async function probeRedis(): Promise<RedisProbe> {
  const redis = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The probe reports the failure itself; without a listener ioredis would print it as unhandled.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return { available: true };
  } catch (error) {
    const reason = `Redis is not reachable at ${TEST_REDIS_URL} (${error instanceof Error ? error.message : String(error)})`;
    if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
    return { available: false, reason };
  } finally {
    redis.disconnect();
  }
}

/** Prints the one-line skip message for an absent Redis; returns whether to skip. */
export function skipWithoutRedis(probe: RedisProbe): boolean {
  if (probe.available) return false;
  process.stderr.write(`skipping: ${probe.reason}\n`);
  return true;
}

/** A key prefix no other test run uses: `t-<name>-<pid>-<hex>`. */
export function uniquePrefix(name: string): string {
  return `t-${name}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Deletes every key of the deployment `prefix`; returns how many there were. */
export async function dropPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let dropped = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${deploymentTag(prefix)}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) dropped += await redis.del(...keys);
  } while (cursor !== '0');
  return dropped;
}
