import { describe, expect, it } from 'vitest';
import type { VendorRecord } from '../../connectors/contract.ts';
import { ErpError } from '../../errors/index.ts';
import { thrownBy } from '../../errors/test-errors.ts';
import { odooPurchaseOrderMapping as mapping } from './purchase-order-mapping.ts';
import { odooSupplierMapping } from './supplier-mapping.ts';

/** An order as the rpc connector reads it over Odoo's XML-RPC: false for empty, [id, name] relations. */
function order(overrides: Record<string, unknown> = {}): VendorRecord {
  return {
    key: '12',
    version: '["2026-11-01 10:00:00"]',
    data: {
      id: 12,
      name: 'P00012',
      partner_id: [7, 'Acme Bearings'],
      partner_ref: false,
      date_order: '2026-10-20 09:00:00',
      date_planned: '2026-11-14 12:00:00',
      amount_total: 2516.37,
      currency_id: [1, 'EUR'],
      state: 'purchase',
      notes: '<p>LINE DOWN &amp; expedite</p>',
      user_id: [2, 'Mitchell Admin'],
      priority: '0',
      write_date: '2026-11-01 10:00:00',
      order_line: [
        {
          id: 30,
          order_id: [12, 'P00012'],
          display_type: 'line_section',
          name: 'Mechanical',
          product_id: false,
        },
        {
          id: 31,
          order_id: [12, 'P00012'],
          display_type: false,
          product_id: [6, '[BRG-6204] Bearing 6204'],
          name: 'Bearing 6204',
          product_qty: 9,
          price_unit: 179.93,
          product_uom: [1, 'Units'],
          date_planned: '2026-11-14 12:00:00',
        },
      ],
      ...overrides,
    },
  };
}

describe('odoo purchase order mapping', () => {
  it('reads an order: [id, name] relations, HTML notes, the priority star, order lines only', () => {
    expect(mapping.toCanonical(order({ priority: '1' }))).toEqual({
      id: '12',
      supplierId: '7',
      orderDate: '2026-10-20',
      needBy: '2026-11-14',
      totalAmount: 2516.37,
      currency: 'EUR',
      description: 'Bearing 6204',
      notes: 'LINE DOWN & expedite',
      buyer: 'Mitchell Admin',
      status: 'open',
      priority: 'urgent',
      lines: [
        {
          lineNumber: 1,
          itemId: '[BRG-6204] Bearing 6204',
          description: 'Bearing 6204',
          quantity: 9,
          unitPrice: 179.93,
          uom: 'Units',
          needBy: '2026-11-14',
        },
      ],
      version: '["2026-11-01 10:00:00"]',
      updatedAt: '2026-11-01T10:00:00',
    });
    expect(mapping.toCanonical(order({ priority: '0', state: 'done' }))).toMatchObject({
      priority: 'normal',
      status: 'closed',
    });
    expect(mapping.toCanonical(order({ state: 'cancel', notes: false }))).toMatchObject({
      status: 'cancelled',
      notes: '',
    });
  });

  it('refuses what it cannot read, naming the field', () => {
    expect(thrownBy(() => mapping.toCanonical(order({ partner_id: false })), ErpError).context.field).toBe(
      'partner_id',
    );
    expect(thrownBy(() => mapping.toCanonical(order({ priority: '3' })), ErpError).message).toBe(
      'cannot read priority: expected priority "0" (normal) or "1" (urgent), got "3"',
    );
  });

  it('writes urgent and normal as Odoo’s star, and refuses the labels Odoo has no place for', () => {
    expect(mapping.toVendorFields({ priority: 'urgent' })).toEqual({ priority: '1' });
    expect(mapping.toVendorFields({ priority: null })).toEqual({ priority: '0' });
    expect(() => mapping.toVendorFields({ priority: 'high' })).toThrow(
      'Odoo\'s purchase priority knows urgent and normal only; "high" cannot be written',
    );
  });
});

describe('odoo supplier mapping', () => {
  it('reads a vendor’s on-time rate, and leaves out one Odoo has no figures for', () => {
    const vendor = (rate: number): VendorRecord => ({
      key: '7',
      version: null,
      data: { id: 7, name: 'Acme Bearings', country_code: 'BE', on_time_rate: rate },
    });
    expect(odooSupplierMapping.toCanonical(vendor(92.5))).toEqual({
      id: '7',
      name: 'Acme Bearings',
      country: 'BE',
      leadTimeDays: 0,
      onTimeRate: 0.925,
    });
    expect(thrownBy(() => odooSupplierMapping.toCanonical(vendor(-1)), ErpError).message).toBe(
      'cannot read on_time_rate: Odoo has no on-time figures for this vendor yet',
    );
  });
});
