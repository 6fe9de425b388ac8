/**
 * Acceptance (issue 9): a worker SIGKILLed in the middle of a run loses nothing and doubles
 * nothing — its jobs go to the other workers once their locks expire — and a worker sent SIGTERM
 * finishes what it runs before it exits.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentTag } from '../src/distributed/redis-keys.ts';
import { TEST_REDIS_URL } from '../src/distributed/test-redis.ts';
import { QUEUE_NAME } from '../src/queue/bullmq-queue.ts';
import type { CliContext } from '../src/runtime/context.ts';
import {
  type Deployment,
  distributedUnavailable,
  killChildren,
  type SandboxRequest,
  sandboxRequests,
  settled,
  startDeployment,
  startWorkers,
  type WorkerProcess,
} from './support/distributed.ts';

const unavailable = await distributedUnavailable();
if (unavailable) process.stderr.write(`skipping the distributed tests: ${unavailable}\n`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(unavailable !== null)('distributed: a worker that dies or stops mid-run', () => {
  let deployment: Deployment;
  let context: CliContext;
  let redis: Redis;
  let queue: Queue;

  beforeAll(async () => {
    deployment = await startDeployment({
      name: 'takeover',
      orders: 3000,
      history: 6000,
      workflow: { labels: ['urgent', 'high'], policy: 'auto' },
      // Slow enough (about 2,100 requests) to kill a worker while its jobs run.
      requestsPerSecond: 100,
    });
    context = await deployment.open();
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(QUEUE_NAME, { connection: redis, prefix: deploymentTag(deployment.prefix) });
  });

  afterAll(async () => {
    killChildren();
    await queue?.close();
    await redis?.quit();
    await context?.close();
    await deployment?.cleanup();
  });

  let firstRun: string;

  it('SIGTERM: a worker finishes the apply job it runs, exits 0, and another finishes the run', async () => {
    const first = await deployment.startWorker({ concurrency: 2 });
    await deployment.sandbox.clearRequests();
    const started = await context.engine.run(context.workflow('po-urgency'), {
      dryRun: false,
      asOf: '2026-11-02',
    });
    firstRun = started.run.id;
    await waitFor(120_000, async () =>
      (await queue.getActive()).some(
        (job) => job.name === 'apply' && job.processedBy?.endsWith(`:${first.pid}`),
      ),
    );
    const second = await deployment.startWorker({ concurrency: 2 });
    const exit = await first.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(first.output().stdout).toMatch(/SIGTERM: taking no new jobs/);
    expect(first.output().stdout).toMatch(/stopped: every running job finished/);

    const run = await settled(context, started.run.id, 300_000);
    expect(run.state).toBe('completed');
    const counts = await context.store.countChanges(run.id);
    const applied = counts.applied ?? 0;
    expect(applied).toBeGreaterThan(500);
    expect(counts).toEqual({ applied });
    const appliedPerOrder = countApplied(await sandboxRequests(deployment.sandbox));
    expect(appliedPerOrder.size).toBe(applied);
    expect(Math.max(...appliedPerOrder.values())).toBe(1);
    await second.stop('SIGTERM');
  }, 420_000);

  it('SIGKILL: the killed worker’s jobs are taken over; no change lost, none applied twice', async () => {
    // The workload: reverting the first run, ~700 writes at 100 requests/s over three workers.
    const workers = await startWorkers(deployment, 3);
    await deployment.sandbox.clearRequests();
    const revert = await context.engine.revert(context.workflow('po-urgency'), firstRun, 'test');

    // Wait until apply jobs run, then kill a worker that holds one.
    let victim: WorkerProcess | undefined;
    let heldJobId: string | undefined;
    await waitFor(120_000, async () => {
      const active = await queue.getActive();
      const applyJob = active.find((job) => job.name === 'apply');
      const holder = workers.find((worker) => applyJob?.processedBy?.endsWith(`:${worker.pid}`));
      const patched = (await sandboxRequests(deployment.sandbox)).filter((r) => r.method === 'PATCH').length;
      if (!applyJob || !holder || patched < 100) return false;
      victim = holder;
      heldJobId = applyJob.id;
      return true;
    });
    if (!victim || !heldJobId) throw new Error('no victim');
    const killed = victim;
    const killedAt = Date.now();
    expect((await killed.stop('SIGKILL')).signal).toBe('SIGKILL');

    // Takeover: the job the victim held runs again on another worker (BullMQ's stalled check).
    const jobId = heldJobId;
    await waitFor(60_000, async () => {
      const job = await queue.getJob(jobId);
      const state = job ? await job.getState() : 'unknown';
      return (state === 'active' || state === 'completed') && !job?.processedBy?.endsWith(`:${killed.pid}`);
    });
    const takeoverMs = Date.now() - killedAt;
    process.stderr.write(`distributed takeover: job ${jobId} running again ${takeoverMs} ms after SIGKILL\n`);
    // lockDurationMs 10 s, then one or two stalled checks 2 s apart.
    expect(takeoverMs).toBeLessThan(20_000);

    const run = await settled(context, revert.run.id, 300_000);
    expect(run.state).toBe('completed');
    const counts = await context.store.countChanges(run.id);
    const applied = counts.applied ?? 0;
    expect(applied).toBe((await context.store.countChanges(firstRun)).reverted);
    expect(counts).toEqual({ applied });

    const requests = await sandboxRequests(deployment.sandbox);
    const appliedPerOrder = countApplied(requests);
    expect(appliedPerOrder.size).toBe(applied);
    expect(Math.max(...appliedPerOrder.values())).toBe(1);
    const secondTries = [
      ...countBy(
        requests.filter((r) => r.method === 'PATCH'),
        (r) => r.poNumber,
      ).values(),
    ].filter((n) => n > 1).length;
    process.stderr.write(
      `distributed takeover: ${applied} changes applied once each; ${secondTries} order(s) saw a second PATCH attempt (not applied)\n`,
    );
    await Promise.all(workers.filter((worker) => worker !== killed).map((worker) => worker.stop('SIGTERM')));
  }, 420_000);
});

async function waitFor(timeoutMs: number, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(100);
  }
}

function countApplied(requests: readonly SandboxRequest[]): Map<string | null, number> {
  return countBy(
    requests.filter((request) => request.method === 'PATCH' && request.applied),
    (request) => request.poNumber,
  );
}

function countBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, number> {
  const counts = new Map<K, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
