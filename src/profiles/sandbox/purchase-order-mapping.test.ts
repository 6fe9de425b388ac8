import { describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import { thrownBy } from '../../errors/test-errors.ts';
import { sandboxPurchaseOrderMapping as mapping } from './purchase-order-mapping.ts';

const record = () => ({
  key: '0045000123',
  version: '"2026-12-01T10:00:00.000Z"',
  data: {
    po_number: '0045000123',
    supplier_id: '0000100042',
    order_date: '20261104',
    need_by: '20261130',
    total_amount: '12345,67',
    currency: 'EUR',
    description: 'Bearings 6204-2RS                       ',
    notes: 'LINE DOWN - expedite                                        ',
    buyer: 'JSMITH    ',
    status: 'OPEN',
    priority: '3',
    updated_at: '2026-12-01T10:00:00.000Z',
    lines: [
      {
        line_no: '00010',
        item_no: '000000000010002345',
        description: 'Bearing 6204     ',
        quantity: '10,000',
        uom: 'EA ',
        unit_price: 12.5,
        need_by: '20261130',
      },
    ],
  } as Record<string, unknown>,
});

describe('sandbox purchase order mapping', () => {
  it('reads the legacy quirks into the canonical shape', () => {
    const order = mapping.toCanonical(record());
    expect(order).toMatchObject({
      id: '45000123',
      supplierId: '100042',
      orderDate: '2026-11-04',
      needBy: '2026-11-30',
      totalAmount: 12345.67,
      description: 'Bearings 6204-2RS',
      notes: 'LINE DOWN - expedite',
      buyer: 'JSMITH',
      status: 'open',
      priority: 'normal',
      version: '"2026-12-01T10:00:00.000Z"',
    });
    expect(order.lines[0]).toEqual({
      lineNumber: 10,
      itemId: '10002345',
      description: 'Bearing 6204',
      quantity: 10,
      unitPrice: 12.5,
      uom: 'EA',
      needBy: '2026-11-30',
    });
  });

  it('writes back in the vendor format and keeps the key padding', () => {
    expect(mapping.toVendorKey('45000123')).toBe('0045000123');
    expect(mapping.toVendorFields({ priority: 'urgent' })).toEqual({ priority: '1' });
    expect(mapping.toVendorFields({ priority: null })).toEqual({ priority: '' });
    expect(() => mapping.toVendorFields({ totalAmount: 1 })).toThrow(/totalAmount is not writable/);
  });

  it('names the record and field it cannot read', () => {
    const bad = record();
    bad.data.need_by = '20261331';
    const error = thrownBy(() => mapping.toCanonical(bad), ErpError);
    expect(error).toBeInstanceOf(ErpError);
    expect(error).toMatchObject({ kind: 'validation', context: { key: '0045000123', field: 'need_by' } });
    expect(error.message).toMatch(/cannot read need_by/);

    const badLine = record();
    badLine.data.lines = [{ line_no: '00010', item_no: '1', quantity: 'lots', uom: 'EA', unit_price: 1 }];
    expect(thrownBy(() => mapping.toCanonical(badLine), ErpError)).toMatchObject({
      context: { field: 'lines[0].quantity' },
    });

    const badPriority = record();
    badPriority.data.priority = '9';
    expect(thrownBy(() => mapping.toCanonical(badPriority), ErpError).message).toMatch(/priority code 1-4/);
  });
});
