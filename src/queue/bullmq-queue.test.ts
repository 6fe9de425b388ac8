import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  dropPrefix,
  probeRedis,
  skipWithoutRedis,
  TEST_REDIS_URL,
  uniquePrefix,
} from '../distributed/test-redis.ts';
import type { JobInfo } from '../engine/work-queue.ts';
import type { OutboxJob, Store } from '../store/contract.ts';
import { createSqliteStore } from '../store/index.ts';
import { createDistributedQueue, type DistributedQueue, type JobEvent } from './bullmq-queue.ts';

const probe = await probeRedis();
const skip = skipWithoutRedis(probe);

const Job = z.strictObject({ n: z.number() });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skip)('distributed queue (BullMQ on Redis, outbox in SQLite)', () => {
  let redis: Redis;
  let dir: string;
  let store: Store;
  let prefix: string;
  const queues: DistributedQueue[] = [];

  const makeQueue = (options: { store?: Store; events?: JobEvent[]; lockDurationMs?: number } = {}) => {
    const queue = createDistributedQueue({
      redisUrl: TEST_REDIS_URL,
      prefix,
      store: options.store ?? store,
      lockDurationMs: options.lockDurationMs ?? 2000,
      stalledIntervalMs: 500,
      policies: { fragile: { attempts: 2, backoffMs: 50 } },
      onJob: (event) => options.events?.push(event),
      onError: () => undefined,
    });
    queues.push(queue);
    return queue;
  };

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'erpbridge-queue-'));
    store = createSqliteStore({ path: join(dir, 'store.sqlite') });
    await store.migrate();
    prefix = uniquePrefix('queue');
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((queue) => queue.close()));
    await store.close();
    await dropPrefix(redis, prefix);
    await rm(dir, { recursive: true, force: true });
  });

  it('runs added jobs on a worker, with the outbox id as job id, and marks the rows sent', async () => {
    const queue = makeQueue();
    const seen: { n: number; info: JobInfo }[] = [];
    queue.handle('square', Job, async ({ n }, info) => {
      seen.push({ n, info });
    });
    const worker = queue.work({ concurrency: 2 });
    await queue.add('square', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    await queue.drain();
    expect(seen.map(({ n }) => n).sort()).toEqual([1, 2, 3]);
    for (const { info } of seen) {
      expect(info.id).toMatch(/^square-[0-9a-f-]{36}$/);
      expect(info.attempt).toBe(1);
    }
    expect(await store.listOutboxJobs({ limit: 10 })).toEqual([]);
    expect(await worker.stop(5000)).toEqual({ unfinished: 0 });
  });

  it('publishes a row once however often a relay publishes it (a crash between publish and mark)', async () => {
    // A store whose first mark fails: the relay publishes the same rows again on its next round.
    let failMark = true;
    const flaky = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'markOutboxJobsSent') {
          return async (ids: string[], at: string) => {
            if (failMark) {
              failMark = false;
              throw new Error('connection lost before the mark');
            }
            return target.markOutboxJobsSent(ids, at);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const queue = makeQueue({ store: flaky });
    let runs = 0;
    queue.handle('count', Job, async () => {
      runs++;
    });
    const job: OutboxJob = {
      id: 'count-once',
      kind: 'count',
      payload: { n: 1 },
      createdAt: new Date().toISOString(),
    };
    await store.addOutboxJobs([job]);
    await queue.flush?.();
    expect(await store.listOutboxJobs({ limit: 10 })).toEqual([job]);
    await queue.flush?.();
    expect(await store.listOutboxJobs({ limit: 10 })).toEqual([]);
    queue.work({ concurrency: 1 });
    await waitFor(async () => (await queue.counts()).completed === 1);
    await sleep(300);
    expect(runs).toBe(1);
  });

  it('retries a failing job and gives it up once its last attempt fails', async () => {
    const events: JobEvent[] = [];
    const queue = makeQueue({ events });
    const gaveUp: { job: { n: number }; error: string }[] = [];
    queue.handle(
      'fragile',
      Job,
      async ({ n }) => {
        throw new Error(`job ${n} cannot work`);
      },
      { onGiveUp: async (job, error) => void gaveUp.push({ job, error: String(error) }) },
    );
    queue.work({ concurrency: 1 });
    await queue.add('fragile', [{ n: 7 }]);
    await expect(queue.drain()).rejects.toThrow('job 7 cannot work');
    expect(events.map((event) => [event.outcome, event.attempt])).toEqual([
      ['failed', 1],
      ['gave-up', 2],
    ]);
    expect(gaveUp).toEqual([{ job: { n: 7 }, error: 'Error: job 7 cannot work' }]);
  });

  it('refuses a job that does not match its schema, without retrying it', async () => {
    const events: JobEvent[] = [];
    const queue = makeQueue({ events });
    queue.handle('square', Job, async () => undefined);
    queue.work({ concurrency: 1 });
    await queue.add('square', [{ n: 'one' }]);
    await expect(queue.drain()).rejects.toThrow(/does not match its kind's schema: n: /);
    expect(events.map((event) => event.outcome)).toEqual(['gave-up']);
  });

  it('a job left running by a stopped worker goes to another worker once its lock expires', async () => {
    const first = makeQueue();
    const second = makeQueue();
    const attempts: { worker: string; info: JobInfo }[] = [];
    let release: () => void = () => undefined;
    first.handle('slow', Job, async (_job, info) => {
      attempts.push({ worker: 'first', info });
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    second.handle('slow', Job, async (_job, info) => {
      attempts.push({ worker: 'second', info });
    });
    const worker = first.work({ concurrency: 1 });
    await first.add('slow', [{ n: 1 }]);
    await waitFor(async () => attempts.length === 1);
    const stopped = performance.now();
    expect(await worker.stop(200)).toEqual({ unfinished: 1 });
    second.work({ concurrency: 1 });
    await waitFor(async () => attempts.length === 2, 15_000);
    const takeoverMs = performance.now() - stopped;
    release();
    expect(attempts.map((attempt) => attempt.worker)).toEqual(['first', 'second']);
    expect(attempts[1]?.info.id).toBe(attempts[0]?.info.id);
    // The lock (2 s here) must expire first: no two workers run one job at once.
    expect(takeoverMs).toBeGreaterThan(1500);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}
