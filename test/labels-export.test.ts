import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import type { ComparisonReport } from '../src/ai/eval/compare.ts';
import { readLabeledFile } from '../src/ai/eval/labeled-file.ts';
import type { UrgencyInput } from '../src/ai/tasks/po-urgency.ts';
import { evaluationData } from '../src/cli/commands/eval-data.ts';
import { EngineRefused } from '../src/engine/engine.ts';
import type { Run } from '../src/engine/run.ts';
import { readCsv } from '../src/formats/csv/read-csv.ts';
import { type CliContext, openContext } from '../src/runtime/context.ts';
import { decodeCell, exportedRows } from '../src/shadow/labeled-data.ts';
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

describe('edits become data: a person edits an AI value, approves, the pair is exported, and eval reads it', () => {
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

  it('exports them as CSV that reads back as the input fields the AI saw, the person’s label and where it came from', async () => {
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
    expect(header?.slice(-9)).toEqual([
      'label',
      '_source',
      '_recordId',
      '_runId',
      '_field',
      '_aiValue',
      '_aiConfidence',
      '_by',
      '_at',
    ]);
    expect(rows).toHaveLength(3);
    const column = (row: string[], name: string) => row[header?.indexOf(name) ?? -1] ?? '';
    for (const row of rows) {
      const recordId = String(decodeCell(column(row, 'order.id')));
      expect(edited.has(recordId)).toBe(true);
      expect(decodeCell(column(row, '_recordId'))).toBe(recordId);
      expect(column(row, 'label')).toBe('high');
      expect(column(row, '_by')).toBe('anna');
      const input = (await context.store.getItem(run.id, recordId))?.aiInput as UrgencyInput;
      // Readable as it is: dates and notes are plain text, numbers plain numbers.
      expect(column(row, 'order.needBy')).toBe(input.order.needBy);
      expect(column(row, 'order.totalAmount')).toBe(String(input.order.totalAmount));
      expect(column(row, 'asOf')).toBe(input.asOf);
      expect(JSON.parse(column(row, 'order.lines'))).toEqual(input.order.lines);
    }
    // And exactly what went to the AI, read back.
    const back = exportedRows(readLabeledFile(out), 'csv', 'label');
    for (const { input, label } of back) {
      const recordId = String((input.order as { id: unknown }).id);
      expect(label).toBe('high');
      expect(input).toEqual(
        JSON.parse(JSON.stringify((await context.store.getItem(run.id, recordId))?.aiInput)),
      );
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

  it('round trip: eval --data reads either export and reports over exactly the edited items', async () => {
    const workflow = context.workflow('po-urgency');
    const erp = await context.connect('sandbox');
    const today = new Date().toISOString().slice(0, 10);
    /** What went to the AI for each edited record, as JSON keeps it. */
    const inputs = new Map<string, unknown>();
    for (const recordId of edited.keys()) {
      inputs.set(
        recordId,
        JSON.parse(JSON.stringify((await context.store.getItem(run.id, recordId))?.aiInput)),
      );
    }
    const bare = join(dir, 'edits-bare.jsonl');
    ok(
      await runCli(['--config', config, 'labels', 'export', 'po-urgency', '--out', bare, '--no-meta'], {
        env: sandboxEnv(sandbox),
      }),
    );
    expect(readFileSync(bare, 'utf8')).not.toContain('_meta');
    for (const file of ['edits.csv', 'edits.jsonl', 'edits-bare.jsonl']) {
      const data = await evaluationData(workflow, { data: join(dir, file), erp, asOf: sandbox.today });
      // Tested on the three edited records, with the person's label and exactly the AI's input.
      expect(data.test, file).toHaveLength(3);
      expect(
        data.test.map(({ example }) => [(example.input as UrgencyInput).order.id, example.label]).sort(),
      ).toEqual([...edited.keys()].sort().map((id) => [id, 'high']));
      for (const { example, date } of data.test) {
        expect(example.input).toEqual(inputs.get((example.input as UrgencyInput).order.id));
        expect(date).toBe(file === 'edits-bare.jsonl' ? '' : today);
      }
      // Learned from the ERP's labelled history, as without a training file.
      expect(data.history.length).toBeGreaterThan(1000);
      expect(data.source.test).toBe(join(dir, file));
    }
    // Splitting by date needs the dates the bare export left out.
    await expect(
      evaluationData(workflow, { data: bare, splitDate: today, asOf: sandbox.today }),
    ).rejects.toThrow(
      `${bare}: 3 rows have no date (_at), which --split-date needs to order rows in time; export it again without --no-meta`,
    );

    // The command end to end: a report over those three records.
    const out = join(dir, 'edits.csv');
    const result = ok(
      await runCli(['--config', config, 'eval', 'po-urgency', '--data', out, '--json'], {
        env: sandboxEnv(sandbox),
      }),
    );
    const report = JSON.parse(result.stdout) as ComparisonReport;
    expect(report.source.test).toBe(out);
    expect(report.test).toEqual({ examples: 3, from: today, to: today, labels: 1 });
    const [embedded] = report.candidates;
    expect(embedded).toMatchObject({ name: 'embedded', error: null, examples: 3 });
    expect(embedded?.perLabel.find((row) => row.label === 'high')?.support).toBe(3);
    expect(embedded?.perLabel.reduce((sum, row) => sum + row.predicted, 0)).toBe(3);
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
