import { describe, expect, it } from 'vitest';
import { legacySqlServerPurchaseOrderMapping as mapping } from './purchase-order-mapping.ts';

type Row = Record<string, unknown>;

/** POHEADER with its PODETAIL rows as SQLite hands them over (numbers as numbers). */
const record = (): { key: string; version: string; data: Row & { lines: Row[] } } => ({
  key: '45000123',
  version: '2026-12-01 10:00:00',
  data: {
    'PO_#': 45000123,
    VENDOR_ID: '100042',
    ORDER_DATE: '2026-11-04 00:00:00',
    DATE_REQUIRED: '2026-11-30 00:00:00',
    REQUEST_BY: 'JSMITH',
    ORDER_UD_FLAG: ' ',
    CLOSED_FLAG: ' ',
    POTotal: 132.68,
    Notes: null,
    ChangedDate: '2026-12-01 10:00:00',
    CURRENCY: 'EUR',
    lines: [
      {
        'LINE_#': 10,
        SPRNUM: '10002345',
        DESCRIPTION: 'Bearing 6204',
        QTY_ORD: 10,
        PRICE_EA: 12.5,
        UOM_CODE: 'EA',
        DELIV_DATE: '2026-11-30 00:00:00',
      },
      {
        'LINE_#': 20,
        SPRNUM: '10002346',
        DESCRIPTION: 'Grease',
        QTY_ORD: 2.5,
        PRICE_EA: 3.07,
        UOM_CODE: 'KG',
        DELIV_DATE: '1753-01-01 00:00:00',
      },
    ],
  },
});

describe('legacy-sqlserver mapping', () => {
  it('reads the legacy tables, 1753-01-01 as no date and a blank flag as no priority', () => {
    expect(mapping.toCanonical(record())).toMatchObject({
      id: '45000123',
      supplierId: '100042',
      needBy: '2026-11-30',
      totalAmount: 132.68,
      description: 'Bearing 6204',
      notes: '',
      status: 'open',
      priority: null,
      lines: [
        { lineNumber: 10, needBy: '2026-11-30' },
        { lineNumber: 20, needBy: null, quantity: 2.5 },
      ],
    });
  });

  it('reads CLOSED_FLAG and ORDER_UD_FLAG codes, and names what it cannot read', () => {
    const voided = record();
    voided.data.CLOSED_FLAG = 'V';
    voided.data.ORDER_UD_FLAG = '1';
    expect(mapping.toCanonical(voided)).toMatchObject({ status: 'cancelled', priority: 'urgent' });
    const bad = record();
    bad.data.CLOSED_FLAG = 'Q';
    expect(() => mapping.toCanonical(bad)).toThrow(
      /cannot read CLOSED_FLAG: expected CLOSED_FLAG blank, Y or V/,
    );
    const noDate = record();
    noDate.data.ORDER_DATE = '1753-01-01 00:00:00';
    expect(() => mapping.toCanonical(noDate)).toThrow(/cannot read ORDER_DATE: expected a date/);
  });
});
