import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import { type CliContext, openContext } from '../src/runtime/context.ts';
import { runCli, sandboxEnv, tempDir, testSandbox, writeTestConfig } from './support/harness.ts';

describe('dead letters and their replay', () => {
  let sandbox: Sandbox;
  let context: CliContext;
  let config: string;

  beforeAll(async () => {
    const dir = tempDir('dead-letters');
    sandbox = await testSandbox(dir, { orders: 1200, history: 4000 });
    config = writeTestConfig(dir);
    context = await openContext({ configFile: config, env: sandboxEnv(sandbox) });
  });

  afterAll(async () => {
    await context?.close();
    await sandbox?.close();
  });

  const withSandboxDb = <T>(work: (db: Database.Database) => T): T => {
    const db = new Database(sandbox.dbPath);
    try {
      return work(db);
    } finally {
      db.close();
    }
  };

  it('an unreadable record is dead-lettered with its reason, and replays once it is fixed', async () => {
    const [broken = ''] = withSandboxDb((db) =>
      db
        .prepare(
          "SELECT po_number FROM purchase_orders WHERE status = 'OPEN' ORDER BY po_number LIMIT 1 OFFSET 3",
        )
        .pluck()
        .all()
        .map(String),
    );
    const goodDate = withSandboxDb((db) => {
      const date = String(
        db.prepare('SELECT need_by FROM purchase_orders WHERE po_number = ?').pluck().get(broken),
      );
      db.prepare("UPDATE purchase_orders SET need_by = '2026-13-01' WHERE po_number = ?").run(broken);
      return date;
    });
    const workflow = context.workflow('po-urgency');
    const first = await context.engine.run(workflow, { dryRun: false, asOf: sandbox.today });
    const letters = await context.store.listDeadLetters({ runId: first.run.id });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      recordId: broken,
      vendorKey: broken,
      stage: 'map',
      errorKind: 'validation',
    });
    expect(letters[0]?.message).toMatch(/need_by/);

    const listed = await runCli(['--config', config, 'dead-letters', '--run', first.run.id], {
      env: sandboxEnv(sandbox),
    });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${first.run.id}:map:${broken}`);

    withSandboxDb((db) =>
      db.prepare('UPDATE purchase_orders SET need_by = ? WHERE po_number = ?').run(goodDate, broken),
    );
    const replay = await context.engine.retry(workflow, first.run.id);
    expect(replay.run.params.retryOf).toBe(first.run.id);
    expect(replay.run.stats.read).toBe(1);
    expect(replay.run.stats.failed).toBe(0);
    expect(await context.store.listDeadLetters({ runId: first.run.id })).toEqual([]);
    const [replayed] = await context.store.listDeadLetters({ runId: first.run.id, includeReplayed: true });
    expect(replayed?.replayedBy).toBe(replay.run.id);
  });

  it('a write that fails is dead-lettered; a replay reads the record again from the start', async () => {
    const workflow = context.workflow('po-urgency');
    withSandboxDb((db) =>
      db.prepare("UPDATE purchase_orders SET priority = '3' WHERE status = 'OPEN'").run(),
    );
    const plan = await context.engine.run(workflow, { dryRun: true, asOf: sandbox.today });
    const [doomed] = await context.store.listChanges(plan.run.id, { states: ['approved'], limit: 1 });
    const key = doomed?.recordId.padStart(10, '0') ?? '';
    withSandboxDb((db) => {
      db.prepare('DELETE FROM purchase_order_lines WHERE po_number = ?').run(key);
      db.prepare('DELETE FROM purchase_orders WHERE po_number = ?').run(key);
    });
    const applied = await context.engine.apply(workflow, plan.run.id);
    expect(applied.changes.failed).toBe(1);
    const [letter] = await context.store.listDeadLetters({ runId: plan.run.id });
    expect(letter).toMatchObject({ stage: 'apply', vendorKey: key, errorKind: 'permanent' });
    expect(letter?.message).toMatch(/no longer exists/);

    const retry = await runCli(['--config', config, 'retry', letter?.id ?? '', '-q'], {
      env: sandboxEnv(sandbox),
    });
    expect(retry.code).toBe(0);
    const [replayRun] = await context.store.listRuns({ workflow: 'po-urgency', limit: 1 });
    expect(replayRun?.params.retryOf).toBe(plan.run.id);
    // The record is gone from the ERP: the replay says so, as its own dead letter.
    const again = await context.store.listDeadLetters({ runId: replayRun?.id ?? '' });
    expect(again).toMatchObject([{ stage: 'map', vendorKey: key, errorKind: 'permanent' }]);
    expect(again[0]?.message).toMatch(/no longer exists in the ERP/);
  });
});
