import { Buffer } from 'node:buffer';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { escapeFormula, looksLikeFormula } from './formula-escape.ts';
import { readCsv } from './read-csv.ts';
import { formatCsv, writeCsv } from './write-csv.ts';

const dir = mkdtempSync(join(tmpdir(), 'erpbridge-write-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('formula escaping', () => {
  it('escapes what a spreadsheet would evaluate, per OWASP', () => {
    for (const cell of ['=1+2', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])
      expect(escapeFormula(cell)).toBe(`'${cell}`);
    for (const cell of ['ACME', '', "'=quoted", ' =x', '1-2']) expect(looksLikeFormula(cell)).toBe(false);
  });
});

describe('formatCsv', () => {
  it('is deterministic: quoting only where needed, CRLF, numbers as numbers, formulas escaped and quoted', () => {
    const rows = [
      ['0045000123', 'ACME, Inc.', 'say "hi"', -12.5, true, null],
      ['=HYPERLINK("http://x")', '@cmd', 'line\nbreak', 0, false, undefined],
    ];
    const text = formatCsv(rows, { header: ['PO', 'VENDOR', 'NOTE', 'AMOUNT', 'URGENT', 'EMPTY'] });
    expect(text).toBe(
      'PO,VENDOR,NOTE,AMOUNT,URGENT,EMPTY\r\n' +
        '0045000123,"ACME, Inc.","say ""hi""",-12.5,true,\r\n' +
        '"\'=HYPERLINK(""http://x"")","\'@cmd","line\nbreak",0,false,\r\n',
    );
    expect(formatCsv(rows)).toBe(formatCsv(rows));
  });

  it('refuses numbers a consumer cannot read', () => {
    expect(() => formatCsv([['a', Number.NaN]])).toThrow(
      'output: record 1: NaN is not a number a CSV consumer can read',
    );
  });
});

describe('writeCsv', () => {
  it('writes Windows-1252 with ; and reads back the same values', async () => {
    const path = join(dir, 'export.csv');
    const rows = [['0045000123', 'Müller Straße', '12,50 €']];
    const result = await writeCsv(rows, path, {
      delimiter: ';',
      encoding: 'windows-1252',
      header: ['PO', 'NAME', 'AMOUNT'],
    });
    expect(result.records).toBe(2);
    expect(readFileSync(path)).toEqual(
      iconv.encode('PO;NAME;AMOUNT\r\n0045000123;Müller Straße;12,50 €\r\n', 'windows-1252'),
    );
    const back = [];
    for await (const record of readCsv(path, { encoding: 'windows-1252' })) back.push(record.fields);
    expect(back).toEqual([['PO', 'NAME', 'AMOUNT'], ...rows]);
  });

  it('writes UTF-8 and UTF-16 BOMs when asked', async () => {
    const path = join(dir, 'bom.csv');
    await writeCsv([['a']], path, { bom: true });
    expect(readFileSync(path)).toEqual(Buffer.from('\uFEFFa\r\n'));
    await writeCsv([['a']], path, { bom: true, encoding: 'utf-16le' });
    expect(readFileSync(path)).toEqual(Buffer.from([0xff, 0xfe, 0x61, 0, 0x0d, 0, 0x0a, 0]));
  });

  it('refuses a character the encoding cannot hold, naming the record', async () => {
    await expect(
      writeCsv([['ok'], ['Zürich'], ['5 €']], join(dir, 'latin1.csv'), { encoding: 'iso-8859-1' }),
    ).rejects.toThrow('record 3: "€" (U+20AC) cannot be written in iso-8859-1; write UTF-8 or replace it');
  });
});
