import type { PurchaseOrder } from './purchase-order.ts';

/**
 * For tests only (not exported from the folder): an open order of bearings from supplier 100042,
 * needed by 2026-11-10, priority normal, no lines; `overrides` change what a test is about.
 */
export function testOpenOrder(id: string, overrides: Partial<PurchaseOrder> = {}): PurchaseOrder {
  return {
    id,
    supplierId: '100042',
    orderDate: '2026-10-01',
    needBy: '2026-11-10',
    totalAmount: 1200,
    currency: 'EUR',
    description: 'bearings',
    notes: '',
    buyer: 'anna',
    status: 'open',
    priority: 'normal',
    lines: [],
    version: 'v1',
    updatedAt: null,
    ...overrides,
  };
}
