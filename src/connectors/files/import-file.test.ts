import { describe, expect, it } from 'vitest';
import { FilesConfigSchema } from './files-config.ts';
import { type ImportLine, renderImportFile, unwritableValue } from './import-file.ts';

const config = FilesConfigSchema.parse({
  kind: 'files',
  transport: { kind: 'local', root: '/x' },
  csv: { delimiter: ';' },
  entities: {
    purchase_orders: {
      files: 'po-*.csv',
      keyField: 'po_number',
      versionField: 'updated_at',
      write: { fileName: 'po-priority-{batch}.csv', columns: ['priority'], referenceColumn: 'reference' },
    },
  },
});
const entity = config.entities.purchase_orders;
const write = entity?.write;

describe('renderImportFile', () => {
  it('writes the same changes as the same bytes under the same name, whatever their order', () => {
    if (entity === undefined || write === undefined) throw new Error('fixture');
    const lines: ImportLine[] = [
      { key: '0045000002', fields: { priority: '1' }, ifVersion: 'v2', reference: 'k2' },
      { key: '0045000001', fields: { priority: '1' }, ifVersion: 'v1', reference: 'k1' },
      { key: '0045000003', fields: {}, ifVersion: null, reference: undefined },
    ];
    const file = renderImportFile('purchase_orders', entity, write, config.csv, lines);
    expect(file.content.toString('utf8')).toBe(
      'po_number;priority;expected_version;reference\r\n0045000001;1;v1;k1\r\n0045000002;1;v2;k2\r\n0045000003;;;\r\n',
    );
    expect(file.name).toMatch(/^po-priority-[0-9a-f]{16}\.csv$/);
    const again = renderImportFile('purchase_orders', entity, write, config.csv, [...lines].reverse());
    expect(again.name).toBe(file.name);
    expect(file.lines.map((line) => line.key)).toEqual(['0045000001', '0045000002', '0045000003']);
  });
});

describe('unwritableValue', () => {
  it('accepts text, numbers and booleans the encoding can hold', () => {
    expect(unwritableValue('Müller', 'windows-1252')).toBeUndefined();
    expect(unwritableValue(3, 'utf-8')).toBeUndefined();
    expect(unwritableValue(null, 'utf-8')).toBeUndefined();
    expect(unwritableValue('€', 'iso-8859-1')).toBe('"€" has characters iso-8859-1 cannot hold');
    expect(unwritableValue({ a: 1 }, 'utf-8')).toBe('a object cannot be a CSV value');
  });
});
