/**
 * Acceptance (issue 9): an approval given while every worker is stopped is committed with its
 * apply job (the outbox), waits in the queue, and is applied once, when workers are back. The
 * service side (here: the test) never applies anything itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../src/runtime/context.ts';
import {
  type Deployment,
  distributedUnavailable,
  killChildren,
  sandboxRequests,
  settled,
  startDeployment,
  startWorkers,
} from './support/distributed.ts';

const unavailable = await distributedUnavailable();
if (unavailable) process.stderr.write(`skipping the distributed tests: ${unavailable}\n`);

describe.skipIf(unavailable !== null)('distributed: approvals while the workers are away', () => {
  let deployment: Deployment;
  let context: CliContext;

  beforeAll(async () => {
    deployment = await startDeployment({
      name: 'approval',
      orders: 1000,
      history: 6000,
      workflow: { labels: ['urgent'], policy: 'review' },
      requestsPerSecond: null,
    });
    context = await deployment.open();
  });

  afterAll(async () => {
    killChildren();
    await context?.close();
    await deployment?.cleanup();
  });

  it('is applied once, after the workers are back', async () => {
    const workflow = context.workflow('po-urgency');
    const [planner] = await startWorkers(deployment, 1);
    const started = await context.engine.run(workflow, { dryRun: false, asOf: '2026-11-02' });
    const planned = await settled(context, started.run.id, 180_000);
    expect(planned.state).toBe('planned');
    const pending = await context.store.listChanges(planned.id, { states: ['pending'], limit: 3 });
    expect(pending).toHaveLength(3);
    expect(await planner?.stop('SIGTERM')).toEqual({ code: 0, signal: null });

    // Every worker is gone. A person approves three changes (the API's path: decideChange).
    await deployment.sandbox.clearRequests();
    for (const change of pending) {
      const decided = await context.engine.decideChange(workflow, change.id, {
        verdict: 'approve',
        by: 'anna',
      });
      expect(decided.state).toBe('approved');
    }
    // The jobs were committed with the approvals and published; nothing is written while no one works.
    expect(await context.store.listOutboxJobs({ limit: 10 })).toEqual([]);
    const counts = await context.distributed?.queue.counts();
    expect(counts?.waiting).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await sandboxRequests(deployment.sandbox)).filter((r) => r.method === 'PATCH')).toEqual([]);
    for (const change of pending) expect((await context.store.getChange(change.id))?.state).toBe('approved');

    // Workers come back: each approved change is applied, once.
    const workers = await startWorkers(deployment, 2);
    for (const worker of workers) {
      const health = await fetch(`${worker.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: 'ok',
        worker: expect.stringMatching(`:${worker.pid}$`),
      });
    }
    const deadline = Date.now() + 120_000;
    while ((await context.store.countChanges(planned.id)).applied !== 3) {
      if (Date.now() > deadline) throw new Error('the approved changes were not applied within 120 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const run = await settled(context, planned.id, 60_000);
    // Others still wait for a person, so the run is planned again, not completed.
    expect(run.state).toBe('planned');
    const patches = (await sandboxRequests(deployment.sandbox)).filter((r) => r.method === 'PATCH');
    const mapping = workflow.entity.mapping(workflow.profile);
    expect(
      patches
        .filter((r) => r.applied)
        .map((r) => r.poNumber)
        .sort(),
    ).toEqual(pending.map((change) => mapping.toVendorKey(change.recordId)).sort());
    expect(patches).toHaveLength(3);
    // The record holds the approved value; a second approval is refused.
    for (const change of pending) {
      const stored = await context.store.getChange(change.id);
      expect(stored?.state).toBe('applied');
      await expect(
        context.engine.decideChange(workflow, change.id, { verdict: 'approve', by: 'ben' }),
      ).rejects.toThrow(/is applied, not pending/);
    }
    await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
  }, 420_000);
});
