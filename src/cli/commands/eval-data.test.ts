import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { poUrgencyWorkflow } from '../../../workflows/po-urgency.ts';
import { readLabeledFile } from '../../ai/eval/labeled-file.ts';
import { testOpenOrder } from '../../canonical/test-orders.ts';
import { WorkflowConfig } from '../../config/schema.ts';
import { type LabeledRow, writeLabeledData } from '../../shadow/labeled-data.ts';
import { evaluationData, isLabelsExport, readEvaluationFile } from './eval-data.ts';

const dir = mkdtempSync(join(tmpdir(), 'erpbridge-eval-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const workflow = poUrgencyWorkflow(
  'po-urgency',
  WorkflowConfig.parse({ task: 'po-urgency', connector: 'erp' }),
);

/** An input of po-urgency as it went to the AI, and one person's label for it. */
function edit(id: string, label: string | null, at: string): LabeledRow {
  return {
    input: {
      order: testOpenOrder(id, { notes: id.endsWith('1') ? 'line down' : '' }),
      supplier: null,
      asOf: at.slice(0, 10),
    },
    label,
    meta: {
      source: 'edit',
      recordId: id,
      runId: 'run-1',
      field: 'priority',
      aiValue: 'urgent',
      aiConfidence: 0.7,
      by: 'anna',
      at,
    },
  };
}

const edits = [
  edit('45000001', 'urgent', '2026-10-30T09:00:00.000Z'),
  edit('45000002', 'normal', '2026-10-31T09:00:00.000Z'),
  edit('45000003', 'low', '2026-11-02T09:00:00.000Z'),
  edit('45000004', null, '2026-11-03T09:00:00.000Z'),
];

describe('eval --data: files labels export wrote', () => {
  it('tells an export from records in vendor fields by its columns', async () => {
    const vendor = join(dir, 'vendor.csv');
    writeFileSync(
      vendor,
      'po_number,supplier_id,order_date,need_by,total_amount,currency,status,priority\n0045000001,100042,20261001,20261110,1200,EUR,OPEN,1\n',
    );
    expect(isLabelsExport(readLabeledFile(vendor), 'po-urgency', undefined)).toBe(false);
    expect(readEvaluationFile(workflow, vendor, undefined).kind).toBe('records');

    for (const [name, meta] of [
      ['edits.csv', true],
      ['edits.jsonl', true],
      ['bare.csv', false],
      ['bare.jsonl', false],
    ] as const) {
      const file = join(dir, name);
      await writeLabeledData(edits, file, { format: name.endsWith('.csv') ? 'csv' : 'jsonl', meta });
      expect(isLabelsExport(readLabeledFile(file), 'po-urgency', undefined), name).toBe(true);
      const read = readEvaluationFile(workflow, file, undefined);
      if (read.kind !== 'examples') throw new Error(`${name} was not read as an export`);
      expect(read.examples.map(({ example, date }) => [example.label, date])).toEqual(
        meta
          ? [
              ['urgent', '2026-10-30'],
              ['normal', '2026-10-31'],
              ['low', '2026-11-02'],
            ]
          : [
              ['urgent', ''],
              ['normal', ''],
              ['low', ''],
            ],
      );
      expect(read.examples[0]?.example.input).toEqual(edits[0]?.input);
      expect(read.unlabelled).toBe(1);
    }
  });

  it('splits an export by the day people decided', async () => {
    const file = join(dir, 'split.jsonl');
    await writeLabeledData(edits, file, { format: 'jsonl', meta: true });
    const data = await evaluationData(workflow, {
      data: file,
      splitDate: '2026-10-31',
      asOf: '2026-11-05',
    });
    expect(data.history.map(({ example }) => example.label)).toEqual(['urgent']);
    expect(data.test.map(({ example }) => example.label)).toEqual(['normal', 'low']);
    expect(data.source).toEqual({
      history: `${file} before 2026-10-31`,
      test: `${file} on or after 2026-10-31`,
      splitDate: '2026-10-31',
    });
  });

  it('names the file and line of a row labelled for another field, or not an input of the task', async () => {
    const other = join(dir, 'other-field.jsonl');
    writeFileSync(
      other,
      `${JSON.stringify({ merchant: 'tesco', label: '6100', _meta: { field: 'glAccount' } })}\n`,
    );
    expect(() => readEvaluationFile(workflow, other, undefined)).toThrow(
      `${other} line 1: labels of field glAccount, but workflow po-urgency writes priority`,
    );
    const foreign = join(dir, 'foreign.jsonl');
    writeFileSync(
      foreign,
      `${JSON.stringify({ merchant: 'tesco', label: 'urgent', _meta: { field: 'priority' } })}\n`,
    );
    expect(() => readEvaluationFile(workflow, foreign, undefined)).toThrow(
      new RegExp(`^${foreign.replaceAll('.', '\\.')} line 1: not an input of task po-urgency \\(`),
    );
  });
});
