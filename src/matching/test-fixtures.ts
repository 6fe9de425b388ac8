import type { GoodsReceipt } from '../canonical/goods-receipt.ts';
import type { Invoice } from '../canonical/invoice.ts';
import type { PurchaseOrder } from '../canonical/purchase-order.ts';

/** An order of 100 bearings at 4.56 and 20 seals at 12.50. */
export function order(overrides: Partial<PurchaseOrder> = {}): PurchaseOrder {
  return {
    id: '45000100',
    supplierId: '100042',
    orderDate: '2026-08-01',
    needBy: '2026-08-20',
    totalAmount: 706,
    currency: 'EUR',
    description: 'Bearings',
    notes: '',
    buyer: 'JSMITH',
    status: 'closed',
    priority: 'normal',
    lines: [
      {
        lineNumber: 10,
        itemId: '10000100',
        description: 'Bearings',
        quantity: 100,
        unitPrice: 4.56,
        uom: 'PC',
        needBy: null,
      },
      {
        lineNumber: 20,
        itemId: '10000137',
        description: 'Seal kit',
        quantity: 20,
        unitPrice: 12.5,
        uom: 'EA',
        needBy: null,
      },
    ],
    version: null,
    updatedAt: null,
    ...overrides,
  };
}

/** Everything of the order received on one day. */
export function receipt(overrides: Partial<GoodsReceipt> = {}): GoodsReceipt {
  return {
    id: '5000000001',
    purchaseOrderId: '45000100',
    receiptDate: '2026-08-19',
    lines: [
      { lineNumber: 1, purchaseOrderLine: 10, itemId: '10000100', quantity: 100, uom: 'PC' },
      { lineNumber: 2, purchaseOrderLine: 20, itemId: '10000137', quantity: 20, uom: 'EA' },
    ],
    version: null,
    ...overrides,
  };
}

/** The invoice for all of it at the order prices, 19 % VAT. */
export function invoice(overrides: Partial<Invoice> = {}): Invoice {
  return {
    id: '5105600001',
    invoiceNumber: 'INV-004711',
    supplierId: '100042',
    invoiceDate: '2026-08-21',
    purchaseOrderId: '45000100',
    currency: 'EUR',
    netAmount: 706,
    taxRate: 19,
    taxAmount: 134.14,
    grossAmount: 840.14,
    lines: [
      {
        lineNumber: 10,
        purchaseOrderLine: 10,
        itemId: '10000100',
        description: 'Bearings',
        quantity: 100,
        uom: 'PC',
        unitPrice: 4.56,
        amount: 456,
      },
      {
        lineNumber: 20,
        purchaseOrderLine: 20,
        itemId: '10000137',
        description: 'Seal kit',
        quantity: 20,
        uom: 'EA',
        unitPrice: 12.5,
        amount: 250,
      },
    ],
    matchStatus: null,
    exceptionReason: null,
    version: '"2026-08-22T10:00:00.000Z"',
    updatedAt: '2026-08-22T10:00:00.000Z',
    ...overrides,
  };
}

/** The invoice with line `index` billed at another unit price (amounts left as they were). */
export function withPrice(base: Invoice, index: number, unitPrice: number): Invoice {
  return { ...base, lines: base.lines.map((line, at) => (at === index ? { ...line, unitPrice } : line)) };
}
