import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLabeledFile } from '../ai/eval/labeled-file.ts';
import { readCsv } from '../formats/csv/read-csv.ts';
import {
  csvTable,
  decodeCell,
  encodeCell,
  exportedRows,
  formatJsonl,
  hasExportMeta,
  type LabeledRow,
  writeLabeledData,
} from './labeled-data.ts';

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
    // Text that would read as a number is written as a JSON string, so it reads back as text.
    expect(first?.['order.id']).toBe('"45000001"');
    expect(first?.['supplier.id']).toBe('"100042"');
    expect(cells).toHaveLength(2);
  });

  it('writes each cell so that it reads back as the same value', () => {
    const values = [
      'plain text',
      '45000012',
      '-3.5',
      '',
      'true',
      'null',
      '[1,2]',
      '{"a":1}',
      '"quoted"',
      '[not json',
      ' 12',
      '2026-11-02',
      '=SUM(A1)',
      0,
      -0.25,
      1e21,
      true,
      false,
      null,
      [1, 'two', { three: 3 }],
      {},
    ];
    for (const value of values) {
      const cell = encodeCell(value);
      const text = cell === null || cell === undefined ? '' : String(cell);
      expect(decodeCell(text), JSON.stringify(value)).toEqual(value);
    }
    expect(encodeCell('plain text')).toBe('plain text');
    expect(encodeCell('45000012')).toBe('"45000012"');
    expect(encodeCell(Number.NaN)).toBeNull();
  });

  it('reads CSV and JSON lines back as the inputs, labels and dates that were written', async () => {
    // Rows of one shape, as one task's inputs are: nested objects, a null one, lists, text that
    // looks like numbers, empty text, an empty object, an object with a dotted key, booleans.
    const input = (id: string, supplier: Record<string, unknown> | null, notes: string) => ({
      order: { id, totalAmount: 7.5, notes, lines: [{ lineNumber: 1 }], flags: {}, odd: { 'a.b': 1 } },
      supplier,
      asOf: '2026-11-02',
      known: supplier !== null,
    });
    const written = [
      row('45000001', input('45000001', { id: '100042', onTimeRate: 0.875 }, 'line down'), 'high'),
      row('45000002', input('45000002', null, ''), 'low'),
      row('45000003', input('45000003', { id: '100043', onTimeRate: null }, 'true'), '6100'),
    ];
    for (const format of ['csv', 'jsonl'] as const) {
      for (const meta of [true, false]) {
        const file = join(dir, `round-trip-${meta}.${format}`);
        await writeLabeledData(written, file, { format, meta });
        const read = readLabeledFile(file);
        expect(hasExportMeta(read.columns), `${format} meta ${meta}`).toBe(meta);
        const back = exportedRows(read, format, 'label');
        expect(back.map((each) => each.input)).toEqual(written.map((each) => each.input));
        expect(back.map((each) => each.label)).toEqual(['high', 'low', '6100']);
        expect(back.map((each) => each.line)).toEqual(format === 'csv' ? [2, 3, 4] : [1, 2, 3]);
        expect(back.map((each) => each.at)).toEqual(
          written.map(() => (meta ? '2026-11-02T08:00:00.000Z' : null)),
        );
        expect(back.map((each) => each.field)).toEqual(written.map(() => (meta ? 'priority' : null)));
      }
    }
  });

  it('names the file, line and column of a row it cannot read back', async () => {
    const file = join(dir, 'broken.csv');
    writeFileSync(file, 'supplier,supplier.id,label\n"""x""",100,high\n');
    expect(() => exportedRows(readLabeledFile(file), 'csv', 'label')).toThrow(
      `${file} line 2, column supplier: holds a value and so do the columns nested under it; one of them must be empty`,
    );
    expect(() => exportedRows(readLabeledFile(file), 'csv', 'priority')).toThrow(
      `${file}: no label column "priority" (columns: supplier, supplier.id, label)`,
    );
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
