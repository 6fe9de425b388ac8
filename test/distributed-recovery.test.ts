/**
 * Redis loses its data (a restart without persistence, a flush) while runs wait on their jobs:
 * a plan job lost leaves its run `running`, an apply job lost leaves its changes `approved` or,
 * once claimed, `applying`, which no other job may take. `Engine.recoverLostJobs` (the service's
 * sweeper runs it; `erpbridge run` and `apply` run it for their run) publishes those jobs again
 * from the outbox under their own ids: the run ends, and each change is written once.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, TEST_REDIS_URL } from '../src/distributed/test-redis.ts';
import { until } from '../src/distributed/test-until.ts';
import type { CliContext } from '../src/runtime/context.ts';
import {
  type Deployment,
  distributedUnavailable,
  killChildren,
  sandboxRequests,
  settled,
  startDeployment,
} from './support/distributed.ts';

const unavailable = await distributedUnavailable();
if (unavailable) process.stderr.write(`skipping the distributed recovery tests: ${unavailable}\n`);

describe.skipIf(unavailable !== null)('distributed: jobs lost with Redis data', () => {
  let deployment: Deployment;
  let context: CliContext;
  let redis: Redis;
  /** What a Redis restarted without persistence has of this deployment's queue: nothing. */
  const loseRedisData = () => dropPrefix(redis, deployment.prefix);

  beforeAll(async () => {
    deployment = await startDeployment({
      name: 'recovery',
      orders: 300,
      history: 2000,
      workflow: { labels: ['urgent', 'high'], policy: 'review' },
      requestsPerSecond: null,
    });
    context = await deployment.open();
    redis = new Redis(TEST_REDIS_URL);
  }, 120_000);

  afterAll(async () => {
    killChildren();
    await redis?.quit();
    await context?.close();
    await deployment?.cleanup();
  });

  it('publishes lost plan and apply jobs again; each change is written once', async () => {
    const workflow = context.workflow('po-urgency');
    const queue = context.distributed?.queue;
    if (!queue?.missing) throw new Error('the deployment has no distributed queue');

    // A run is started while no worker runs; its plan job waits in Redis, then Redis loses it.
    const started = await context.engine.run(workflow, { dryRun: false, asOf: '2026-11-02' });
    const runId = started.run.id;
    expect((await queue.counts()).waiting).toBe(1);
    expect(await loseRedisData()).toBeGreaterThan(0);
    expect(await queue.missing([`plan-${runId}`])).toEqual([`plan-${runId}`]);

    // A worker starts: there is nothing for it to take, and the run would stay `running` for good.
    const worker = await deployment.startWorker();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await context.store.getRun(runId))?.stats.read).toBe(0);

    expect(await context.engine.recoverLostJobs()).toBe(1);
    const planned = await settled(context, runId, 120_000);
    expect(planned.state).toBe('planned');
    expect(await context.engine.recoverLostJobs()).toBe(0);

    // Three approvals while the workers are away, each committed with its apply job.
    expect(await worker.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const pending = await context.store.listChanges(runId, { states: ['pending'], limit: 3 });
    expect(pending).toHaveLength(3);
    const jobOf = new Map<string, string>();
    for (const change of pending) {
      const before = new Set(await context.store.listPublishedOutboxJobIds(runId));
      await context.engine.decideChange(workflow, change.id, { verdict: 'approve', by: 'anna' });
      const added = (await context.store.listPublishedOutboxJobIds(runId)).filter((id) => !before.has(id));
      expect(added).toHaveLength(1);
      jobOf.set(change.id, added[0] ?? '');
    }
    // The first job had claimed its change and begun (a worker that died with Redis's data).
    const [first, ...rest] = pending.map((change) => change.id);
    if (!first) throw new Error('no first change');
    expect(await context.store.claimChanges([first], jobOf.get(first) ?? '')).toEqual(new Set([first]));
    await context.store.updateChanges([{ id: first, state: 'applying' }]);
    await loseRedisData();
    await deployment.sandbox.clearRequests();

    // Workers are back; nothing happens until the jobs go out again.
    await deployment.startWorker();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await context.store.getChange(first))?.state).toBe('applying');
    expect((await context.store.getChange(rest[0] ?? ''))?.state).toBe('approved');

    // `erpbridge apply` on the run recovers its jobs (the service's sweeper would too).
    await context.engine.apply(workflow, runId);
    const ended = await settled(context, runId, 120_000);
    expect(ended.state).toBe('planned'); // the other pending changes still wait for people
    for (const change of pending) expect((await context.store.getChange(change.id))?.state).toBe('applied');
    const writes = (await sandboxRequests(deployment.sandbox)).filter(
      (request) => request.method === 'PATCH' && request.applied,
    );
    // The sandbox's keys carry SAP-style leading zeros; the canonical record ids do not.
    expect(writes.map((request) => request.poNumber?.replace(/^0+/, '')).sort()).toEqual(
      pending.map((change) => change.recordId).sort(),
    );
  }, 300_000);

  it('workers alone recover lost jobs too: each sweeps as the service does', async () => {
    const workflow = context.workflow('po-urgency');
    killChildren(); // the workers of the test before
    const started = await context.engine.run(workflow, { dryRun: true, asOf: '2026-11-02' });
    const runId = started.run.id;
    await loseRedisData();
    // No service, no command: the worker's own sweep finds the lost plan job and sends it again.
    const worker = await deployment.startWorker({ sweepSeconds: 1 });
    const planned = await settled(context, runId, 120_000);
    expect(planned.state).toBe('planned');
    expect(planned.stats.read).toBeGreaterThan(0);
    await until(
      () => /published again 1 job the queue no longer had/.test(worker.output().stderr),
      10_000,
      'the worker says what it recovered',
    );
  }, 180_000);
});
