import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeaderLease, type LeaderLease, type LeaseLossReason } from './leader-lease.ts';
import { leaderKey } from './redis-keys.ts';
import { dropPrefix, probeRedis, skipWithoutRedis, TEST_REDIS_URL, uniquePrefix } from './test-redis.ts';
import { until } from './test-until.ts';

const skip = skipWithoutRedis(await probeRedis());

describe.skipIf(skip)('createLeaderLease', () => {
  const prefix = uniquePrefix('lease');
  let redis: Redis;
  const leases: LeaderLease[] = [];
  const errors: string[] = [];

  const lease = (
    name: string,
    events: string[],
    options: { ttlMs?: number; retryEveryMs?: number; client?: Redis } = {},
  ): LeaderLease => {
    const made = createLeaderLease({
      redis: options.client ?? redis,
      prefix,
      name,
      ttlMs: options.ttlMs ?? 2000,
      retryEveryMs: options.retryEveryMs ?? 100,
      onAcquired: () => events.push('acquired'),
      onLost: (reason: LeaseLossReason) => events.push(`lost ${reason}`),
      onError: (error) => errors.push(error.message),
    });
    leases.push(made);
    return made;
  };

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await Promise.all(leases.map((made) => made.stop()));
    await dropPrefix(redis, prefix);
    await redis.quit();
  });

  it('one of three leads; stopping it hands the lease to another at its next try', async () => {
    const events: string[][] = [[], [], []];
    const contenders = events.map((own) => lease('handover', own));
    for (const contender of contenders) contender.start();
    await until(() => contenders.some((contender) => contender.isLeader), 2000, 'a leader');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const leaders = contenders.filter((contender) => contender.isLeader);
    expect(leaders).toHaveLength(1);
    const [leader] = leaders;
    if (leader === undefined) throw new Error('no leader');
    expect(await redis.get(leaderKey(prefix, 'handover'))).toBe(leader.token);
    const stoppedAt = Date.now();
    await leader.stop();
    await until(() => contenders.some((contender) => contender.isLeader), 2000, 'a new leader');
    expect(Date.now() - stoppedAt).toBeLessThan(1000);
    expect(contenders.filter((contender) => contender.isLeader)).toHaveLength(1);
    // stop() is not a loss: the old leader was told nothing.
    expect(events[contenders.indexOf(leader)]).toEqual(['acquired']);
  });

  it('renews: the leader keeps the lease well past its ttl', async () => {
    const events: string[] = [];
    const leader = lease('renew', events, { ttlMs: 1000 });
    leader.start();
    await until(() => leader.isLeader, 2000, 'leading');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(leader.isLeader).toBe(true);
    expect(await redis.get(leaderKey(prefix, 'renew'))).toBe(leader.token);
    expect(await redis.pttl(leaderKey(prefix, 'renew'))).toBeGreaterThan(0);
    expect(events).toEqual(['acquired']);
  });

  it('a lease someone else holds now is lost ("taken") at the next renewal, and never extended', async () => {
    const events: string[] = [];
    const leader = lease('taken', events, { ttlMs: 3000, retryEveryMs: 1000 });
    leader.start();
    await until(() => leader.isLeader, 2000, 'leading');
    await redis.set(leaderKey(prefix, 'taken'), 'another-process', 'PX', 3000);
    await until(() => !leader.isLeader, 2000, 'stepped down');
    expect(events).toEqual(['acquired', 'lost taken']);
    expect(await redis.get(leaderKey(prefix, 'taken'))).toBe('another-process');
    // It competes again, and takes the lease once the other's has expired.
    await until(() => leader.isLeader, 6000, 'leading again');
    expect(events).toEqual(['acquired', 'lost taken', 'acquired']);
  });

  it('steps down on its own clock ("expired") when Redis cannot be reached, before the lease ends in Redis', async () => {
    const client = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    const events: string[] = [];
    const leader = lease('unreachable', events, { ttlMs: 3000, client });
    leader.start();
    await until(() => leader.isLeader, 2000, 'leading');
    client.disconnect();
    await until(() => !leader.isLeader, 5000, 'stepped down');
    const left = await redis.pttl(leaderKey(prefix, 'unreachable'));
    expect(events).toEqual(['acquired', 'lost expired']);
    // Redis still holds the (dead) lease for a moment: the process let go first.
    expect(left).toBeGreaterThan(0);
    expect(errors.some((message) => message.includes('could not renew'))).toBe(true);
  });

  it('refuses timings that cannot work, naming the option', () => {
    expect(() => createLeaderLease({ redis, prefix, name: 'x', ttlMs: 500 })).toThrow(
      'ttlMs must be a whole number from 1000 to 600000 (ms), not 500',
    );
    expect(() => createLeaderLease({ redis, prefix, name: 'x', ttlMs: 3000, renewEveryMs: 2000 })).toThrow(
      'renewEveryMs must be a whole number of ms below half of ttlMs (3000), so one failed renewal does not lose the lease; not 2000',
    );
  });
});
