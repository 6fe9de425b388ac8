import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import { type CliContext, openContext } from '../src/runtime/context.ts';
import {
  sandboxApi,
  sandboxEnv,
  sandboxRequests,
  tempDir,
  testSandbox,
  writeTestConfig,
} from './support/harness.ts';

/** A digest of the sandbox's business tables, read straight from its SQLite file. */
function sandboxDigest(dbPath: string): string {
  const db = new Database(dbPath, { readonly: true });
  try {
    const hash = createHash('sha256');
    for (const table of ['suppliers', 'purchase_orders', 'purchase_order_lines']) {
      for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).iterate())
        hash.update(JSON.stringify(row));
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

describe('plan, apply, conflicts and revert against the sandbox over HTTP', () => {
  let dir: string;
  let sandbox: Sandbox;
  let context: CliContext;

  beforeAll(async () => {
    dir = tempDir('plan-apply');
    sandbox = await testSandbox(dir);
    context = await openContext({ configFile: writeTestConfig(dir), env: sandboxEnv(sandbox) });
  });

  afterAll(async () => {
    await context?.close();
    await sandbox?.close();
  });

  it('a dry run plans changes and changes nothing in the sandbox', async () => {
    const before = sandboxDigest(sandbox.dbPath);
    const report = await context.engine.run(context.workflow('po-urgency'), {
      dryRun: true,
      asOf: sandbox.today,
    });
    expect(report.run.state).toBe('planned');
    expect(report.run.stats.read).toBe(3000);
    expect(report.changes.approved ?? 0).toBeGreaterThan(50);
    expect(report.wrote).toBe(0);
    expect(sandboxDigest(sandbox.dbPath)).toBe(before);
    expect(await sandboxRequests(sandbox, 'PATCH')).toHaveLength(0);
    const [top] = await context.store.listChanges(report.run.id, { orderBy: 'confidence', limit: 1 });
    expect(top).toMatchObject({ before: { priority: 'normal' }, after: { priority: 'urgent' } });
    expect(top?.explanation).toMatch(/urgent/);
  });

  it('a person’s edit between plan and apply becomes a conflict, and their value stays', async () => {
    const plan = await context.engine.run(context.workflow('po-urgency'), {
      dryRun: true,
      asOf: sandbox.today,
    });
    const approved = await context.store.listChanges(plan.run.id, { states: ['approved'], limit: 3 });
    expect(approved).toHaveLength(3);
    const edited = approved.slice(0, 2).map((change) => change.recordId.padStart(10, '0'));
    for (const poNumber of edited) {
      expect((await sandboxApi(sandbox, 'PATCH', poNumber, { priority: '4' })).status).toBe(200);
    }

    const report = await context.engine.apply(context.workflow('po-urgency'), plan.run.id);
    expect(report.changes.conflict).toBe(2);
    expect(report.changes.applied).toBe((plan.changes.approved ?? 0) - 2);
    for (const poNumber of edited) {
      expect((await sandboxApi(sandbox, 'GET', poNumber)).record.priority).toBe('4');
    }
    const conflicts = await context.store.listChanges(plan.run.id, { states: ['conflict'] });
    expect(conflicts[0]?.error).toMatch(/expected priority="normal", found priority="low"/);
    const third = approved[2]?.recordId.padStart(10, '0') ?? '';
    expect((await sandboxApi(sandbox, 'GET', third)).record.priority).toBe('1');
    // The plan of a dry run is applied through the ledger: every applied change was written once.
    const patches = (await sandboxRequests(sandbox, 'PATCH')).filter((entry) => entry.applied);
    expect(patches).toHaveLength(2 + (report.changes.applied ?? 0));

    const again = await context.engine.apply(context.workflow('po-urgency'), plan.run.id);
    expect(again.wrote).toBe(0);
  });

  it('revert restores what nobody touched since and reports the rest as conflicts', async () => {
    const [latest] = await context.store.listRuns({ workflow: 'po-urgency', limit: 1 });
    const runId = latest?.id ?? '';
    const applied = await context.store.listChanges(runId, { states: ['applied'], limit: 2 });
    const touched = applied[0]?.recordId.padStart(10, '0') ?? '';
    expect((await sandboxApi(sandbox, 'PATCH', touched, { priority: '2' })).status).toBe(200);

    const report = await context.engine.revert(context.workflow('po-urgency'), runId, 'test:reverter');
    expect(report.changes.conflict).toBe(1);
    expect(report.changes.applied).toBe((latest?.stats.changes.applied ?? 0) - 1);
    expect((await sandboxApi(sandbox, 'GET', touched)).record.priority).toBe('2');
    const restored = applied[1]?.recordId.padStart(10, '0') ?? '';
    expect((await sandboxApi(sandbox, 'GET', restored)).record.priority).toBe('3');
    const original = await context.store.countChanges(runId);
    expect(original.reverted).toBe(report.changes.applied);
    expect(original.applied).toBe(1);

    const verified = await context.audit.verify();
    expect(verified.ok).toBe(true);
  });
});
