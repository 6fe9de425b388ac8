import { describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import { thrownBy } from '../../errors/test-errors.ts';
import { oracleEbsPurchaseOrderMapping as mapping, ONE_TIME_ITEM } from './purchase-order-mapping.ts';

/** A PO_HEADERS_ALL row as the SOAP client reads the adapter's answer: NULL columns left out. */
const record = () => ({
  key: '45000123',
  version: '1000123@2026-12-01T10:00:00.000Z',
  data: {
    poHeaderId: '1000123',
    agentId: '25001',
    typeLookupCode: 'STANDARD',
    lastUpdateDate: '2026-12-01T10:00:00.000Z',
    segment1: '45000123',
    creationDate: '2026-11-04T00:00:00.000Z',
    vendorId: '100042',
    currencyCode: 'EUR',
    authorizationStatus: 'APPROVED',
    noteToVendor: 'LINE DOWN - expedite',
    comments: 'Bearings 6204-2RS',
    cancelFlag: 'N',
    attribute1: '3',
    closedCode: 'OPEN',
    poLinesAllCollection: {
      PoLinesAll: [
        {
          lineNum: '2',
          itemId: '10002346',
          itemDescription: 'Seal kit',
          unitMeasLookupCode: 'Each',
          unitPrice: '0.1',
          quantity: '3',
          poLineLocationsAll: { needByDate: '2026-12-07T00:00:00.000Z' },
        },
        {
          lineNum: '1',
          itemId: '10002345',
          itemDescription: 'Bearing 6204',
          unitMeasLookupCode: 'Each',
          unitPrice: '60.16',
          quantity: '113.5',
          poLineLocationsAll: { needByDate: '2026-11-30T00:00:00.000Z' },
        },
      ],
    },
  } as Record<string, unknown>,
});

describe('oracle-ebs purchase order mapping', () => {
  it('reads PO_HEADERS_ALL with its lines and shipments into the canonical shape', () => {
    const order = mapping.toCanonical(record());
    expect(order).toEqual({
      id: '45000123',
      supplierId: '100042',
      orderDate: '2026-11-04',
      needBy: '2026-11-30',
      // 113.5 × 60.16 + 3 × 0.1, exactly: 6828.16 + 0.3 (floating point would give 6828.460000000001)
      totalAmount: 6828.46,
      currency: 'EUR',
      description: 'Bearings 6204-2RS',
      notes: 'LINE DOWN - expedite',
      buyer: '25001',
      status: 'open',
      priority: 'normal',
      lines: [
        {
          lineNumber: 1,
          itemId: '10002345',
          description: 'Bearing 6204',
          quantity: 113.5,
          unitPrice: 60.16,
          uom: 'Each',
          needBy: '2026-11-30',
        },
        {
          lineNumber: 2,
          itemId: '10002346',
          description: 'Seal kit',
          quantity: 3,
          unitPrice: 0.1,
          uom: 'Each',
          needBy: '2026-12-07',
        },
      ],
      version: '1000123@2026-12-01T10:00:00.000Z',
      updatedAt: '2026-12-01T10:00:00.000Z',
    });
  });

  it('takes the earliest shipment, the date as EBS wrote it, and NULL columns as empty', () => {
    const input = record();
    const lines = (input.data.poLinesAllCollection as { PoLinesAll: Record<string, unknown>[] }).PoLinesAll;
    const [first] = lines;
    if (first === undefined) throw new Error('no line');
    // A real adapter nests several shipments in a collection; the zone is the server's, not UTC.
    delete first.poLineLocationsAll;
    first.poLineLocationsAllCollection = {
      PoLineLocationsAll: [
        { needByDate: '2026-11-29T23:30:00-05:00' },
        { needByDate: '2026-11-20T08:00:00+02:00' },
      ],
    };
    first.itemId = undefined;
    delete input.data.noteToVendor;
    delete input.data.attribute1;
    const order = mapping.toCanonical(input);
    expect(order.needBy).toBe('2026-11-20');
    expect(order.lines[1]).toMatchObject({ lineNumber: 2, needBy: '2026-11-20', itemId: ONE_TIME_ITEM });
    expect(order).toMatchObject({ notes: '', priority: null });
  });

  it('reads the status from CLOSED_CODE, with CANCEL_FLAG over it', () => {
    const statusOf = (closedCode: string | undefined, cancelFlag = 'N') => {
      const input = record();
      input.data.closedCode = closedCode;
      input.data.cancelFlag = cancelFlag;
      return mapping.toCanonical(input).status;
    };
    expect(statusOf('OPEN')).toBe('open');
    expect(statusOf(undefined)).toBe('open');
    expect(statusOf('CLOSED FOR INVOICE')).toBe('open');
    expect(statusOf('CLOSED FOR RECEIVING')).toBe('closed');
    expect(statusOf('CLOSED')).toBe('closed');
    expect(statusOf('FINALLY CLOSED')).toBe('closed');
    expect(statusOf('CLOSED', 'Y')).toBe('cancelled');
    expect(thrownBy(() => statusOf('ON HOLD'), ErpError).message).toMatch(
      /cannot read closedCode: expected a CLOSED_CODE/,
    );
  });

  it('writes the priority to the DFF segment ATTRIBUTE1 and the notes to NOTE_TO_VENDOR', () => {
    expect(mapping.toVendorKey('45000123')).toBe('45000123');
    expect(mapping.toVendorFields({ priority: 'urgent' })).toEqual({ attribute1: '1' });
    expect(mapping.toVendorFields({ priority: 'low', notes: 'expedite' })).toEqual({
      attribute1: '4',
      noteToVendor: 'expedite',
    });
    expect(() => mapping.toVendorFields({ needBy: '2026-12-01' })).toThrow(
      /field needBy is not writable in the oracle-ebs profile/,
    );
  });

  it('names the record and the field it cannot read', () => {
    const badDate = record();
    badDate.data.creationDate = '2026-02-30T00:00:00Z';
    expect(thrownBy(() => mapping.toCanonical(badDate), ErpError)).toMatchObject({
      kind: 'validation',
      context: { entity: 'PO_HEADERS_ALL', key: '45000123', field: 'creationDate' },
    });

    const badLine = record();
    const lines = (badLine.data.poLinesAllCollection as { PoLinesAll: Record<string, unknown>[] }).PoLinesAll;
    if (lines[1] !== undefined) lines[1].quantity = '12,5';
    const error = thrownBy(() => mapping.toCanonical(badLine), ErpError);
    expect(error.context.field).toBe('lines[1].quantity');
    expect(error.message).toMatch(/expected an xs:decimal such as 12.5, got "12,5"/);

    const badPriority = record();
    badPriority.data.attribute1 = 'URGENT';
    expect(thrownBy(() => mapping.toCanonical(badPriority), ErpError).message).toMatch(
      /Priority code 1-4 in the DFF segment/,
    );

    const noShipment = record();
    for (const line of (noShipment.data.poLinesAllCollection as { PoLinesAll: Record<string, unknown>[] })
      .PoLinesAll)
      delete line.poLineLocationsAll;
    expect(thrownBy(() => mapping.toCanonical(noShipment), ErpError).message).toMatch(
      /cannot read poLinesAllCollection: no shipment \(PO_LINE_LOCATIONS_ALL\) has a NEED_BY_DATE/,
    );
  });
});
