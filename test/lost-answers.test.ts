import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import { type CliContext, openContext } from '../src/runtime/context.ts';
import { sandboxEnv, sandboxRequests, tempDir, testSandbox, writeTestConfig } from './support/harness.ts';

describe('writes whose answers are lost, and writes refused before processing', () => {
  let sandbox: Sandbox;
  let context: CliContext;

  beforeAll(async () => {
    const dir = tempDir('lost-answers');
    sandbox = await testSandbox(dir, {
      orders: 3000,
      history: 4000,
      faults: {
        seed: 11,
        // A fifth of committed writes lose their answer; some writes are refused with 503 first.
        lostAnswers: { rate: 0.2, mode: 502 },
        errors: { rates: { '503': 0.1 }, target: 'writes' },
      },
    });
    const config = writeTestConfig(dir);
    context = await openContext({ configFile: config, env: sandboxEnv(sandbox) });
  });

  afterAll(async () => {
    await context?.close();
    await sandbox?.close();
  });

  it('applies every change exactly once: a lost answer is verified by re-reading, never written twice', async () => {
    const report = await context.engine.run(context.workflow('po-urgency'), {
      dryRun: false,
      asOf: sandbox.today,
    });
    const approved =
      (report.changes.applied ?? 0) + (report.changes.failed ?? 0) + (report.changes.conflict ?? 0);
    expect(report.changes.applied).toBe(approved);
    const patches = await sandboxRequests(sandbox, 'PATCH');
    const lost = patches.filter((entry) => entry.fault === 'lost-502');
    const refused = patches.filter((entry) => entry.fault === 'error-503');
    expect(lost.length).toBeGreaterThan(5);
    expect(refused.length).toBeGreaterThan(0);
    const applied = patches.filter((entry) => entry.applied);
    const perOrder = new Map<string, number>();
    for (const entry of applied)
      perOrder.set(entry.poNumber ?? '', (perOrder.get(entry.poNumber ?? '') ?? 0) + 1);
    expect([...perOrder].filter(([, count]) => count > 1)).toEqual([]);
    expect(applied).toHaveLength(report.changes.applied ?? -1);
    const figures = report.run.stats.connectors?.sandbox;
    expect(figures?.retries ?? 0).toBeGreaterThan(0);
    expect(await context.audit.verify()).toMatchObject({ ok: true });
  });
});
