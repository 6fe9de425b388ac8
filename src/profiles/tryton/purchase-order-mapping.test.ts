import { describe, expect, it } from 'vitest';
import type { VendorRecord } from '../../connectors/contract.ts';
import { RpcDate, RpcDateTime, RpcDecimal, RpcTimeDelta } from '../../connectors/rpc/index.ts';
import { ErpError } from '../../errors/index.ts';
import { thrownBy } from '../../errors/test-errors.ts';
import { trytonPurchaseOrderMapping as mapping } from './purchase-order-mapping.ts';
import { trytonSupplierMapping } from './supplier-mapping.ts';

/** A purchase as the rpc connector reads it from trytond 6.0 (JSON-RPC), lines embedded. */
function purchase(overrides: Record<string, unknown> = {}): VendorRecord {
  return {
    key: '500',
    version: '["1796415279","2026-12-04T20:14:39.244065"]',
    data: {
      id: 500,
      number: '481',
      reference: null,
      description: 'Pneumatic cylinder DSBC-50-100',
      comment: 'LINE DOWN - expedite',
      state: 'quotation',
      purchase_date: new RpcDate('2026-10-20'),
      delivery_date: new RpcDate('2026-11-14'),
      create_date: new RpcDateTime('2026-12-04T20:14:38.814309'),
      write_date: new RpcDateTime('2026-12-04T20:14:39.244065'),
      _timestamp: '1796415279',
      total_amount: new RpcDecimal('2516.37'),
      'party.': { code: 'SUP02', id: 3 },
      'currency.': { code: 'EUR', id: 1 },
      'create_uid.': { login: 'jsmith', id: 4 },
      lines: [
        {
          id: 831,
          purchase: 500,
          type: 'line',
          'product.': { code: '10000285', id: 6 },
          description: 'Pneumatic cylinder DSBC-50-100',
          quantity: 9,
          unit_price: new RpcDecimal('179.93'),
          'unit.': { symbol: 'u', id: 1 },
          delivery_date: null,
        },
        { id: 832, purchase: 500, type: 'comment', description: 'deliver to gate 3', 'product.': null },
        {
          id: 833,
          purchase: 500,
          type: 'line',
          'product.': null,
          description: 'Setup fee',
          quantity: 1,
          unit_price: null,
          'unit.': null,
          delivery_date: new RpcDate('2026-11-20'),
        },
      ],
      ...overrides,
    },
  };
}

describe('tryton purchase order mapping', () => {
  it('reads a purchase: related keys, Decimals, dates, the urgency in reference, line rows only', () => {
    expect(mapping.toCanonical(purchase({ reference: 'Urgent' }))).toEqual({
      id: '500',
      supplierId: 'SUP02',
      orderDate: '2026-10-20',
      needBy: '2026-11-14',
      totalAmount: 2516.37,
      currency: 'EUR',
      description: 'Pneumatic cylinder DSBC-50-100',
      notes: 'LINE DOWN - expedite',
      buyer: 'jsmith',
      status: 'open',
      priority: 'urgent',
      lines: [
        {
          lineNumber: 1,
          itemId: '10000285',
          description: 'Pneumatic cylinder DSBC-50-100',
          quantity: 9,
          unitPrice: 179.93,
          uom: 'u',
          needBy: null,
        },
        {
          lineNumber: 2,
          itemId: 'line 833',
          description: 'Setup fee',
          quantity: 1,
          unitPrice: 0,
          uom: '',
          needBy: '2026-11-20',
        },
      ],
      version: '["1796415279","2026-12-04T20:14:39.244065"]',
      updatedAt: '2026-12-04T20:14:39.244065',
    });
  });

  it('falls back to the lines’ delivery date and the creation day, and maps every state', () => {
    const draft = mapping.toCanonical(purchase({ delivery_date: null, purchase_date: null, state: 'draft' }));
    expect(draft).toMatchObject({ needBy: '2026-11-20', orderDate: '2026-12-04', status: 'open' });
    expect(mapping.toCanonical(purchase({ state: 'done' })).status).toBe('closed');
    expect(mapping.toCanonical(purchase({ state: 'cancelled' })).status).toBe('cancelled');
  });

  it('refuses what it cannot read, naming the record and the field', () => {
    const foreign = thrownBy(() => mapping.toCanonical(purchase({ reference: 'SUP-REF-4711' })), ErpError);
    expect(foreign).toMatchObject({
      kind: 'validation',
      context: { entity: 'purchase_orders', key: '500', field: 'reference' },
    });
    expect(foreign.message).toBe(
      'cannot read reference: "SUP-REF-4711" is not an urgency label (urgent, high, normal, low); erpbridge keeps urgency in this field and will not overwrite other text',
    );
    expect(thrownBy(() => mapping.toCanonical(purchase({ 'party.': null })), ErpError).context.field).toBe(
      'party.code',
    );
    expect(thrownBy(() => mapping.toCanonical(purchase({ state: 'archived' })), ErpError).message).toMatch(
      /expected a purchase state/,
    );
    const noDate = thrownBy(
      () => mapping.toCanonical(purchase({ delivery_date: null, lines: [] })),
      ErpError,
    );
    expect(noDate.message).toBe(
      'cannot read delivery_date: neither the purchase nor its lines have a delivery date',
    );
    expect(
      thrownBy(() => mapping.toCanonical(purchase({ total_amount: '12.50' })), ErpError).context.field,
    ).toBe('total_amount');
  });

  it('writes urgency into reference and notes into comment, nothing else', () => {
    expect(mapping.toVendorKey('500')).toBe('500');
    expect(mapping.toVendorFields({ priority: 'urgent' })).toEqual({ reference: 'urgent' });
    expect(mapping.toVendorFields({ priority: null, notes: 'checked' })).toEqual({
      reference: null,
      comment: 'checked',
    });
    expect(() => mapping.toVendorFields({ needBy: '2026-12-01' })).toThrow(
      'field needBy is not writable in the tryton profile',
    );
  });
});

describe('tryton supplier mapping', () => {
  const party = (overrides: Record<string, unknown> = {}): VendorRecord => ({
    key: '3',
    version: null,
    data: {
      id: 3,
      code: 'SUP02',
      name: 'Schneider Hydraulik AG',
      supplier_lead_time: new RpcTimeDelta(14 * 86_400),
      'addresses.': [
        { id: 2, 'country.': null },
        { id: 5, 'country.': { code: 'DE', id: 9 } },
      ],
      ...overrides,
    },
  });

  it('reads a party with a supplier lead time as a supplier', () => {
    expect(trytonSupplierMapping.toCanonical(party())).toEqual({
      id: 'SUP02',
      name: 'Schneider Hydraulik AG',
      country: 'DE',
      leadTimeDays: 14,
      onTimeRate: 1,
    });
  });

  it('leaves out a party without one (a customer, the company), saying why', () => {
    expect(
      thrownBy(() => trytonSupplierMapping.toCanonical(party({ supplier_lead_time: null })), ErpError)
        .message,
    ).toBe('cannot read supplier_lead_time: expected a duration, got null');
  });
});
