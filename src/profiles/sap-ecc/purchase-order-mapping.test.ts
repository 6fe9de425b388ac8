import { describe, expect, it } from 'vitest';
import type { VendorRecord } from '../../connectors/contract.ts';
import { ErpError } from '../../errors/index.ts';
import { thrownBy } from '../../errors/test-errors.ts';
import { purchaseOrderDetail, purchaseOrderRecord } from './purchase-order-detail.ts';
import { sapPurchaseOrderMapping as mapping } from './purchase-order-mapping.ts';

type Row = Record<string, string | null>;

/** The parts of a GETDETAIL1 answer the tests change. */
interface Answer {
  POHEADER: Row;
  POITEM: { item: Row[] };
  POSCHEDULE: { item: Row[] } | null;
  POTEXTHEADER: { item: Row } | null;
  RETURN: null;
}

/** A BAPI_PO_GETDETAIL1 answer as node-soap hands it over: empty elements null, tables `{ item }`. */
function answer(): Answer {
  return {
    POHEADER: {
      PO_NUMBER: '0045000123',
      COMP_CODE: '1000',
      DOC_TYPE: 'NB',
      DELETE_IND: null,
      CREAT_DATE: '2026-11-04',
      CREATED_BY: 'JSMITH',
      VENDOR: '0000100042',
      CURRENCY: 'EUR',
      CURRENCY_ISO: 'EUR',
      DOC_DATE: '2026-11-04',
      OUR_REF: '3',
    },
    POITEM: {
      item: [
        {
          PO_ITEM: '00010',
          DELETE_IND: null,
          SHORT_TEXT: 'Bearing 6204',
          MATERIAL: '000000000010002345',
          QUANTITY: '10.000',
          PO_UNIT: 'EA',
          NET_PRICE: '12.500000000',
          PRICE_UNIT: '1',
          NO_MORE_GR: null,
        },
        {
          PO_ITEM: '00020',
          DELETE_IND: null,
          SHORT_TEXT: 'Hydraulic oil HLP 46',
          MATERIAL: '000000000010001913',
          QUANTITY: '2303.500',
          PO_UNIT: 'KG',
          NET_PRICE: '0.760000000',
          PRICE_UNIT: '1',
          NO_MORE_GR: null,
        },
      ],
    },
    POSCHEDULE: {
      item: [
        { PO_ITEM: '00020', SCHED_LINE: '0001', DELIVERY_DATE: '14.12.2026', STAT_DATE: '2026-12-14' },
        { PO_ITEM: '00010', SCHED_LINE: '0001', DELIVERY_DATE: '30.11.2026', STAT_DATE: '2026-11-30' },
      ],
    },
    POTEXTHEADER: {
      item: {
        PO_NUMBER: '0045000123',
        PO_ITEM: '00000',
        TEXT_ID: 'F01',
        TEXT_FORM: '*',
        TEXT_LINE: 'LINE DOWN - expedite',
      },
    },
    RETURN: null,
  };
}

const recordOf = (result: Answer): VendorRecord =>
  purchaseOrderRecord('0045000123', purchaseOrderDetail(result));

