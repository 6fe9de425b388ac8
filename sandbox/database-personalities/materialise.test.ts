import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { PurchaseOrder } from '../../src/canonical/purchase-order.ts';
import { connectConnector } from '../../src/connectors/registry.ts';
import { profiles } from '../../src/profiles/index.ts';
import type { PurchaseOrderRecord, SupplierRecord } from '../records.ts';
import { materialise, PERSONALITY_NAMES, type SandboxData, targetFromUrl, touchOrders } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'erpbridge-personalities-'));

const suppliers: SupplierRecord[] = [
  {
    supplier_id: '0000100001',
    name: 'Mueller Antriebstechnik GmbH       ',
    country: 'DE',
    lead_time_days: '14',
    on_time_pct: '87,5',
  },
  {
    supplier_id: '0000100002',
    name: 'Pacific Fasteners Inc.             ',
    country: 'US',
    lead_time_days: '45',
    on_time_pct: '61,0',
  },
];

const order = (
  number: number,
  fields: Partial<PurchaseOrderRecord>,
  lines: PurchaseOrderRecord['lines'],
): PurchaseOrderRecord => ({
  po_number: String(45_000_000 + number).padStart(10, '0'),
  supplier_id: '0000100001',
  order_date: '20261001',
  need_by: lines[0]?.need_by ?? '20261101',
  total_amount: '0,00',
  currency: 'EUR',
  description: (lines[0]?.description ?? '').padEnd(40, ' '),
  notes: ''.padEnd(60, ' '),
  buyer: 'JSMITH    ',
  status: 'OPEN',
  priority: '3',
  updated_at: '2026-10-01T09:15:30.456Z',
  lines,
  ...fields,
});

const line = (no: number, fields: Partial<PurchaseOrderRecord['lines'][number]> = {}) => ({
  line_no: String(no * 10).padStart(5, '0'),
  item_no: String(10_002_345 + no).padStart(18, '0'),
  description: `Bearing 620${no}`.padEnd(40, ' '),
  quantity: '10,000',
  uom: 'EA ',
  unit_price: 12.5,
  need_by: '20261101',
  ...fields,
});

/** Open, closed with a note and no priority, cancelled in USD with half kilograms and metres. */
const records: SandboxData = {
  suppliers,
  orders: [
    order(1, { total_amount: '250,00', priority: '1' }, [line(1), line(2, { need_by: '20261115' })]),
    order(
      2,
      {
        status: 'CLOSED',
        priority: '',
        notes: 'LINE DOWN - expedite'.padEnd(60, ' '),
        total_amount: '125,00',
        updated_at: '2026-10-20T17:00:01.999Z',
      },
      [line(1)],
    ),
    order(
      3,
      {
        status: 'CANCELLED',
        supplier_id: '0000100002',
        currency: 'USD',
        priority: '4',
        total_amount: '9,06',
      },
      [
        line(1, { quantity: '2,500', uom: 'KG ', unit_price: 0.18 }),
        line(2, { quantity: '0,500', uom: 'M  ', unit_price: 17.22 }),
        line(3, { uom: 'PC ', unit_price: 0 }),
      ],
    ),
  ],
};

/** What the sandbox profile makes of the same records, as the REST API would serve them. */
function expected(): unknown[] {
  return records.orders.map((record) => {
    const {
      version: _version,
      updatedAt: _updatedAt,
      ...rest
    } = profiles.sandbox.purchaseOrder.toCanonical({
      key: record.po_number,
      version: null,
      data: { ...record },
    });
    return { ...rest, version: expect.any(String), updatedAt: `${record.updated_at.slice(0, 19)}Z` };
  });
}

