import { Buffer } from 'node:buffer';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../format-error.ts';
import { type CsvRecord, openCsv, type ReadCsvOptions, readCsv } from './read-csv.ts';

async function records(
  bytes: Buffer | string,
  options: ReadCsvOptions = {},
  chunkSize?: number,
): Promise<CsvRecord[]> {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const chunks: Buffer[] = [];
  const size = chunkSize ?? data.length;
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, at + size));
  const out: CsvRecord[] = [];
  for await (const record of readCsv(chunks, { source: 'po.csv', ...options })) out.push(record);
  return out;
}

const ORDERS =
  'PO;VENDOR;NOTE\r\n0045000123;Müller GmbH;"two\r\nlines"\r\n\r\n0045000124;Straße AG;"say ""hi"""\r\n';
const EXPECTED = [
  { line: 1, fields: ['PO', 'VENDOR', 'NOTE'] },
  { line: 2, fields: ['0045000123', 'Müller GmbH', 'two\r\nlines'] },
  { line: 5, fields: ['0045000124', 'Straße AG', 'say "hi"'] },
];

describe('readCsv', () => {
  it('reads records with the line they start on, whatever the chunking', async () => {
    for (const size of [undefined, 1, 2, 7]) expect(await records(ORDERS, {}, size)).toEqual(EXPECTED);
  });

  it('reads every encoding an ERP writes', async () => {
    const variants: [string, Buffer, ReadCsvOptions][] = [
      ['utf-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ORDERS)]), {}],
      ['windows-1252', iconv.encode(ORDERS, 'windows-1252'), { encoding: 'windows-1252' }],
      ['iso-8859-1', iconv.encode(ORDERS, 'latin1'), { encoding: 'iso-8859-1' }],
      ['iso-8859-15', iconv.encode(ORDERS, 'iso-8859-15'), { encoding: 'iso-8859-15' }],
      ['utf-16le with BOM', iconv.encode(ORDERS, 'utf-16le', { addBOM: true }), {}],
      ['utf-16be with BOM', iconv.encode(ORDERS, 'utf-16be', { addBOM: true }), {}],
      ['utf-16le without BOM, told', iconv.encode(ORDERS, 'utf-16le'), { encoding: 'utf-16le' }],
    ];
    for (const [name, bytes, options] of variants) {
      expect(await records(bytes, options, 5), name).toEqual(EXPECTED);
    }
  });

  it('tells the dialect and encoding it found', async () => {
    const csv = await openCsv([iconv.encode(ORDERS, 'utf-16le', { addBOM: true })]);
    expect([csv.encoding, csv.bom, csv.dialect]).toEqual([
      'utf-16le',
      true,
      { delimiter: ';', quote: '"', recordDelimiter: '\r\n' },
    ]);
  });

  it('takes an explicit delimiter and relaxed column counts', async () => {
    expect(await records('a|b\n1|2|3\n', { delimiter: '|', relaxColumnCount: true })).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2', '3'] },
    ]);
  });

  it('names file and line for a ragged record and for a record over the limit', async () => {
    await expect(records('a,b\n1,2\n3\n')).rejects.toThrow(
      /^po\.csv:3: the number of fields differs from the first record/,
    );
    const error = await records(`a\n${'x'.repeat(100)}\n`, { maxRecordLength: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toMatchObject({ problem: 'too-long', position: { source: 'po.csv', line: 2 } });
  });

  it('reads batches for callers that process pages', async () => {
    const csv = await openCsv([Buffer.from('a\n1\n2\n')]);
    const batches: CsvRecord[][] = [];
    for await (const batch of csv.batches()) batches.push(batch);
    expect(batches.flat().map((r) => r.fields[0])).toEqual(['a', '1', '2']);
    await expect(csv.records().next()).rejects.toThrow(/can be read once/);
  });
});
