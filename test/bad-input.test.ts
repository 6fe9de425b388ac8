import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import { openContext } from '../src/runtime/context.ts';
import { runCli, sandboxEnv, tempDir, testSandbox, writeTestConfig } from './support/harness.ts';

const STACK_LINE = /^\s+at .+\(.*:\d+:\d+\)$/m;

describe('bad input gets a clear error and loses nothing', () => {
  let dir: string;
  let sandbox: Sandbox;

  beforeAll(async () => {
    dir = tempDir('bad-input');
    sandbox = await testSandbox(dir, { orders: 1000, history: 3000 });
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('a malformed erpbridge.yaml names the file, the line and the key', async () => {
    const config = writeTestConfig(tempDir('bad-config'), [['minConfidence: 0.8', 'minConfidence: very']]);
    const result = await runCli(['--config', config, 'run', 'po-urgency'], { env: sandboxEnv(sandbox) });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`${config}:`);
    expect(result.stderr).toMatch(/:\d+ \(workflows\.po-urgency\.policy\.minConfidence\): .*number/);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('a connector option of the wrong kind is found before any I/O', async () => {
    const config = writeTestConfig(tempDir('bad-connector'), [['timeoutMs: 10000', 'timeoutMs: soon']]);
    const result = await runCli(['--config', config, 'runs']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\(connectors\.sandbox\.timeoutMs\)/);
  });

  it('an unreachable ERP gives one line with the URL and a hint, and a non-zero exit', async () => {
    const config = writeTestConfig(tempDir('unreachable'));
    const env = { ...process.env, SANDBOX_URL: 'http://127.0.0.1:9', SANDBOX_API_KEY: 'x' };
    const result = await runCli(['--config', config, 'run', 'po-urgency', '--quiet'], { env });
    expect(result.code).toBe(3);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/http:\/\/127\.0\.0\.1:9\/api\//);
    expect(lines[0]).toMatch(/is the ERP running/);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('a record the mapping cannot read becomes a failed item with the reason, and the run goes on', async () => {
    const db = new Database(sandbox.dbPath);
    const open = db
      .prepare(
        "SELECT po_number FROM purchase_orders WHERE status = 'OPEN' ORDER BY po_number LIMIT 2 OFFSET 6",
      )
      .pluck()
      .all();
    const [badDate, badAmount] = open.map(String);
    db.prepare("UPDATE purchase_orders SET need_by = '20261399' WHERE po_number = ?").run(badDate);
    db.prepare("UPDATE purchase_orders SET total_amount = 'n/a' WHERE po_number = ?").run(badAmount);
    db.close();
    const context = await openContext({
      configFile: writeTestConfig(tempDir('unreadable')),
      env: sandboxEnv(sandbox),
    });
    try {
      const report = await context.engine.run(context.workflow('po-urgency'), {
        dryRun: true,
        asOf: sandbox.today,
      });
      expect(report.run.stats.read).toBe(1000);
      expect(report.run.stats.failed).toBe(2);
      const failed = await context.store.listItems(report.run.id, { state: 'failed' });
      expect(failed.map((item) => item.recordId).sort()).toEqual([badDate, badAmount]);
      expect(failed.find((item) => item.recordId === badDate)?.error).toMatch(/need_by.*20261399/);
      expect(failed.find((item) => item.recordId === badAmount)?.error).toMatch(/total_amount/);
      expect(
        report.run.stats.unchanged + (report.changes.approved ?? 0) + (report.changes.pending ?? 0),
      ).toBe(998);
    } finally {
      await context.close();
    }
  });
});
