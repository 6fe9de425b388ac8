import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import { WorkflowConfig } from '../src/config/schema.ts';
import type { ModelInfo } from '../src/engine/engine.ts';
import { defineWorkflow } from '../src/engine/workflow.ts';
import { type CliContext, openContext } from '../src/runtime/context.ts';
import { poUrgencyWorkflow } from '../workflows/po-urgency.ts';
import {
  sandboxApi,
  sandboxEnv,
  sandboxRequests,
  tempDir,
  testSandbox,
  writeTestConfig,
} from './support/harness.ts';

describe('a workflow written in TypeScript, under review and shadow policies', () => {
  let sandbox: Sandbox;
  let context: CliContext;
  const base = poUrgencyWorkflow('po-urgency', WorkflowConfig.parse({ connector: 'sandbox' }));

  beforeAll(async () => {
    const dir = tempDir('custom');
    sandbox = await testSandbox(dir, { orders: 1500, history: 4000 });
    context = await openContext({ configFile: writeTestConfig(dir), env: sandboxEnv(sandbox) });
  });

  afterAll(async () => {
    await context?.close();
    await sandbox?.close();
  });

  const flagHigh = defineWorkflow({
    ...base,
    name: 'flag-high',
    decide: (order, result) =>
      result.label === 'high' && order.priority !== 'high'
        ? { after: { priority: 'high' }, reason: `model says high (${result.confidence.toFixed(2)})` }
        : null,
    policy: { mode: 'review', minConfidence: 0.8, maxChangesPerRun: 1000, fourEyesAbove: null },
  });

  it('under review every change waits; a person approves some; only those are written', async () => {
    const report = await context.engine.run(flagHigh, { dryRun: false, asOf: sandbox.today });
    expect(report.run.state).toBe('planned');
    expect(report.changes.pending ?? 0).toBeGreaterThan(100);
    expect(report.changes.approved).toBeUndefined();
    expect(await sandboxRequests(sandbox, 'PATCH')).toHaveLength(0);

    const pending = await context.store.listChanges(report.run.id, { states: ['pending'], limit: 3 });
    expect(pending[0]?.reason).toMatch(/model says high/);
    const chosen = pending.map((change) => change.id);
    expect(await context.engine.approve(flagHigh, report.run.id, { ids: chosen }, 'test:buyer')).toBe(3);
    expect(
      await context.engine.reject(flagHigh, report.run.id, { ids: [chosen[0] ?? ''] }, 'test:buyer'),
    ).toBe(0);

    const applied = await context.engine.apply(flagHigh, report.run.id);
    expect(applied.changes.applied).toBe(3);
    expect(applied.run.state).toBe('planned');
    const writes = (await sandboxRequests(sandbox, 'PATCH')).filter((entry) => entry.applied);
    expect(writes.map((entry) => entry.poNumber).sort()).toEqual(
      pending.map((change) => change.recordId.padStart(10, '0')).sort(),
    );
    for (const change of pending) {
      expect((await sandboxApi(sandbox, 'GET', change.recordId.padStart(10, '0'))).record.priority).toBe('2');
    }
    const approvedBy = await context.store.getChange(chosen[0] ?? '');
    expect(approvedBy?.decidedBy).toBe('test:buyer');
  });

  it('under shadow nothing is ever written, and apply refuses', async () => {
    const shadow = defineWorkflow({
      ...flagHigh,
      name: 'flag-high-shadow',
      policy: { ...flagHigh.policy, mode: 'shadow' },
    });
    const before = (await sandboxRequests(sandbox, 'PATCH')).length;
    const report = await context.engine.run(shadow, { dryRun: false, asOf: sandbox.today });
    expect(report.changes.pending ?? 0).toBeGreaterThan(100);
    await expect(context.engine.approve(shadow, report.run.id, {}, 'test:buyer')).rejects.toThrow(
      /shadow run/,
    );
    await expect(context.engine.apply(shadow, report.run.id)).rejects.toThrow(/shadow run: it never writes/);
    expect(await sandboxRequests(sandbox, 'PATCH')).toHaveLength(before);
  });

  it('refuses a workflow that writes a field it did not declare', async () => {
    const sneaky = defineWorkflow({
      ...base,
      name: 'sneaky',
      decide: (order) => ({ after: { notes: `${order.notes} (checked)` }, reason: 'touch notes' }),
    });
    await expect(context.engine.run(sneaky, { dryRun: true, asOf: sandbox.today })).rejects.toThrow(
      /proposed a change to notes, which it does not declare/,
    );
  });

  it('a run-dependent policy sees the model that answers the run (policyFor, context.model)', async () => {
    const seen: (ModelInfo | null | undefined)[] = [];
    const byModel = defineWorkflow({
      ...flagHigh,
      name: 'flag-high-by-model',
      policy: { ...flagHigh.policy, mode: 'auto', minConfidence: 1 },
      policyFor: (runContext) => {
        seen.push(runContext.model);
        // Auto at the model's own validation accuracy, as a stand-in for a threshold it chose.
        const accuracy = runContext.model?.metrics.accuracy;
        return {
          ...flagHigh.policy,
          mode: 'auto',
          minConfidence: typeof accuracy === 'number' ? accuracy : 1,
        };
      },
    });
    const report = await context.engine.run(byModel, { dryRun: true, asOf: sandbox.today });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toMatchObject({ model: expect.stringMatching(/^embedded:po-urgency@f\d+$/) });
    const accuracy = seen[0]?.metrics.accuracy as number;
    const changes = await context.store.listChanges(report.run.id, { limit: 5000 });
    expect(changes.length).toBeGreaterThan(0);
    for (const change of changes) {
      expect(change.state).toBe(change.confidence >= accuracy ? 'approved' : 'pending');
    }
    expect(changes.some((change) => change.state === 'approved')).toBe(true);
  });
});
