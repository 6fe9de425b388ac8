import { Buffer } from 'node:buffer';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { openXml, type ReadXmlOptions, type XmlRecord } from './read-xml.ts';
import { writeXmlRecords } from './write-xml.ts';

async function read(
  text: string | Buffer,
  options: ReadXmlOptions = {},
  chunkSize = 7,
): Promise<XmlRecord[]> {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) chunks.push(bytes.subarray(at, at + chunkSize));
  const out: XmlRecord[] = [];
  const reader = await openXml(chunks, { source: 'orders.xml', ...options });
  for await (const record of reader.records()) out.push(record);
  return out;
}

const EXPORT = `<?xml version="1.0" encoding="UTF-8"?>
<!-- an ERP export -->
<ns:Orders xmlns:ns="urn:erp" version="2">
  <ns:Order id="1"><PO>0045000123</PO><Vendor>  ACME  </Vendor><Note><![CDATA[a < b & "c"]]></Note></ns:Order>
  <ns:Order id="2">
    <PO>0045000124</PO>
    <Vendor>M&amp;M &#252;</Vendor>
    <Line><Qty>1</Qty></Line><Line><Qty>2</Qty></Line>
  </ns:Order>
  <ns:Order id="3"/>
</ns:Orders>
`;

describe('openXml', () => {
  it('yields each record with its line, however the text is chunked', async () => {
    for (const size of [1, 3, 64, 4096]) {
      const records = await read(EXPORT, {}, size);
      expect(records.map((r) => [r.name, r.line])).toEqual([
        ['Order', 4],
        ['Order', 5],
        ['Order', 10],
      ]);
      expect(records[0]?.value).toEqual({
        '@id': '1',
        PO: '0045000123',
        Vendor: '  ACME  ',
        Note: 'a < b & "c"',
      });
      expect(records[1]?.value).toMatchObject({ Vendor: 'M&M ü', Line: [{ Qty: '1' }, { Qty: '2' }] });
    }
  });

  it('finds a named record element at any depth, and reports the root', async () => {
    const reader = await openXml([Buffer.from(EXPORT)], { recordElement: 'Line' });
    const qty = [];
    for await (const record of reader.records()) qty.push(record.value);
    expect(qty).toEqual([{ Qty: '1' }, { Qty: '2' }]);
    expect(reader.root()).toEqual({ name: 'Orders', attributes: { version: '2' } });
  });

  it('reads UTF-16 with and without a BOM, and ISO-8859-1 as declared', async () => {
    const text = '<?xml version="1.0" encoding="UTF-16"?>\n<a><b>Grüße</b></a>';
    expect((await read(iconv.encode(text, 'utf-16le', { addBOM: true })))[0]?.value).toBe('Grüße');
    expect((await read(iconv.encode(text, 'utf-16be', { addBOM: true })))[0]?.value).toBe('Grüße');
    expect((await read(iconv.encode(text, 'utf-16le')))[0]?.value).toBe('Grüße');
    const latin1 = iconv.encode('<?xml version="1.0" encoding="ISO-8859-1"?>\n<a><b>Grüße</b></a>', 'latin1');
    expect((await read(latin1))[0]?.value).toBe('Grüße');
  });

  it('refuses a DOCTYPE anywhere, naming its line', async () => {
    await expect(read('<a>\n<b/>\n<!DOCTYPE x>\n</a>')).rejects.toThrow(/^orders\.xml:3: <!DOCTYPE refused/);
  });

  it('bounds depth and record length', async () => {
    await expect(
      read(`<a>${'<b>'.repeat(20)}${'</b>'.repeat(20)}</a>`, { maxDepth: 10 }),
    ).rejects.toMatchObject({
      problem: 'too-deep',
    });
    await expect(read(`<a>\n<b>${'x'.repeat(500)}</b></a>`, { maxRecordLength: 100 })).rejects.toThrow(
      /^orders\.xml:2: a <b> record longer than 100 characters/,
    );
  });

  it('names the line inside a record that is not well-formed', async () => {
    await expect(read('<a>\n<b>\n<c x=1/>\n</b>\n</a>')).rejects.toThrow(
      /^orders\.xml:3: not well-formed XML/,
    );
  });
});

describe('writeXmlRecords', () => {
  const dir = mkdtempSync(join(tmpdir(), 'erpbridge-write-xml-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a root around records, escaped, and reads back equal', async () => {
    const path = join(dir, 'out.xml');
    const orders = [
      { '@id': '1', PO: '0045000123', Note: 'a < b & "c"' },
      { '@id': '2', PO: '0045000124', Line: [{ Qty: '1' }, { Qty: '2' }] },
    ];
    expect(await writeXmlRecords('Orders', 'Order', orders, path, { rootAttributes: { version: '2' } })).toBe(
      2,
    );
    expect(readFileSync(path, 'utf8').split('\n')[1]).toBe('<Orders version="2">');
    const back = await read(readFileSync(path));
    expect(back.map((r) => r.value)).toEqual(orders);
  });

  it('refuses a record that cannot be XML, naming it', async () => {
    await expect(
      writeXmlRecords('Orders', 'Order', [{ PO: '1' }, { 'bad name': 'x' }], join(dir, 'bad.xml')),
    ).rejects.toThrow(/record 2: .*is not a valid XML element name/);
  });
});
