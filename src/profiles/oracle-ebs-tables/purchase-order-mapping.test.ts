import { describe, expect, it } from 'vitest';
import { oracleEbsTablesPurchaseOrderMapping as mapping } from './purchase-order-mapping.ts';
import { oracleEbsTablesSupplierMapping } from './supplier-mapping.ts';

type Row = Record<string, unknown>;

/** A PO_HEADERS_ALL row with two lines, as MariaDB hands them over (numbers and dates as text). */
const record = (): { key: string; version: string; data: Row & { lines: Row[] } } => ({
  key: '45000123',
  version: '2026-12-01 10:00:00',
  data: {
    PO_HEADER_ID: '100123',
    SEGMENT1: '45000123',
    VENDOR_NUM: '100042',
    CREATION_DATE: '2026-11-04 00:00:00',
    LAST_UPDATE_DATE: '2026-12-01 10:00:00',
    CURRENCY_CODE: 'USD',
    COMMENTS: 'Bearing 6204',
    NOTE_TO_VENDOR: null,
    BUYER_USER_NAME: 'JSMITH',
    CLOSED_CODE: 'OPEN',
    CANCEL_FLAG: 'N',
    ATTRIBUTE1: '1',
    lines: [
      {
        LINE_NUM: '10',
        ITEM_ID: '10002345',
        ITEM_DESCRIPTION: 'Bearing 6204',
        UNIT_MEAS_LOOKUP_CODE: 'Each',
        UNIT_PRICE: '12.50',
        QUANTITY: '10.000',
        NEED_BY_DATE: '2026-11-30 00:00:00',
      },
      {
        LINE_NUM: '20',
        ITEM_ID: '10002346',
        ITEM_DESCRIPTION: 'Grease',
        UNIT_MEAS_LOOKUP_CODE: 'Kilogram',
        UNIT_PRICE: '3.07',
        QUANTITY: '2.500',
        NEED_BY_DATE: null,
      },
    ],
  },
});

describe('oracle-ebs-tables mapping', () => {
  it('reads EBS tables into the canonical shape, the total computed exactly', () => {
    expect(mapping.toCanonical(record())).toMatchObject({
      id: '45000123',
      supplierId: '100042',
      orderDate: '2026-11-04',
      needBy: '2026-11-30',
      totalAmount: 132.68,
      currency: 'USD',
      notes: '',
      status: 'open',
      priority: 'urgent',
      lines: [
        { lineNumber: 10, uom: 'EA', quantity: 10 },
        { lineNumber: 20, uom: 'KG', needBy: null },
      ],
      updatedAt: '2026-12-01T10:00:00Z',
    });
  });

  it('reads cancellation from CANCEL_FLAG and closure from CLOSED_CODE', () => {
    const cancelled = record();
    cancelled.data.CANCEL_FLAG = 'Y';
    cancelled.data.CLOSED_CODE = 'FINALLY CLOSED';
    expect(mapping.toCanonical(cancelled).status).toBe('cancelled');
    const closed = record();
    closed.data.CLOSED_CODE = 'CLOSED';
    closed.data.ATTRIBUTE1 = null;
    expect(mapping.toCanonical(closed)).toMatchObject({ status: 'closed', priority: null });
  });

  it('names the field it cannot read', () => {
    const bad = record();
    bad.data.ATTRIBUTE1 = 'SOON';
    expect(() => mapping.toCanonical(bad)).toThrow(
      /cannot read ATTRIBUTE1: expected a priority code 1-4 or none/,
    );
    const code = record();
    code.data.CLOSED_CODE = 'ON HOLD';
    expect(() => mapping.toCanonical(code)).toThrow(/cannot read CLOSED_CODE/);
  });

  it('reads suppliers from their flexfield segments', () => {
    expect(
      oracleEbsTablesSupplierMapping.toCanonical({
        key: '100042',
        version: null,
        data: {
          SEGMENT1: '100042',
          VENDOR_NAME: 'Mueller GmbH',
          COUNTRY: 'DE',
          ATTRIBUTE1: '14',
          ATTRIBUTE2: '87.5',
        },
      }),
    ).toEqual({ id: '100042', name: 'Mueller GmbH', country: 'DE', leadTimeDays: 14, onTimeRate: 0.875 });
  });
});
