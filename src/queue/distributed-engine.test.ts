import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  dropPrefix,
  probeRedis,
  skipWithoutRedis,
  TEST_REDIS_URL,
  uniquePrefix,
} from '../distributed/test-redis.ts';
import type { Change } from '../engine/change.ts';
import { emptyStats, type Run } from '../engine/run.ts';
import { type CliContext, openContext } from '../runtime/context.ts';

const skip = skipWithoutRedis(await probeRedis());

/**
 * The engine with a distributed queue, on a SQLite store (the acceptance tests cover PostgreSQL
 * with worker processes): what a service does without any worker.
 */
describe.skipIf(skip)('engine, distributed: enqueue, settle', () => {
  let dir: string;
  let prefix: string;
  let context: CliContext;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'erpbridge-distributed-engine-'));
    prefix = uniquePrefix('engine');
    const shipped = readFileSync(resolve(import.meta.dirname, '../../erpbridge.yaml'), 'utf8');
    const config = shipped
      .replace('path: .erpbridge/erpbridge.sqlite', `path: ${join(dir, 'erpbridge.sqlite')}`)
      .replace('\nconnectors:', `\nqueue: { url: "${TEST_REDIS_URL}", prefix: ${prefix} }\n\nconnectors:`);
    writeFileSync(join(dir, 'erpbridge.yaml'), config);
    context = await openContext({
      configFile: join(dir, 'erpbridge.yaml'),
      env: { SANDBOX_URL: 'http://127.0.0.1:9', SANDBOX_API_KEY: 'unused' },
    });
  });

  afterEach(async () => {
    await context.close();
    const redis = new Redis(TEST_REDIS_URL);
    await dropPrefix(redis, prefix);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a run is committed with its plan job and published; the service plans nothing itself', async () => {
    expect(context.distributed).not.toBeNull();
    const report = await context.engine.run(context.workflow('po-urgency'), {
      dryRun: true,
      asOf: '2026-11-02',
    });
    expect(report.run.state).toBe('running');
    expect(report.run.stats.read).toBe(0);
    expect(await context.store.listOutboxJobs({ limit: 10 })).toEqual([]);
    expect(await context.distributed?.queue.counts()).toMatchObject({ waiting: 1 });
    // Running it again finds the unfinished run and adds no second job.
    const again = await context.engine.run(context.workflow('po-urgency'), {
      dryRun: true,
      asOf: '2026-11-02',
    });
    expect(again.run.id).toBe(report.run.id);
    expect(await context.distributed?.queue.counts()).toMatchObject({ waiting: 1 });
    const [entry] = await context.store.readAudit({ runId: report.run.id, typePrefix: 'run.started' });
    expect(entry?.payload).toMatchObject({ workflow: 'po-urgency', dryRun: true });
  });

  it('settles an applying run whose work is done, once, however many processes try', async () => {
    const { store } = context;
    const done = makeRun('run-done');
    const busy = makeRun('run-busy');
    await store.createRun(done);
    await store.createRun(busy);
    await store.saveBatch([], [makeChange(done.id, 'a', 'applied'), makeChange(done.id, 'b', 'conflict')]);
    await store.saveBatch([], [makeChange(busy.id, 'c', 'applied'), makeChange(busy.id, 'd', 'approved')]);

    // Two service instances sweep at once.
    const finished = await Promise.all([context.engine.settleRuns(), context.engine.settleRuns()]);
    expect(finished.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(1);
    expect((await store.getRun(done.id))?.state).toBe('completed');
    expect((await store.getRun(done.id))?.stats.changes).toEqual({ applied: 1, conflict: 1 });
    expect(await store.readAudit({ runId: done.id, typePrefix: 'run.completed' })).toHaveLength(1);
    // A change still approved: its job has yet to run, and the run waits for it.
    expect((await store.getRun(busy.id))?.state).toBe('applying');
    expect(await context.engine.settleRuns()).toBe(0);
  });

  it('an approval commits its apply job with it; a dry run’s approval commits none', async () => {
    const { store } = context;
    const workflow = context.workflow('po-urgency');
    const writes = { ...makeRun('run-writes'), state: 'planned' as const };
    const dry = { ...makeRun('run-dry'), state: 'planned' as const, dryRun: true };
    await store.createRun(writes);
    await store.createRun(dry);
    await store.saveBatch([], [makeChange(writes.id, 'e', 'pending'), makeChange(dry.id, 'f', 'pending')]);
    await context.engine.decideChange(workflow, `${writes.id}:e`, { verdict: 'approve', by: 'anna' });
    await context.engine.decideChange(workflow, `${dry.id}:f`, { verdict: 'approve', by: 'anna' });
    const counts = await context.distributed?.queue.counts();
    expect(counts?.waiting).toBe(1);
    expect((await store.getChange(`${dry.id}:f`))?.state).toBe('approved');
  });
});

function makeRun(id: string): Run {
  const at = '2026-11-02T06:00:00.000Z';
  return {
    id,
    workflow: 'po-urgency',
    policy: 'auto',
    dryRun: false,
    state: 'applying',
    params: { asOf: '2026-11-02' },
    stats: emptyStats(),
    error: null,
    requestedBy: 'schedule',
    createdAt: at,
    updatedAt: at,
  };
}

function makeChange(runId: string, record: string, state: Change['state']): Change {
  const at = '2026-11-02T06:00:00.000Z';
  return {
    id: `${runId}:${record}`,
    runId,
    entity: 'purchaseOrder',
    recordId: `PO-${record}`,
    before: { priority: 'normal' },
    after: { priority: 'urgent' },
    amount: 100,
    currency: 'EUR',
    version: '2026-11-01T00:00:00.000Z',
    reason: 'due soon',
    confidence: 0.9,
    explanation: 'need-by close',
    idempotencyKey: `key-${runId}-${record}`,
    state,
    revertOf: null,
    requestedBy: 'schedule',
    approvals: [],
    decidedBy: null,
    outcome: null,
    error: null,
    createdAt: at,
    updatedAt: at,
  };
}