describe('database personalities in SQLite', () => {
  it.each(PERSONALITY_NAMES)(
    '%s materialises, and its profile reads the sandbox’s canonical orders back',
    async (name) => {
      const file = join(dir, `${name}.sqlite`);
      const result = await materialise({
        source: { records },
        personality: name,
        target: { dialect: 'sqlite', connection: { file } },
      });
      expect(result.connector).toMatchObject({ kind: 'sql', dialect: 'sqlite', connection: { file } });
      const erp = await connectConnector('erp', result.connector, {});
      const profile = profiles[result.profile];
      const read: PurchaseOrder[] = [];
      for await (const page of erp.read({ entity: 'purchase_orders' })) {
        for (const record of page.records) read.push(profile.purchaseOrder.toCanonical(record));
      }
      expect(read).toEqual(expected());
      const open: string[] = [];
      for await (const page of erp.read({ entity: 'purchase_orders', filter: result.filters.open })) {
        open.push(...page.records.map((record) => profile.purchaseOrder.toCanonical(record).id));
      }
      expect(open).toEqual(['45000001']);
      await erp.close();
    },
  );

  it('keeps each ERP’s own quirks in its tables', async () => {
    const file = (name: string) => join(dir, `${name}.sqlite`);
    const sap = new Database(file('sap-ecc'), { readonly: true });
    expect(
      sap.prepare('SELECT EBELN, LIFNR, BEDAT, ERNAM, UNSEZ, LOEKZ FROM EKKO ORDER BY EBELN').all(),
    ).toEqual([
      {
        EBELN: '0045000001',
        LIFNR: '0000100001',
        BEDAT: '20261001',
        ERNAM: 'JSMITH      ',
        UNSEZ: '1           ',
        LOEKZ: ' ',
      },
      {
        EBELN: '0045000002',
        LIFNR: '0000100001',
        BEDAT: '20261001',
        ERNAM: 'JSMITH      ',
        UNSEZ: '            ',
        LOEKZ: ' ',
      },
      {
        EBELN: '0045000003',
        LIFNR: '0000100002',
        BEDAT: '20261001',
        ERNAM: 'JSMITH      ',
        UNSEZ: '4           ',
        LOEKZ: 'L',
      },
    ]);
    // CHAR semantics: trailing blanks do not count in comparisons.
    expect(sap.prepare("SELECT count(*) AS n FROM EKKO WHERE ERNAM = 'JSMITH'").get()).toEqual({ n: 3 });
    expect(sap.prepare("SELECT MEINS, MENGE, NETPR FROM EKPO WHERE EBELN = '0045000003'").all()).toEqual([
      { MEINS: 'KG ', MENGE: 2.5, NETPR: 0.18 },
      { MEINS: 'M  ', MENGE: 0.5, NETPR: 17.22 },
      { MEINS: 'ST ', MENGE: 10, NETPR: 0 },
    ]);
    sap.close();
    const ebs = new Database(file('oracle-ebs'), { readonly: true });
    expect(
      ebs
        .prepare('SELECT SEGMENT1, ATTRIBUTE1, CLOSED_CODE, CANCEL_FLAG, NOTE_TO_VENDOR FROM PO_HEADERS_ALL')
        .all(),
    ).toEqual([
      {
        SEGMENT1: '45000001',
        ATTRIBUTE1: '1',
        CLOSED_CODE: 'OPEN',
        CANCEL_FLAG: 'N',
        NOTE_TO_VENDOR: null,
      },
      {
        SEGMENT1: '45000002',
        ATTRIBUTE1: null,
        CLOSED_CODE: 'CLOSED',
        CANCEL_FLAG: 'N',
        NOTE_TO_VENDOR: 'LINE DOWN - expedite',
      },
      {
        SEGMENT1: '45000003',
        ATTRIBUTE1: '4',
        CLOSED_CODE: 'FINALLY CLOSED',
        CANCEL_FLAG: 'Y',
        NOTE_TO_VENDOR: null,
      },
    ]);
    ebs.close();
    const legacy = new Database(file('legacy-sqlserver'), { readonly: true });
    expect(
      legacy
        .prepare('SELECT "PO_#", ORDER_UD_FLAG, CLOSED_FLAG, DATE_REQUIRED FROM POHEADER ORDER BY "PO_#"')
        .all(),
    ).toEqual([
      { 'PO_#': 45000001, ORDER_UD_FLAG: '1', CLOSED_FLAG: ' ', DATE_REQUIRED: '2026-11-01 00:00:00' },
      { 'PO_#': 45000002, ORDER_UD_FLAG: ' ', CLOSED_FLAG: 'Y', DATE_REQUIRED: '2026-11-01 00:00:00' },
      { 'PO_#': 45000003, ORDER_UD_FLAG: '4', CLOSED_FLAG: 'V', DATE_REQUIRED: '2026-11-01 00:00:00' },
    ]);
    expect(legacy.prepare('SELECT DATE_RECD FROM PODETAIL WHERE "PO_#" = 45000001').all()).toEqual([
      { DATE_RECD: '1753-01-01 00:00:00' },
      { DATE_RECD: '1753-01-01 00:00:00' },
    ]);
    legacy.close();
  });

  it.each(PERSONALITY_NAMES)(
    '%s: touched orders are what the next incremental read returns',
    async (name) => {
      const target = { dialect: 'sqlite' as const, connection: { file: join(dir, `${name}-touch.sqlite`) } };
      const result = await materialise({ source: { records }, personality: name, target });
      const erp = await connectConnector('erp', result.connector, {});
      let watermark: string | null | undefined;
      for await (const page of erp.read({ entity: 'purchase_orders' })) watermark = page.watermark;
      expect(watermark).not.toBeNull();
      const { at, orders } = await touchOrders({
        personality: name,
        target,
        orders: ['45000003', '0045000001'],
      });
      expect(orders).toEqual(['0045000003', '0045000001']);
      expect(at.getTime()).toBeGreaterThan(Date.parse('2026-10-20T17:00:01Z'));
      const changed: string[] = [];
      for await (const page of erp.read({ entity: 'purchase_orders', changedSince: watermark ?? '' })) {
        changed.push(
          ...page.records.map((record) => profiles[result.profile].purchaseOrder.toCanonical(record).id),
        );
      }
      expect(changed.sort()).toEqual(['45000001', '45000003']);
      await erp.close();
    },
  );

  it('takes targets from URLs', () => {
    expect(targetFromUrl('sqlite:/tmp/erp.sqlite')).toEqual({
      dialect: 'sqlite',
      connection: { file: '/tmp/erp.sqlite' },
    });
    expect(targetFromUrl('./erp.db')).toEqual({ dialect: 'sqlite', connection: { file: './erp.db' } });
    expect(targetFromUrl('postgres://u@h/db', 'sap')).toEqual({
      dialect: 'postgres',
      connection: { url: 'postgres://u@h/db' },
      schema: 'sap',
    });
    expect(targetFromUrl('mariadb://root@h/test').dialect).toBe('mariadb');
    expect(() => targetFromUrl('http://h/x')).toThrow(/no database URL/);
  });
});
