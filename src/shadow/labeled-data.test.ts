import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCsv } from '../formats/csv/read-csv.ts';
import { csvTable, formatJsonl, type LabeledRow, writeLabeledData } from './labeled-data.ts';

function row(recordId: string, input: unknown, label: unknown): LabeledRow {
  return {
    input,
    label,
    meta: {
      source: 'edit',
      recordId,
      runId: 'run-1',
      field: 'priority',
      aiValue: 'urgent',
      aiConfidence: 0.9,
      by: 'anna',
      at: '2026-11-02T08:00:00.000Z',
    },
  };
}

const rows = [
  row(
    '45000001',
    {
      order: { id: '45000001', totalAmount: 1234.5, notes: '=SUM(A1) line down', lines: [{ lineNumber: 1 }] },
      supplier: { id: '100042', onTimeRate: 0.875 },
      asOf: '2026-11-02',
    },
    'high',
  ),
  row(
    '45000002',
    {
      order: { id: '45000002', totalAmount: 10, notes: 'a, "quoted" note' },
      supplier: null,
      asOf: '2026-11-02',
    },
    'low',
  ),
];

describe('labeled data', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'erpbridge-labels-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('JSON lines hold the input as it went to the AI plus the label, losslessly', () => {
    const lines = formatJsonl(rows, {}).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { ...(rows[0]?.input as object), label: 'high' },
      { ...(rows[1]?.input as object), label: 'low' },
    ]);
    const withMeta = JSON.parse(
      formatJsonl(rows, { meta: true, labelColumn: 'priority' }).split('\n')[0] ?? '',
    );
    expect(withMeta).toMatchObject({
      priority: 'high',
      _meta: { source: 'edit', recordId: '45000001', by: 'anna' },
    });
  });

  it('CSV flattens nested inputs to dotted columns, the label last, and reads back cell for cell', async () => {
    const file = join(dir, 'labels.csv');
    await writeLabeledData(rows, file, { format: 'csv', meta: true });
    const { header, cells } = csvTable(rows, { meta: true });
    expect(header).toEqual([
      'order.id',
      'order.totalAmount',
      'order.notes',
      'order.lines',
      'supplier.id',
      'supplier.onTimeRate',
      'asOf',
      'supplier',
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
    const read: string[][] = [];
    for await (const record of readCsv(file)) read.push(record.fields);
    expect(read[0]).toEqual(header);
    const [first, second] = read
      .slice(1)
      .map((fields) => Object.fromEntries(header.map((h, i) => [h, fields[i]])));
    // Values as they went to the AI: no formula escaping, arrays as JSON, null as an empty cell.
    expect(first).toMatchObject({
      'order.notes': '=SUM(A1) line down',
      'order.lines': '[{"lineNumber":1}]',
      'order.totalAmount': '1234.5',
      'supplier.onTimeRate': '0.875',
      label: 'high',
      _aiConfidence: '0.9',
    });
    expect(second).toMatchObject({
      'order.notes': 'a, "quoted" note',
      supplier: '',
      'supplier.id': '',
      label: 'low',
    });
    expect(cells).toHaveLength(2);
  });

  it('refuses an input that already has a field named like the label column', () => {
    const clash = [row('1', { label: 'x', amount: 3 }, 'y')];
    expect(() => formatJsonl(clash, {})).toThrow(/has a field "label"; choose another label column/);
    expect(JSON.parse(formatJsonl(clash, { labelColumn: 'gl' }))).toEqual({ label: 'x', amount: 3, gl: 'y' });
  });

  it('writes JSON lines to a file', async () => {
    const file = join(dir, 'labels.jsonl');
    const written = await writeLabeledData(rows, file, { format: 'jsonl' });
    expect(written.rows).toBe(2);
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(2);
  });
});
