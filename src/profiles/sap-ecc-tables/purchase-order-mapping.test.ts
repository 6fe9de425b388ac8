import { describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import { sapEccTablesPurchaseOrderMapping as mapping } from './purchase-order-mapping.ts';

type Row = Record<string, unknown>;

/** EKKO with two EKPO items as the sql connector reads them from PostgreSQL (CHAR padded, decimals as text). */
const record = (): { key: string; version: string; data: Row & { lines: Row[] } } => ({
  key: '0045000123',
  version: '20261201100000',
  data: {
    EBELN: '0045000123',
    LIFNR: '0000100042',
    BEDAT: '20261104',
    ERNAM: 'JSMITH      ',
    WAERS: 'EUR  ',
    LOEKZ: ' ',
    UNSEZ: '2           ',
    NOTE: 'LINE DOWN - expedite'.padEnd(132, ' '),
    CHANGED_AT: '20261201100000',
    lines: [
      {
        EBELP: '00010',
        MATNR: '000000000010002345',
        TXZ01: 'Bearing 6204'.padEnd(40, ' '),
        MENGE: '10.000',
        MEINS: 'ST ',
        NETPR: '12.50',
        PEINH: '1',
        NETWR: '125.00',
        ELIKZ: ' ',
        EINDT: '20261130',
      },
      {
        EBELP: '00020',
        MATNR: '000000000010002346',
        TXZ01: 'Grease',
        MENGE: '2.500',
        MEINS: 'KG ',
        NETPR: '3.07',
        PEINH: '1',
        NETWR: '7.68',
        ELIKZ: 'X',
        EINDT: '00000000',
      },
    ],
  },
});

describe('sap-ecc-tables purchase order mapping', () => {
  it('reads SAP’s tables into the canonical shape', () => {
    expect(mapping.toCanonical(record())).toEqual({
      id: '45000123',
      supplierId: '100042',
      orderDate: '2026-11-04',
      needBy: '2026-11-30',
      totalAmount: 132.68,
      currency: 'EUR',
      description: 'Bearing 6204',
      notes: 'LINE DOWN - expedite',
      buyer: 'JSMITH',
      status: 'open',
      priority: 'high',
      lines: [
        {
          lineNumber: 10,
          itemId: '10002345',
          description: 'Bearing 6204',
          quantity: 10,
          unitPrice: 12.5,
          uom: 'PC',
          needBy: '2026-11-30',
        },
        {
          lineNumber: 20,
          itemId: '10002346',
          description: 'Grease',
          quantity: 2.5,
          unitPrice: 3.07,
          uom: 'KG',
          needBy: null,
        },
      ],
      version: '20261201100000',
      updatedAt: '2026-12-01T10:00:00Z',
    });
  });

  it('derives closed and cancelled from the items and the deletion indicator', () => {
    const closed = record();
    closed.data.lines = closed.data.lines.map((line) => ({ ...line, ELIKZ: 'X' }));
    expect(mapping.toCanonical(closed).status).toBe('closed');
    const cancelled = record();
    cancelled.data.LOEKZ = 'L';
    expect(mapping.toCanonical(cancelled).status).toBe('cancelled');
  });

  it('names the record and field it cannot read', () => {
    const bad = record();
    bad.data.UNSEZ = 'SOON';
    expect(() => mapping.toCanonical(bad)).toThrow(ErpError);
    expect(() => mapping.toCanonical(bad)).toThrow(/cannot read UNSEZ: expected a priority code 1-4/);
    const badLine = record();
    badLine.data.lines = [{ ...badLine.data.lines[0], NETWR: '1,5' }];
    expect(thrown(() => mapping.toCanonical(badLine))).toMatchObject({
      kind: 'validation',
      context: { key: '0045000123', field: 'lines[0].NETWR' },
    });
  });

  it('keeps SAP’s zero-padded keys and writes nothing', () => {
    expect(mapping.toVendorKey('45000123')).toBe('0045000123');
    expect(() => mapping.toVendorFields({ priority: 'urgent' })).toThrow(
      /reads SAP tables and writes nothing/,
    );
  });
});

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
