import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatsParseCommand, parseDocument } from './parse-document.ts';

const dir = mkdtempSync(join(tmpdir(), 'erpbridge-parse-document-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('formatsParseCommand', () => {
  it('answers a JSON-able document for a good file', async () => {
    const path = join(dir, 'po.csv');
    writeFileSync(path, 'PO;AMOUNT\n0045000123;12,50\n');
    const result = await formatsParseCommand(path);
    expect(result).toEqual({
      ok: true,
      json: {
        format: 'csv',
        source: path,
        encoding: 'utf-8',
        dialect: { delimiter: ';', quote: '"', recordDelimiter: '\n' },
        records: [
          { line: 1, fields: ['PO', 'AMOUNT'] },
          { line: 2, fields: ['0045000123', '12,50'] },
        ],
        warnings: [],
      },
    });
    if (result.ok) expect(JSON.parse(JSON.stringify(result.json))).toEqual(result.json);
  });

  it('reads a file as told, and says what --as takes', async () => {
    const path = join(dir, 'orders.txt');
    writeFileSync(path, '<Orders><Order><PO>1</PO></Order></Orders>');
    const document = await parseDocument(path, { as: 'xml' });
    expect(document.format === 'xml' && document.records.map((r) => r.value)).toEqual([{ PO: '1' }]);
    expect(await formatsParseCommand(path, 'json')).toEqual({
      ok: false,
      message: '--as "json": use one of csv, xml, idoc, x12, edifact',
    });
  });

  it('answers one line for a missing file and for a bad one', async () => {
    const missing = join(dir, 'nope.edi');
    expect(await formatsParseCommand(missing)).toEqual({
      ok: false,
      message: `${missing}: cannot read the file (ENOENT): check the path and its permissions`,
    });
    const bad = join(dir, 'bad.edi');
    writeFileSync(bad, "UNB+UNOC:3+S+R+261104:0930+1'\nUNH+1+ORDERS:D:96A:UN'\nUNT+5+1'\nUNZ+1+1'\n");
    expect(await formatsParseCommand(bad)).toEqual({
      ok: false,
      message: `${bad}:3 (segment 3 UNT): UNT01 says "5" segments, 2 were read: the count is wrong or segments were lost`,
    });
  });
});
