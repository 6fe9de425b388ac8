import { Cron } from 'croner';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeaderScheduler, type LeaderScheduler } from './leader-scheduler.ts';
import { deploymentTag, fireKey, leaderKey } from './redis-keys.ts';
import { killWorker, startWorker, type WorkerProcess } from './test-processes/harness.ts';
import { dropPrefix, probeRedis, skipWithoutRedis, TEST_REDIS_URL, uniquePrefix } from './test-redis.ts';
import { until } from './test-until.ts';

const skip = skipWithoutRedis(await probeRedis());

describe.skipIf(skip)('createLeaderScheduler in one process', () => {
  const prefix = uniquePrefix('sched');
  let redis: Redis;
  const schedulers: LeaderScheduler[] = [];

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    await dropPrefix(redis, prefix);
    await redis.quit();
  });

  it('never fires a slot that has fired already (claimed by a leader before a handover)', async () => {
    const fired: string[] = [];
    const errors: unknown[] = [];
    const scheduler = createLeaderScheduler({
      redis,
      prefix,
      name: 'claimed',
      schedules: [{ workflow: 'po-urgency', cron: '* * * * * *' }],
      fire: async (_workflow, slot) => {
        fired.push(slot.scheduledAt.toISOString());
      },
      onError: (_workflow, error) => errors.push(error),
    });
    schedulers.push(scheduler);
    // The previous leader fired the next two slots just before it died.
    const [, second, third] = new Cron('* * * * * *').nextRuns(3, new Date(Date.now() + 1000));
    if (second === undefined || third === undefined) throw new Error('no slots');
    for (const slot of [second, third]) {
      await redis.set(fireKey(prefix, 'po-urgency', slot), 'fired by the previous leader', 'PX', 60_000);
    }
    scheduler.start();
    await until(
      () => fired.some((slot) => slot > third.toISOString()),
      8000,
      'a fire after the claimed slots',
    );
    expect(fired).not.toContain(second.toISOString());
    expect(fired).not.toContain(third.toISOString());
    expect(scheduler.refused('po-urgency')).toBeGreaterThanOrEqual(2);
    expect(new Set(fired).size).toBe(fired.length);
    expect(errors).toEqual([]);
    // Each fire left its claim, naming this process.
    const claim = await redis.get(fireKey(prefix, 'po-urgency', new Date(fired.at(-1) ?? '')));
    expect(JSON.parse(claim ?? '{}')).toMatchObject({ pid: process.pid });
  });

  it('a leader whose lease was taken fires nothing more, even before it notices at its renewal', async () => {
    const fired: string[] = [];
    const leadership: string[] = [];
    const scheduler = createLeaderScheduler({
      redis,
      prefix,
      name: 'fenced',
      ttlMs: 9000,
      schedules: [{ workflow: 'invoice-match', cron: '* * * * * *' }],
      fire: async (_workflow, slot) => {
        fired.push(slot.scheduledAt.toISOString());
      },
      onLeadership: (change) => leadership.push(change.leader ? 'leader' : `lost ${change.reason}`),
    });
    schedulers.push(scheduler);
    scheduler.start();
    await until(() => fired.length > 0, 5000, 'a first fire');
    await redis.set(leaderKey(prefix, 'fenced'), 'another-instance', 'PX', 20_000);
    const takenAt = new Date().toISOString();
    // Renewal every 3 s: ticks in between find the lease token changed and are refused.
    await until(() => leadership.includes('lost taken'), 5000, 'the loss noticed');
    expect(fired.filter((slot) => slot > takenAt)).toEqual([]);
    expect(scheduler.isLeader).toBe(false);
    expect(leadership).toEqual(['leader', 'lost taken']);
  });

  it('refuses a schedule croner cannot read, naming the workflow', () => {
    expect(() =>
      createLeaderScheduler({
        redis,
        prefix,
        schedules: [{ workflow: 'replenishment', cron: 'every day' }],
        fire: async () => undefined,
      }),
    ).toThrow(/^schedule of workflow replenishment: /);
  });
});