describe('sap-ecc purchase order mapping', () => {
  it('reads GETDETAIL1 into the canonical shape the REST profile gives for the same order', () => {
    const record = recordOf(answer());
    expect(mapping.toCanonical(record)).toEqual({
      id: '45000123',
      supplierId: '100042',
      orderDate: '2026-11-04',
      needBy: '2026-11-30',
      totalAmount: 1875.66,
      currency: 'EUR',
      description: 'Bearing 6204',
      notes: 'LINE DOWN - expedite',
      buyer: 'JSMITH',
      status: 'open',
      priority: 'normal',
      lines: [
        {
          lineNumber: 10,
          itemId: '10002345',
          description: 'Bearing 6204',
          quantity: 10,
          unitPrice: 12.5,
          uom: 'EA',
          needBy: '2026-11-30',
        },
        {
          lineNumber: 20,
          itemId: '10001913',
          description: 'Hydraulic oil HLP 46',
          quantity: 2303.5,
          unitPrice: 0.76,
          uom: 'KG',
          needBy: '2026-12-14',
        },
      ],
      version: record.version,
      updatedAt: null,
    });
  });

  it('reads 10.000 as ten: RFC-SOAP decimals have a point, never a thousands separator', () => {
    const order = mapping.toCanonical(recordOf(answer()));
    expect(order.lines[0]?.quantity).toBe(10);
    expect(order.totalAmount).toBe(1875.66);
  });

  it('totals exactly in cents, honours PRICE_UNIT, and leaves deleted items out of an open order', () => {
    const result = answer();
    const items = result.POITEM.item;
    items[0] = { ...items[0], QUANTITY: '3.000', NET_PRICE: '0.100000000' };
    items[1] = { ...items[1], QUANTITY: '7.000', NET_PRICE: '125.000000000', PRICE_UNIT: '100' };
    const order = mapping.toCanonical(recordOf(result));
    expect(order.totalAmount).toBe(9.05);
    expect(order.lines[1]?.unitPrice).toBe(1.25);

    items[1] = { ...items[1], DELETE_IND: 'L' };
    expect(mapping.toCanonical(recordOf(result))).toMatchObject({ totalAmount: 0.3, status: 'open' });
  });

  it('tells closed and cancelled orders by their items', () => {
    const closed = answer();
    for (const item of closed.POITEM.item) item.NO_MORE_GR = 'X';
    expect(mapping.toCanonical(recordOf(closed)).status).toBe('closed');

    const cancelled = answer();
    for (const item of cancelled.POITEM.item) item.DELETE_IND = 'L';
    expect(mapping.toCanonical(recordOf(cancelled))).toMatchObject({
      status: 'cancelled',
      totalAmount: 1875.66,
    });
  });

  it('reads a blank OUR_REF as no priority and no header text as an empty note', () => {
    const result = answer();
    result.POHEADER.OUR_REF = null;
    result.POTEXTHEADER = null;
    expect(mapping.toCanonical(recordOf(result))).toMatchObject({ priority: null, notes: '' });
  });

  it('names the record and the SAP field it cannot read', () => {
    const badPriority = answer();
    badPriority.POHEADER.OUR_REF = 'A1';
    expect(thrownBy(() => mapping.toCanonical(recordOf(badPriority)), ErpError)).toMatchObject({
      kind: 'validation',
      message: 'cannot read POHEADER-OUR_REF: expected a priority code 1-4 or blank in OUR_REF, got "A1"',
      context: { entity: 'PurchaseOrder', key: '0045000123', field: 'POHEADER-OUR_REF' },
    });

    const badQuantity = answer();
    badQuantity.POITEM.item[1] = { ...badQuantity.POITEM.item[1], QUANTITY: '2.303,500' };
    expect(thrownBy(() => mapping.toCanonical(recordOf(badQuantity)), ErpError)).toMatchObject({
      context: { field: 'POITEM[1]-QUANTITY' },
    });

    const noSchedule = answer();
    noSchedule.POSCHEDULE = null;
    expect(thrownBy(() => mapping.toCanonical(recordOf(noSchedule)), ErpError).message).toBe(
      'cannot read POSCHEDULE-STAT_DATE: no schedule line has a delivery date (STAT_DATE)',
    );
  });

  it('writes the priority to OUR_REF and the note to header text, nothing else', () => {
    expect(mapping.toVendorKey('45000123')).toBe('0045000123');
    expect(mapping.toVendorFields({ priority: 'urgent' })).toEqual({ OUR_REF: '1' });
    expect(mapping.toVendorFields({ priority: 'low', notes: 'call first' })).toEqual({
      OUR_REF: '4',
      HEADER_TEXT: 'call first',
    });
    expect(() => mapping.toVendorFields({ needBy: '2026-12-01' })).toThrow(
      /field needBy is not writable in the sap-ecc profile/,
    );
  });
});
