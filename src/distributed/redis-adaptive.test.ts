import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from '../connectors/contract.ts';
import { AdaptiveConcurrencyPolicy } from '../resilience/adaptive-concurrency.ts';
import { ResiliencePolicies } from '../resilience/resilience-config.ts';
import { withResilience } from '../resilience/resilient-connection.ts';
import { createSharedBudget, type SharedBudget } from './shared-budget.ts';
import { type ArrivalServer, startArrivalServer } from './test-processes/arrival-server.ts';
import { dropPrefix, probeRedis, skipWithoutRedis, TEST_REDIS_URL, uniquePrefix } from './test-redis.ts';
import { until } from './test-until.ts';

const skip = skipWithoutRedis(await probeRedis());

/** A connection whose `get` is one request to the arrival server. */
function httpConnection(server: ArrivalServer, worker: string): Connection {
  const unused = () => Promise.reject(new Error('not used by the adaptive test'));
  return {
    async get(entity, key, signal) {
      const response = await fetch(`${server.url}/${entity}/${key}`, {
        headers: { 'x-worker': worker },
        ...(signal === undefined ? {} : { signal }),
      });
      await response.arrayBuffer();
      return { key, version: null, data: {} };
    },
    read: () => ({ [Symbol.asyncIterator]: () => ({ next: unused }) }),
    write: unused,
    test: () => Promise.resolve({ ok: true, message: 'arrival server' }),
    close: () => Promise.resolve(),
  };
}

describe.skipIf(skip)('shared adaptive concurrency, two workers (two budgets, own connections)', () => {
  const prefix = uniquePrefix('adaptive');
  let admin: Redis;
  const budgets: SharedBudget[] = [];
  const backgroundErrors: string[] = [];
  const budget = (): SharedBudget => {
    const opened = createSharedBudget({
      redisUrl: TEST_REDIS_URL,
      prefix,
      onError: (error) => backgroundErrors.push(error.message),
    });
    budgets.push(opened);
    return opened;
  };

  beforeAll(() => {
    admin = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await Promise.all(budgets.map((opened) => opened.close()));
    await dropPrefix(admin, prefix);
    await admin.quit();
    expect(backgroundErrors).toEqual([]);
  });

  it('one worker pushed back (429) cuts the limit for every worker', async () => {
    const policy = AdaptiveConcurrencyPolicy.parse({ enabled: true, initial: 4, max: 8 });
    const first = budget().adaptiveLimiter('cut', policy);
    const second = budget().adaptiveLimiter('cut', policy);
    const seen: number[] = [];
    second.onLimitChange((limit) => seen.push(limit));
    first.record({ kind: 'overload', startedAt: Date.now() });
    await first.flush();
    expect(first.limit).toBe(3);
    await until(() => second.limit === 3, 2000, 'the second worker sees the cut');
    expect(seen).toEqual([3]);
    expect(second.history.map((point) => point.limit)).toEqual([4, 3]);
  });

  it('successes of all workers fill one window: the limit rises on their sum', async () => {
    const policy = AdaptiveConcurrencyPolicy.parse({ enabled: true, initial: 1, max: 8, window: 4 });
    const first = budget().adaptiveLimiter('window', policy);
    const second = budget().adaptiveLimiter('window', policy);
    const startedAt = Date.now();
    for (const latencyMs of [50, 52]) first.record({ kind: 'success', startedAt, latencyMs });
    await first.flush();
    expect(first.limit).toBe(1);
    for (const latencyMs of [51, 49]) second.record({ kind: 'success', startedAt, latencyMs });
    await second.flush();
    expect(second.limit).toBe(2);
    await until(() => first.limit === 2, 2000, 'the first worker sees the rise');
  });

  it('compares times on Redis clock: a worker whose clock is an hour behind still cuts after a cut', async () => {
    const policy = AdaptiveConcurrencyPolicy.parse({ enabled: true, initial: 4, max: 8 });
    const first = budget().adaptiveLimiter('clock', policy);
    const behind = () => Date.now() - 3_600_000;
    const second = budget().adaptiveLimiter('clock', policy, { now: behind });
    first.record({ kind: 'overload', startedAt: Date.now() });
    await first.flush();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Sent after the cut (on its own clock): a new signal, not an echo of the first burst.
    second.record({ kind: 'overload', startedAt: behind() });
    await second.flush();
    expect(second.limit).toBe(2);
    // One sent before the cut is an echo and changes nothing.
    second.record({ kind: 'overload', startedAt: behind() - 60_000 });
    await second.flush();
    expect(second.limit).toBe(2);
  });

  it('a changed policy starts from its own initial limit instead of inheriting one judged under other rules', async () => {
    const before = AdaptiveConcurrencyPolicy.parse({ enabled: true, initial: 4, max: 8 });
    const old = budget().adaptiveLimiter('policy', before);
    old.record({ kind: 'overload', startedAt: Date.now() });
    await old.flush();
    expect(old.limit).toBe(3);
    const changed = budget().adaptiveLimiter('policy', { ...before, window: 20 });
    await changed.flush();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(changed.limit).toBe(4);
  });

  it('all workers together keep no more requests in flight than the shared limit, also after a cut', async () => {
    const policies = ResiliencePolicies.parse({
      rateLimit: { maxInFlight: 8 },
      // The window never fills, so only the cut below moves the limit.
      adaptive: { enabled: true, initial: 2, min: 1, max: 8, window: 10_000, backoffRatio: 0.5 },
    });
    const workers = [budget(), budget()];
    const run = async (server: ArrivalServer) => {
      const connections = workers.map((opened, index) =>
        withResilience(httpConnection(server, `w${index}`), policies, {
          connector: 'gate',
          sharedLimits: opened,
        }),
      );
      await Promise.all(
        connections.flatMap((erp, worker) =>
          Array.from({ length: 8 }, async (_, loop) => {
            for (let call = 0; call < 3; call++) await erp.get('orders', `${worker}-${loop}-${call}`);
          }),
        ),
      );
      return connections;
    };
    const wide = await startArrivalServer(40);
    try {
      const connections = await run(wide);
      expect(wide.arrivals).toHaveLength(48);
      expect(wide.peakInFlight()).toBe(2);
      expect(connections[0]?.figures().concurrency.limit).toBe(2);
    } finally {
      await wide.close();
    }
    const limiter = workers[0]?.adaptiveLimiter('gate', policies.adaptive);
    limiter?.record({ kind: 'overload', startedAt: Date.now() });
    await limiter?.flush();
    const other = workers[1]?.adaptiveLimiter('gate', policies.adaptive);
    await until(() => other?.limit === 1, 2000, 'the other worker sees the cut');
    const narrow = await startArrivalServer(20);
    try {
      await run(narrow);
      expect(narrow.arrivals).toHaveLength(48);
      expect(narrow.peakInFlight()).toBe(1);
    } finally {
      await narrow.close();
    }
  });
});