describe.skipIf(skip)('createLeaderScheduler, three instances as separate processes', () => {
  const prefix = uniquePrefix('leader3');
  const firesKey = `${deploymentTag(prefix)}:test:fires`;
  let redis: Redis;
  const instances: WorkerProcess[] = [];

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await Promise.all(instances.map(killWorker));
    await dropPrefix(redis, prefix);
    await redis.quit();
  });

  interface Fire {
    pid: number;
    slot: string;
    firedAt: number;
  }
  const fires = async (): Promise<Fire[]> =>
    (await redis.lrange(firesKey, 0, -1)).map((line) => JSON.parse(line));

  it('one instance fires each slot; SIGKILL the leader and another fires within 15 s; no slot fires twice', async () => {
    const ttlMs = 10_000;
    const settings = { redisUrl: TEST_REDIS_URL, prefix, cron: '*/2 * * * * *', ttlMs, firesKey };
    instances.push(...[1, 2, 3].map(() => startWorker('leader-worker.ts', settings)));
    await Promise.all(instances.map((instance) => instance.waitForLine((line) => line === 'ready', 30_000)));
    await until(async () => (await fires()).length >= 3, 20_000, 'three fires');

    const before = await fires();
    const leaderPid = before[0]?.pid;
    expect(before.every((fire) => fire.pid === leaderPid)).toBe(true);
    const leader = instances.find((instance) => instance.pid === leaderPid);
    if (leader === undefined) throw new Error(`the leader ${leaderPid} is not one of the instances`);
    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await leader.exited;

    await until(
      async () => (await fires()).some((fire) => fire.pid !== leaderPid),
      20_000,
      'a fire by a new leader',
    );
    const takeover = (await fires()).find((fire) => fire.pid !== leaderPid);
    if (takeover === undefined) throw new Error('no takeover');
    const takeoverMs = takeover.firedAt - killedAt;

    // A clean stop hands over at once: the third instance takes over at its next try.
    await until(
      async () => (await fires()).filter((fire) => fire.pid === takeover.pid).length >= 2,
      10_000,
      'steady',
    );
    const second = instances.find((instance) => instance.pid === takeover.pid);
    if (second === undefined) throw new Error('the new leader is not one of the instances');
    const stoppedAt = Date.now();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const third = instances.find((instance) => instance.pid !== leaderPid && instance.pid !== takeover.pid);
    await until(
      async () => (await fires()).some((fire) => fire.pid === third?.pid),
      10_000,
      'the third fires',
    );
    const handover = (await fires()).find((fire) => fire.pid === third?.pid);
    const handoverMs = (handover?.firedAt ?? 0) - stoppedAt;
    process.stderr.write(
      `leader scheduler (ttl ${ttlMs} ms, every 2 s): SIGKILLed leader replaced, next fire after ${takeoverMs} ms; clean stop handed over, next fire after ${handoverMs} ms\n`,
    );

    const all = await fires();
    const slots = all.map((fire) => fire.slot);
    expect(new Set(slots).size).toBe(slots.length);
    expect(takeoverMs).toBeLessThanOrEqual(15_000);
    expect(handoverMs).toBeLessThanOrEqual(4000);
    // One firer at a time: the fires, in slot order, go leader → second → third, never back.
    const order = [...all].sort((a, b) => a.slot.localeCompare(b.slot)).map((fire) => fire.pid);
    const runs = order.filter((pid, index) => pid !== order[index - 1]);
    expect(runs).toEqual([leaderPid, takeover.pid, third?.pid]);
    // While an instance led, it fired every slot (2 s apart).
    for (const pid of runs) {
      const own = all.filter((fire) => fire.pid === pid).map((fire) => Date.parse(fire.slot));
      own.sort((a, b) => a - b);
      expect(own.slice(1).map((slot, index) => slot - (own[index] ?? 0))).toEqual(
        own.slice(1).map(() => 2000),
      );
    }
  });
});
