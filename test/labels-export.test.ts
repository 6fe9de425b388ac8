import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import type { UrgencyInput } from '../src/ai/tasks/po-urgency.ts';
import { EngineRefused } from '../src/engine/engine.ts';
import type { Run } from '../src/engine/run.ts';
import { readCsv } from '../src/formats/csv/read-csv.ts';
import { type CliContext, openContext } from '../src/runtime/context.ts';
import {
  type CliResult,
  runCli,
  sandboxEnv,
  tempDir,
  testSandbox,
  writeTestConfig,
} from './support/harness.ts';

function ok(result: CliResult): CliResult {
  if (result.code !== 0) throw new Error(`erpbridge exited ${result.code}: ${result.stderr}`);
  return result;
}

describe('edits become data: a person edits an AI value, approves, and the pair is exported', () => {
  let dir: string;
  let sandbox: Sandbox;
  let config: string;
  let context: CliContext;
  let run: Run;
  /** The changes a person edited from urgent to high, by record id. */
  const edited = new Map<string, { confidence: number; changeId: string }>();

  beforeAll(async () => {
    dir = tempDir('labels-export');
    sandbox = await testSandbox(dir, { orders: 800, history: 4000 });
    config = writeTestConfig(dir, [['mode: auto', 'mode: review']]);
    context = await openContext({ configFile: config, env: sandboxEnv(sandbox) });
    const report = await context.engine.run(context.workflow('po-urgency'), {
      dryRun: true,
      asOf: sandbox.today,
    });
    run = report.run;
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await sandbox?.close();
  });

  it('stores the AI value, its confidence and the person’s value for every field an edit changed', async () => {
    const workflow = context.workflow('po-urgency');
    const pending = await context.store.listChanges(run.id, { states: ['pending'], limit: 5 });
    expect(pending.length).toBe(5);
    const [a, b, c, same, plain] = pending;
    if (!a || !b || !c || !same || !plain) throw new Error('five pending changes expected');
    for (const change of [a, b, c]) {
      expect(change.after).toEqual({ priority: 'urgent' });
      const decided = await context.engine.decideChange(workflow, change.id, {
        verdict: 'approve',
        by: 'anna',
        after: { priority: 'high' },
        comment: 'line is not down yet',
      });
      expect(decided).toMatchObject({ state: 'approved', after: { priority: 'high' } });
      edited.set(change.recordId, { confidence: change.confidence, changeId: change.id });
    }
    // An "edit" to the value the AI proposed, and a plain approval, teach nothing new.
    await context.engine.decideChange(workflow, same.id, {
      verdict: 'approve',
      by: 'anna',
      after: { priority: 'urgent' },
    });
    await context.engine.decideChange(workflow, plain.id, { verdict: 'approve', by: 'anna' });
    // An edit the workflow refuses is not stored either.
    const [other] = await context.store.listChanges(run.id, { states: ['pending'], limit: 1 });
    if (!other) throw new Error('a pending change expected');
    await expect(
      context.engine.decideChange(workflow, other.id, {
        verdict: 'approve',
        by: 'anna',
        after: { priority: 'whenever' },
      }),
    ).rejects.toBeInstanceOf(EngineRefused);

    const edits = await context.store.listLabeledEdits({ workflow: 'po-urgency' });
    expect(edits).toHaveLength(3);
    for (const edit of edits) {
      const expected = edited.get(edit.recordId);
      expect(edit).toEqual({
        id: `${expected?.changeId}:priority`,
        workflow: 'po-urgency',
        entity: 'purchaseOrder',
        recordId: edit.recordId,
        runId: run.id,
        changeId: expected?.changeId,
        field: 'priority',
        aiValue: 'urgent',
        aiConfidence: expected?.confidence,
        humanValue: 'high',
        editedBy: 'anna',
        editedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      });
      // The AI input is joined through the item: run id + record id.
      expect((await context.store.getItem(edit.runId, edit.recordId))?.aiInput).toBeDefined();
    }
  });

  it('exports them as CSV that reads back with the input fields the AI saw and the person’s label', async () => {
    const out = join(dir, 'edits.csv');
    const result = ok(
      await runCli(['--config', config, 'labels', 'export', 'po-urgency', '--out', out], {
        env: sandboxEnv(sandbox),
      }),
    );
    expect(result.stderr).toMatch(/exported 3 labeled priority values of po-urgency \(edits, csv\)/);
    const records: string[][] = [];
    for await (const record of readCsv(out)) records.push(record.fields);
    const [header, ...rows] = records;
    expect(header?.at(-1)).toBe('label');
    expect(rows).toHaveLength(3);
    const column = (row: string[], name: string) => row[header?.indexOf(name) ?? -1];
    for (const row of rows) {
      const recordId = column(row, 'order.id') ?? '';
      expect(edited.has(recordId)).toBe(true);
      expect(column(row, 'label')).toBe('high');
      const input = (await context.store.getItem(run.id, recordId))?.aiInput as UrgencyInput;
      expect(column(row, 'order.needBy')).toBe(input.order.needBy);
      expect(column(row, 'order.totalAmount')).toBe(String(input.order.totalAmount));
      expect(column(row, 'order.notes')).toBe(input.order.notes);
      expect(column(row, 'asOf')).toBe(input.asOf);
      expect(column(row, 'supplier.onTimeRate')).toBe(String(input.supplier?.onTimeRate ?? ''));
      expect(JSON.parse(column(row, 'order.lines') ?? 'null')).toEqual(input.order.lines);
    }
  });

  it('exports them as JSON lines holding exactly the stored AI input, with where each came from', async () => {
    const out = join(dir, 'edits.jsonl');
    ok(
      await runCli(['--config', config, 'labels', 'export', 'po-urgency', '--out', out, '--meta'], {
        env: sandboxEnv(sandbox),
      }),
    );
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const { label, _meta, ...input } = JSON.parse(line) as Record<string, unknown> & {
        _meta: { recordId: string; aiValue: unknown; aiConfidence: number; by: string; source: string };
      };
      expect(label).toBe('high');
      expect(_meta).toMatchObject({ source: 'edit', aiValue: 'urgent', by: 'anna' });
      expect(_meta.aiConfidence).toBe(edited.get(_meta.recordId)?.confidence);
      const item = await context.store.getItem(run.id, _meta.recordId);
      expect(input).toEqual(JSON.parse(JSON.stringify(item?.aiInput)));
    }
    const audit = await context.store.readAudit({ typePrefix: 'labels.exported' });
    expect(audit.map((entry) => entry.payload)).toEqual([
      expect.objectContaining({ workflow: 'po-urgency', from: 'edits', format: 'csv', rows: 3, skipped: 0 }),
      expect.objectContaining({ workflow: 'po-urgency', from: 'edits', format: 'jsonl', rows: 3 }),
    ]);
    expect(await context.store.readAudit({ typePrefix: 'change.edited' })).toHaveLength(4);
  });

  it('refuses an unknown format or source with a message', async () => {
    const env = sandboxEnv(sandbox);
    const format = await runCli(['--config', config, 'labels', 'export', 'po-urgency', '--format', 'xlsx'], {
      env,
    });
    expect(format.code).toBe(1);
    expect(format.stderr).toMatch(/--format takes one of jsonl, csv, not "xlsx"/);
    const from = await runCli(['--config', config, 'labels', 'export', 'po-urgency', '--from', 'history'], {
      env,
    });
    expect(from.stderr).toMatch(/--from takes one of edits, shadow/);
  });
});
