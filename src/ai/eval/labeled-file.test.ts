import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLabeledFile } from './labeled-file.ts';

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'erpbridge-labeled-')), name);
  writeFileSync(path, text);
  return path;
}

describe('readLabeledFile', () => {
  it('reads a CSV file with its header and the line each record starts on', () => {
    const path = file(
      'lines.csv',
      'merchant,amount,gl_code\n"tesco, pfs",40.0,K020\n\namazon,"12.99",L030\n',
    );
    const read = readLabeledFile(path);
    expect(read.columns).toEqual(['merchant', 'amount', 'gl_code']);
    expect(read.rows).toEqual([
      { line: 2, data: { merchant: 'tesco, pfs', amount: '40.0', gl_code: 'K020' } },
      { line: 4, data: { merchant: 'amazon', amount: '12.99', gl_code: 'L030' } },
    ]);
  });

  it('reads JSON lines, every key a column', () => {
    const path = file(
      'lines.jsonl',
      '{"merchant":"tesco","amount":40}\n\n{"merchant":"amazon","gl_code":"L030"}\n',
    );
    const read = readLabeledFile(path);
    expect(read.columns).toEqual(['merchant', 'amount', 'gl_code']);
    expect(read.rows.map((row) => row.line)).toEqual([1, 3]);
  });

  it('names the file and the line of what it cannot read', () => {
    expect(() => readLabeledFile('/nowhere/lines.csv')).toThrow('/nowhere/lines.csv: no such file');
    const xml = file('lines.xml', '<a/>');
    expect(() => readLabeledFile(xml)).toThrow(
      `${xml}: expected a .csv or .jsonl file of labelled records, got ".xml"`,
    );
    const ragged = file('ragged.csv', 'a,b\n1,2\n3\n');
    expect(() => readLabeledFile(ragged)).toThrow(new RegExp(`${ragged}: not a readable CSV file: .*line 3`));
    const broken = file('broken.jsonl', '{"a":1}\n{"a":\n');
    expect(() => readLabeledFile(broken)).toThrow(`${broken} line 2: not valid JSON`);
    const array = file('array.jsonl', '[1,2]\n');
    expect(() => readLabeledFile(array)).toThrow(`${array} line 1: expected a JSON object per line`);
    const empty = file('empty.csv', '');
    expect(() => readLabeledFile(empty)).toThrow(`${empty} is empty`);
  });
});
