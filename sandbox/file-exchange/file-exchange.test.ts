import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdocs } from '../../src/formats/idoc/read-idoc.ts';
import { parseX12 } from '../../src/formats/x12/read-x12.ts';
import { type Sandbox, startSandbox } from '../index.ts';
import { callSandbox, removeDirectory, temporaryDirectory, text } from '../test-support.ts';

/** The sandbox as a file-based ERP: its exports, and its import job's answers line by line. */
describe('sandbox file exchange', () => {
  let dataDir: string;
  let sandbox: Sandbox;
  let exchangeDir: string;

  beforeAll(async () => {
    dataDir = temporaryDirectory();
    exchangeDir = join(dataDir, 'exchange');
    sandbox = await startSandbox({
      dataDir,
      port: 0,
      orders: 12,
      history: 8,
      suppliers: 5,
      today: '2026-11-02',
      logRequests: false,
      // The jobs run when the test says (exportNow, importNow), not on their own.
      fileExchange: {
        dir: exchangeDir,
        exportEveryMs: 3_600_000,
        importEveryMs: 3_600_000,
        alsoExport: ['idoc', 'x12'],
      },
    });
  });

  afterAll(async () => {
    await sandbox?.close();
    removeDirectory(dataDir);
  });

  const exchange = () => {
    if (sandbox.fileExchange === null) throw new Error('no file exchange');
    return sandbox.fileExchange;
  };
  /** A result file's rows, header included. */
  const resultRows = (name: string): string[][] =>
    parse(readFileSync(join(exchangeDir, 'results', `${name}.result.csv`), 'utf8'), { delimiter: ';' });
  const order = async (po: string) => {
    const { body } = await callSandbox(sandbox, `/api/purchase_orders/${po}`);
    return { priority: text(body, 'priority'), updated_at: text(body, 'updated_at') };
  };

  it('exports suppliers, the history and the open orders at start, one row per order line', () => {
    const files = readdirSync(join(exchangeDir, 'outbound'))
      .filter((name) => name.endsWith('.csv'))
      .sort();
    expect(files.map((name) => name.replace(/-\d{8}T\d{9}-\d{4}\.csv$/, ''))).toEqual([
      'po-history',
      'po-open',
      'suppliers',
    ]);
    const open = readFileSync(join(exchangeDir, 'outbound', files[1] ?? ''), 'utf8').split('\r\n');
    expect(open[0]).toBe(
      'po_number;supplier_id;order_date;need_by;total_amount;currency;description;notes;buyer;status;priority;updated_at;line_no;item_no;line_description;quantity;uom;unit_price;line_need_by',
    );
    expect(open.slice(1, -1).every((row) => row.split(';')[9] === 'OPEN')).toBe(true);
    expect(new Set(open.slice(1, -1).map((row) => row.split(';')[0])).size).toBe(12);
  });

  it('also exports the open orders as IDoc ORDERS05 and X12 850, which src/formats reads back', async () => {
    const [idocFile] = readdirSync(join(exchangeDir, 'outbound', 'idoc'));
    const idocs = [];
    for await (const idoc of readIdocs(join(exchangeDir, 'outbound', 'idoc', idocFile ?? '')))
      idocs.push(idoc);
    expect(idocs).toHaveLength(12);
    expect(idocs[0]).toMatchObject({ idocType: 'ORDERS05', messageType: 'ORDERS' });
    expect(idocs[0]?.segments[0]).toMatchObject({ name: 'E1EDK01', fields: { BELNR: '0045000009' } });
    const [x12File] = readdirSync(join(exchangeDir, 'outbound', 'x12'));
    const [interchange] = await parseX12(join(exchangeDir, 'outbound', 'x12', x12File ?? ''));
    const sets = interchange?.groups[0]?.messages ?? [];
    expect(sets).toHaveLength(12);
    expect(sets[0]?.segments[1]).toMatchObject({
      tag: 'BEG',
      elements: ['00', 'SA', '0045000009', '', expect.stringMatching(/^\d{8}$/)],
    });
  });

  it('applies an import through the PATCH code: versions move, stale lines and bad values are rejected, references replay', async () => {
    const [first, second, third] = ['0045000009', '0045000010', '0045000011'];
    const current = (await order(first ?? '')).updated_at;
    const import1 = [
      'po_number;priority;expected_updated_at;reference',
      `${first};1;${current};ref-1`,
      `${second};1;2020-01-01T00:00:00.000Z;ref-2`,
      `${third};9;;ref-3`,
      '0099999999;1;;ref-4',
      '',
    ].join('\r\n');
    writeFileSync(join(exchangeDir, 'inbound', '.import-1.csv.tmp'), import1);
    renameSync(
      join(exchangeDir, 'inbound', '.import-1.csv.tmp'),
      join(exchangeDir, 'inbound', 'import-1.csv'),
    );
    expect(exchange().importNow()).toEqual(['import-1.csv']);

    const result = resultRows('import-1.csv');
    const after = await order(first ?? '');
    const now = (await order(second ?? '')).updated_at;
    expect(after.priority).toBe('1');
    expect(result).toEqual([
      ['po_number', 'status', 'reason', 'message', 'updated_at'],
      [first, 'applied', '', 'priority set to 1', after.updated_at],
      [
        second,
        'rejected',
        'stale_version',
        `changed since 2020-01-01T00:00:00.000Z (now ${now}), not applied`,
        now,
      ],
      [third, 'rejected', 'invalid', expect.stringMatching(/^priority must be one of/), ''],
      ['0099999999', 'rejected', 'not_found', 'no purchase order 0099999999', ''],
    ]);
    expect(readdirSync(join(exchangeDir, 'inbound', 'archive'))).toEqual(['import-1.csv']);

    // The same line again (a resend): answered from the reference, written once.
    writeFileSync(
      join(exchangeDir, 'inbound', 'import-2.csv'),
      `po_number;priority;expected_updated_at;reference\r\n${first};1;${current};ref-1\r\n`,
    );
    exchange().importNow();
    expect(resultRows('import-2.csv')[1]).toEqual([
      first,
      'applied',
      '',
      'already applied under reference ref-1',
      after.updated_at,
    ]);
    const changed = exchange()
      .imports()
      .filter((entry) => entry.changed);
    expect(changed.map((entry) => entry.poNumber)).toEqual([first]);
    expect(
      readFileSync(join(exchangeDir, 'log', 'imports.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(5);
  });

  it('answers a file it cannot use with one line saying why', () => {
    writeFileSync(join(exchangeDir, 'inbound', 'import-3.csv'), 'po_number;colour\r\n0045000001;red\r\n');
    exchange().importNow();
    expect(resultRows('import-3.csv')[1]).toEqual([
      '',
      'rejected',
      'invalid',
      'line 1: unknown column "colour" (the import takes po_number, priority, expected_updated_at, reference)',
      '',
    ]);
  });
});
