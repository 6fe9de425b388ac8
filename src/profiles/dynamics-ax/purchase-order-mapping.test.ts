import { describe, expect, it } from 'vitest';
import type { VendorRecord } from '../../connectors/contract.ts';
import { ErpError } from '../../errors/index.ts';
import { thrownBy } from '../../errors/test-errors.ts';
import { dynamicsAxPurchaseOrderMapping as mapping } from './purchase-order-mapping.ts';

/** A PurchTable as node-soap reads it from an AIF `read` answer (decimals as text, RecVersion a number). */
const record = (): VendorRecord & { data: Record<string, unknown> } => ({
  key: '0045000123',
  version: '1342757689',
  data: {
    attributes: { class: 'entity' },
    _DocumentHash: '0ba29fa4d44379543e3aa622efbbf29a',
    AccountingDate: '2026-11-04',
    CurrencyCode: 'EUR',
    DeliveryDate: '2026-11-30',
    DocumentState: 'Confirmed',
    InvoiceAccount: '0000100042',
    OrderAccount: '0000100042',
    PurchId: '0045000123',
    PurchName: 'Becker Cables B.V.',
    PurchPoolId: 'NORMAL',
    PurchStatus: 'Backorder',
    RecId: '5637144699',
    RecVersion: 1342757689,
    WorkerPurchPlacer: 'JSMITH',
    DocuRefHeader: [
      {
        attributes: { class: 'entity' },
        Name: 'Note',
        Notes: 'LINE DOWN - expedite',
        Restriction: 'Internal',
        TypeId: 'Note',
      },
    ],
    PurchLine: [
      {
        attributes: { class: 'entity' },
        DeliveryDate: '2026-12-07',
        ItemId: '10002346',
        LineAmount: '0.2',
        LineNumber: '2',
        Name: 'Seal kit',
        PurchPrice: '0.2',
        PurchQty: '1',
        PurchUnit: 'pcs',
        RecVersion: 255863309,
      },
      {
        attributes: { class: 'entity' },
        DeliveryDate: '1900-01-01',
        ItemId: '10002345',
        LineAmount: '12345.47',
        LineNumber: '1',
        Name: 'Bearing 6204',
        PurchPrice: '1234.547',
        PurchQty: '10',
        PurchUnit: 'ea',
        RecVersion: 255863310,
      },
    ],
  },
});

describe('dynamics-ax purchase order mapping', () => {
  it('reads an AIF PurchTable into the canonical shape', () => {
    expect(mapping.toCanonical(record())).toEqual({
      id: '45000123',
      supplierId: '100042',
      orderDate: '2026-11-04',
      needBy: '2026-11-30',
      totalAmount: 12345.67,
      currency: 'EUR',
      description: 'Bearing 6204',
      notes: 'LINE DOWN - expedite',
      buyer: 'JSMITH',
      status: 'open',
      priority: 'normal',
      version: '1342757689',
      updatedAt: null,
      lines: [
        // Lines in LineNumber order, numbered 10, 20 like the REST sandbox's; 1900-01-01 is AX's empty date.
        {
          lineNumber: 10,
          itemId: '10002345',
          description: 'Bearing 6204',
          quantity: 10,
          unitPrice: 1234.547,
          uom: 'EA',
          needBy: null,
        },
        {
          lineNumber: 20,
          itemId: '10002346',
          description: 'Seal kit',
          quantity: 1,
          unitPrice: 0.2,
          uom: 'PC',
          needBy: '2026-12-07',
        },
      ],
    });
  });

  it('maps pools to priorities, statuses, a missing note and a single line as AX sends them', () => {
    const cases: Array<[string, string, unknown]> = [
      ['URGENT', 'Invoiced', 'urgent'],
      ['high', 'Received', 'high'],
      ['LOW', 'Canceled', 'low'],
      ['', 'None', null],
    ];
    for (const [pool, status, priority] of cases) {
      const input = record();
      input.data.PurchPoolId = pool;
      input.data.PurchStatus = status;
      const order = mapping.toCanonical(input);
      expect(order.priority).toBe(priority);
      expect(order.status).toBe(
        { Invoiced: 'closed', Received: 'closed', Canceled: 'cancelled', None: 'open' }[status],
      );
    }
    const bare = record();
    bare.data.DocuRefHeader = undefined;
    bare.data.WorkerPurchPlacer = { attributes: { 'i:nil': 'true' } };
    bare.data.PurchLine = (bare.data.PurchLine as unknown[])[0];
    expect(mapping.toCanonical(bare)).toMatchObject({
      notes: '',
      buyer: '',
      totalAmount: 0.2,
      description: 'Seal kit',
    });
  });

  it('adds line amounts in cents, so the total is the ERP’s to the cent', () => {
    const input = record();
    input.data.PurchLine = Array.from({ length: 3 }, (_, index) => ({
      LineNumber: String(index + 1),
      ItemId: '1',
      LineAmount: index === 0 ? '0.1' : '0.2',
      PurchPrice: '0.1',
      PurchQty: '1',
    }));
    expect(mapping.toCanonical(input).totalAmount).toBe(0.5);
  });

  it('names the record and field it cannot read', () => {
    const badDate = record();
    badDate.data.DeliveryDate = '2026-02-30';
    expect(thrownBy(() => mapping.toCanonical(badDate), ErpError)).toMatchObject({
      kind: 'validation',
      context: { entity: 'PurchTable', key: '0045000123', field: 'DeliveryDate' },
    });
    const badLine = record();
    (badLine.data.PurchLine as Record<string, unknown>[])[1] = {
      LineNumber: '1',
      ItemId: '7',
      PurchQty: 'lots',
    };
    const error = thrownBy(() => mapping.toCanonical(badLine), ErpError);
    expect(error.context.field).toBe('lines[1].PurchQty');
    expect(error.message).toMatch(/cannot read lines\[1\]\.PurchQty: expected a decimal number/);
    const otherPool = record();
    otherPool.data.PurchPoolId = 'PROJ';
    expect(thrownBy(() => mapping.toCanonical(otherPool), ErpError).message).toBe(
      'cannot read PurchPoolId: purchase order pool "PROJ" is none of the urgency pools URGENT, HIGH, NORMAL, LOW',
    );
    const otherStatus = record();
    otherStatus.data.PurchStatus = 'Approved';
    expect(thrownBy(() => mapping.toCanonical(otherStatus), ErpError).context.field).toBe('PurchStatus');
  });

  it('writes the pool and the header note, pads the key, and refuses other fields', () => {
    expect(mapping.toVendorKey('45000123')).toBe('0045000123');
    expect(mapping.toVendorFields({ priority: 'urgent' })).toEqual({ PurchPoolId: 'URGENT' });
    expect(mapping.toVendorFields({ priority: null, notes: 'call back' })).toEqual({
      PurchPoolId: '',
      'DocuRefHeader.Notes': 'call back',
    });
    expect(thrownBy(() => mapping.toVendorFields({ needBy: '2026-12-01' }), ErpError).message).toBe(
      'field needBy is not writable in the dynamics-ax profile',
    );
  });
});
