/**
 * Acceptance (issue 9): the embedded mode (SQLite, in-process) and the distributed mode
 * (PostgreSQL, a plan job on a worker process) plan the same changes for the same ERP data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../src/engine/change.ts';
import type { CliContext } from '../src/runtime/context.ts';
import {
  type Deployment,
  distributedUnavailable,
  killChildren,
  settled,
  startDeployment,
  startWorkers,
} from './support/distributed.ts';

const unavailable = await distributedUnavailable();
if (unavailable) process.stderr.write(`skipping the distributed tests: ${unavailable}\n`);

describe.skipIf(unavailable !== null)('distributed and embedded plan alike', () => {
  let distributed: Deployment;
  let embedded: Deployment;
  let contexts: CliContext[] = [];

  beforeAll(async () => {
    const workflow = { labels: ['urgent', 'high', 'low'], policy: 'auto' as const, minConfidence: 0.8 };
    distributed = await startDeployment({
      name: 'plan',
      orders: 2000,
      history: 6000,
      workflow,
      requestsPerSecond: null,
    });
    embedded = await startDeployment({
      name: 'plan-embedded',
      orders: 2000,
      history: 6000,
      workflow,
      requestsPerSecond: null,
      store: 'sqlite',
      queue: false,
      sandbox: distributed.sandbox,
    });
  });

  afterAll(async () => {
    killChildren();
    for (const context of contexts) await context.close();
    contexts = [];
    await embedded?.cleanup();
    await distributed?.cleanup();
  });

  it('the same changes, values, confidences and states', async () => {
    const local = await embedded.open();
    const shared = await distributed.open();
    contexts = [local, shared];
    expect(local.distributed).toBeNull();
    expect(shared.distributed).not.toBeNull();

    const options = { dryRun: true, asOf: '2026-11-02' };
    const embeddedRun = await local.engine.run(local.workflow('po-urgency'), options);
    expect(embeddedRun.run.state).toBe('planned');

    await startWorkers(distributed, 2);
    const queued = await shared.engine.run(shared.workflow('po-urgency'), options);
    // The service side only enqueued: the run is planned on a worker.
    expect(queued.run.state).toBe('running');
    const distributedRun = await settled(shared, queued.run.id, 180_000);
    expect(distributedRun.state).toBe('planned');

    const mine = plan(await allChanges(local, embeddedRun.run.id));
    const theirs = plan(await allChanges(shared, distributedRun.id));
    expect(mine.length).toBeGreaterThan(300);
    expect(theirs).toEqual(mine);
    expect(distributedRun.stats.labels).toEqual(embeddedRun.run.stats.labels);
    expect(distributedRun.stats.read).toBe(2000);
    // Both approved the same ones by policy, and the dry runs wrote nothing.
    expect(await shared.store.countChanges(distributedRun.id)).toEqual(
      await local.store.countChanges(embeddedRun.run.id),
    );
  }, 420_000);
});

/** A plan as a comparable list: what would be written where, how sure, in which state. */
function plan(changes: readonly Change[]) {
  return changes
    .map((change) => ({
      recordId: change.recordId,
      before: change.before,
      after: change.after,
      version: change.version,
      confidence: change.confidence,
      state: change.state,
      reason: change.reason,
    }))
    .sort((a, b) => (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0));
}

async function allChanges(context: CliContext, runId: string): Promise<Change[]> {
  const changes: Change[] = [];
  let afterId: string | undefined;
  for (;;) {
    const page = await context.store.listChanges(runId, { limit: 1000, ...(afterId ? { afterId } : {}) });
    if (page.length === 0) return changes;
    changes.push(...page);
    afterId = page.at(-1)?.id;
  }
}
