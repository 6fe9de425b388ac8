import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../src/engine/change.ts';
import type { Run } from '../src/engine/run.ts';
import type { DeadLetter } from '../src/store/contract.ts';
import { sandboxApi, sandboxRequests, tempDir } from './support/harness.ts';
import {
  api,
  runWorkflow,
  settledRun,
  startTestService,
  type TestService,
  tokenFor,
} from './support/service.ts';

/**
 * Run operations through the API over a real sandbox: cancel mid-run, revert, dead letters and
 * their replay, the eval figures. Policy auto, small batches so a run takes a few pages.
 */
let test: TestService;
let operator: string;
let approver: string;

beforeAll(async () => {
  test = await startTestService(tempDir('service-operations'), {
    replacements: [['batchSize: 500', 'batchSize: 50']],
  });
  operator = await tokenFor(test, 'otto', 'operator');
  approver = await tokenFor(test, 'anna', 'approver');
});
afterAll(() => test?.close());

const setFaults = (faults: unknown) =>
  fetch(`${test.sandbox.url}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });

describe('cancel', () => {
  it('stops a run before its next batch; nothing more is read or written; an ended run cannot be cancelled', async () => {
    await setFaults({ latency: { fixedMs: 150, target: 'reads' } });
    try {
      const started = await api(test, operator, 'POST', '/api/workflows/po-urgency/runs', { dryRun: false });
      const run = (started.body as { run: Run }).run;
      const cancelled = await api(test, operator, 'POST', `/api/runs/${run.id}/cancel`, {});
      expect(cancelled.status).toBe(200);
      expect((cancelled.body as { run: Run }).run.state).toBe('cancelled');
      const settled = await settledRun(test, operator, run.id);
      expect(settled.state).toBe('cancelled');
      expect(settled.stats.read).toBeLessThan(300);
      expect((await sandboxRequests(test.sandbox, 'PATCH')).filter((entry) => entry.applied)).toHaveLength(0);
      const again = await api(test, operator, 'POST', `/api/runs/${run.id}/cancel`, {});
      expect(again.status).toBe(409);
      const viewer = await tokenFor(test, 'vera', 'viewer');
      expect((await api(test, viewer, 'POST', `/api/runs/${run.id}/cancel`, {})).status).toBe(403);
    } finally {
      await setFaults({});
    }
  });
});

describe('revert', () => {
  it('an approver reverts an applied run through the API; the ERP holds the old values again', async () => {
    const run = await runWorkflow(test, operator, false);
    const applied = (await api(test, operator, 'GET', `/api/runs/${run.id}/changes?state=applied&limit=1000`))
      .body as Change[];
    expect(applied.length).toBeGreaterThan(0);
    const sample = applied[0] as Change;
    const po = sample.recordId.padStart(10, '0');
    expect((await sandboxApi(test.sandbox, 'GET', po)).record.priority).toBe('1');
    expect((await api(test, operator, 'POST', `/api/runs/${run.id}/revert`, {})).status).toBe(403);
    const reverted = await api(test, approver, 'POST', `/api/runs/${run.id}/revert`, {});
    expect(reverted.status).toBe(202);
    const revertRun = (reverted.body as { run: Run }).run;
    expect(revertRun.requestedBy).toBe('anna');
    expect(revertRun.stats.changes.applied).toBe(applied.length);
    expect((await sandboxApi(test.sandbox, 'GET', po)).record.priority).not.toBe('1');
    expect(((await api(test, operator, 'GET', `/api/changes/${sample.id}`)).body as Change).state).toBe(
      'reverted',
    );
  });
});

describe('dead letters and eval', () => {
  it("lists a run's dead letters and replays them once the record is fixed", async () => {
    const db = new Database(test.sandbox.dbPath);
    let broken = '';
    let goodDate = '';
    try {
      broken = String(
        db
          .prepare("SELECT po_number FROM purchase_orders WHERE status = 'OPEN' ORDER BY po_number LIMIT 1")
          .pluck()
          .get(),
      );
      goodDate = String(
        db.prepare('SELECT need_by FROM purchase_orders WHERE po_number = ?').pluck().get(broken),
      );
      db.prepare("UPDATE purchase_orders SET need_by = '2026-13-01' WHERE po_number = ?").run(broken);
    } finally {
      db.close();
    }
    const run = await runWorkflow(test, operator, true);
    const letters = (await api(test, operator, 'GET', `/api/dead-letters?runId=${run.id}`))
      .body as DeadLetter[];
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ vendorKey: broken, stage: 'map', errorKind: 'validation' });
    expect(letters[0]?.message).toMatch(/need_by/);

    const fix = new Database(test.sandbox.dbPath);
    try {
      fix.prepare('UPDATE purchase_orders SET need_by = ? WHERE po_number = ?').run(goodDate, broken);
    } finally {
      fix.close();
    }
    const retried = await api(test, operator, 'POST', '/api/dead-letters/retry', { runId: run.id });
    expect(retried.status).toBe(202);
    const replay = (retried.body as { run: Run }).run;
    expect(replay.params).toMatchObject({ retryOf: run.id, keys: [broken] });
    expect(replay.stats.read).toBe(1);
    expect(replay.stats.failed).toBe(0);
    expect((await api(test, operator, 'GET', `/api/dead-letters?runId=${run.id}`)).body).toEqual([]);
    const again = await api(test, operator, 'POST', '/api/dead-letters/retry', { runId: run.id });
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.status).toBeLessThan(500);
  });

  it('shows the model a workflow uses and its validation figures', async () => {
    const evaluated = await api(test, operator, 'GET', '/api/eval/po-urgency');
    expect(evaluated.status).toBe(200);
    expect(evaluated.body).toMatchObject({ workflow: 'po-urgency', model: 'po-urgency' });
    const { metrics } = evaluated.body as { metrics: { macroF1: number } };
    expect(metrics.macroF1).toBeGreaterThan(0.8);
    expect((await api(test, operator, 'GET', '/api/eval/no-such-workflow')).status).toBe(404);
  });
});
