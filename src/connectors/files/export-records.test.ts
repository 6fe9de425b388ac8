import { describe, expect, it } from 'vitest';
import { FormatError } from '../../formats/format-error.ts';
import { csvRecords } from './csv-records.ts';
import { type ExportRecord, exportRecords } from './export-records.ts';
import type { FilesEntity } from './files-config.ts';

const orders: FilesEntity = {
  files: 'po-*.csv',
  keyField: 'po_number',
  versionField: 'updated_at',
  lines: { field: 'lines', columns: { line_no: 'line_no', item: 'item_no' } },
};

async function records(text: string, entity: FilesEntity = orders): Promise<ExportRecord[]> {
  const source = 'po-1.csv';
  async function* bytes(): AsyncGenerator<Buffer> {
    yield Buffer.from(text, 'utf8');
  }
  const rows = csvRecords(bytes(), source, {
    delimiter: ';',
    quote: '"',
    encoding: 'utf-8',
    maxRecordLength: 4096,
  });
  const found: ExportRecord[] = [];
  for await (const record of exportRecords(rows, entity, { source, delimiter: ';' })) found.push(record);
  return found;
}

async function refusal(text: string, entity: FilesEntity = orders): Promise<string> {
  const error = await records(text, entity).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (!(error instanceof FormatError)) throw new Error(`expected a FormatError, got ${String(error)}`);
  return error.message;
}

describe('exportRecords', () => {
  it('gathers the rows of one order into its lines, keeps header fields as written, and reads the version', async () => {
    const text = [
      'po_number;notes;updated_at;line_no;item',
      '0045000001;"two\nlines";v1;00010;A',
      '0045000001;"two\nlines";v1;00020;B',
      '0045000002;  padded  ;v7;;',
      '',
    ].join('\r\n');
    expect(await records(text)).toEqual([
      {
        key: '0045000001',
        version: 'v1',
        line: 2,
        data: {
          po_number: '0045000001',
          notes: 'two\nlines',
          updated_at: 'v1',
          lines: [
            { line_no: '00010', item_no: 'A' },
            { line_no: '00020', item_no: 'B' },
          ],
        },
      },
      {
        key: '0045000002',
        version: 'v7',
        line: 6,
        data: { po_number: '0045000002', notes: '  padded  ', updated_at: 'v7', lines: [] },
      },
    ]);
  });

  it('refuses what would make a record ambiguous, naming the line', async () => {
    const header = 'po_number;notes;updated_at;line_no;item';
    expect(await refusal(`${header}\n1;a;v;10;A\n2;b;v;10;A\n1;a;v;20;B\n`)).toBe(
      'po-1.csv:4: po_number 1 has rows that are not together (first at line 2)',
    );
    expect(await refusal('po;notes;updated_at;line_no;item\n')).toMatch(
      /^po-1\.csv:1: the header has no column "po_number"$/,
    );
    expect(await refusal('po_number;notes;line_no;item\n')).toBe(
      `po-1.csv:1: the header has no column "updated_at" (the entity's versionField)`,
    );
    expect(await refusal(`${header}\n1;a;v;10\n`)).toMatch(/^po-1\.csv:2: the number of fields differs/);
    expect(await refusal('')).toBe('po-1.csv:1: the file is empty; an export starts with a header line');
    expect(await refusal('po_number;notes;notes;updated_at;line_no;item\n')).toBe(
      'po-1.csv:1: the header names column "notes" twice',
    );
  });

  it('without line columns, the same key on adjacent rows is refused too, not silently merged', async () => {
    const flat: FilesEntity = { files: 'po-*.csv', keyField: 'po_number', versionField: 'updated_at' };
    expect(await refusal('po_number;notes;updated_at\n1;a;v\n1;b;v\n', flat)).toBe(
      'po-1.csv:3: po_number 1 appears twice (first at line 2)',
    );
    expect(await records('po_number;notes;updated_at\n1;a;v\n2;b;v\n', flat)).toHaveLength(2);
  });
});
