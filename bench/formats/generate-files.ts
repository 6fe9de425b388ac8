/**
 * Large exchange files for the formats benchmark, written as streams: the generator never holds
 * more than one chunk, so a 1 GB CSV costs the disk, not the benchmark's memory.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

const CHUNK_CHARACTERS = 1024 * 1024;

/** Writes text pieces to `path` until `bytes` are written; returns the bytes written. */
async function writeUntil(
  path: string,
  bytes: number,
  header: string,
  piece: (index: number) => string,
  trailer: (count: number) => string,
): Promise<{ bytes: number; count: number }> {
  const out = createWriteStream(path);
  let written = 0;
  let count = 0;
  const write = async (text: string) => {
    written += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(header);
  while (written < bytes) {
    let chunk = '';
    while (chunk.length < CHUNK_CHARACTERS) {
      count++;
      chunk += piece(count);
    }
    await write(chunk);
  }
  await write(trailer(count));
  out.end();
  await once(out, 'close');
  return { bytes: written, count };
}

/**
 * A purchase-order export the way ERPs write one: `;`-separated, quoted text with embedded `;` and
 * doubled quotes, decimal commas, umlauts, zero-padded numbers. Returns the bytes and the records.
 */
export function generateCsv(path: string, megabytes: number): Promise<{ bytes: number; count: number }> {
  const vendors = ['Müller GmbH', 'ACME; Inc.', 'Straße & Söhne KG', 'Nordic "Best" AB'];
  return writeUntil(
    path,
    megabytes * 1024 * 1024,
    'PO_NUMBER;ITEM;VENDOR;MATERIAL;QUANTITY;UNIT;NET_PRICE;CURRENCY;DELIVERY_DATE;PRIORITY;NOTE\r\n',
    (index) => {
      const vendor = vendors[index % vendors.length] ?? '';
      const quoted = `"${vendor.replace(/"/g, '""')}"`;
      return `${String(4500000000 + index).padStart(10, '0')};${String((index % 50) * 10).padStart(5, '0')};${quoted};MAT-${index % 9973};${index % 500},000;PCE;${(index % 9999) / 100},${index % 100};EUR;2026${String((index % 12) + 1).padStart(2, '0')}15;${(index % 4) + 1};Lieferung frei Haus\r\n`;
    },
    () => '',
  );
}

const ISA =
  'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261104*0930*U*00401*000000001*0*P*>~\n';

/** One X12 interchange of 850 purchase orders (one group), trailers counted right. */
export function generateX12(path: string, megabytes: number): Promise<{ bytes: number; count: number }> {
  return writeUntil(
    path,
    megabytes * 1024 * 1024,
    `${ISA}GS*PO*SENDER*RECEIVER*20261104*0930*1*X*004010~\n`,
    (index) => {
      const control = String(index).padStart(9, '0');
      const lines = [
        `ST*850*${control}~`,
        `BEG*00*SA*${4500000000 + index}**20261104~`,
        'REF*DP*038~',
        'DTM*002*20261214~',
        'N1*ST*XYZ RETAIL*9*0003947268292~',
        'N3*31875 SOLON RD~',
        'N4*SOLON*OH*44139~',
        `PO1*1*${index % 500}*EA*9.25*TE*CB*065322-117*PR*RO*VN*AB3542~`,
        'PID*F****SMALL WIDGET~',
        `PO1*2*${index % 300}*EA*13.79*TE*CB*066850-116*PR*RO*VN*RD5322~`,
        'PID*F****MEDIUM WIDGET~',
        'CTT*2~',
        `SE*13*${control}~`,
      ];
      return `${lines.join('\n')}\n`;
    },
    (count) => `GE*${count}*1~\nIEA*1*000000001~\n`,
  );
}
