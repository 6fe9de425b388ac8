import { describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import { itemSelection, listedStatus } from './item-selection.ts';
import { changeArguments } from './purchase-order-change.ts';
import { detailVersion, purchaseOrderDetail } from './purchase-order-detail.ts';
import { rfcTable } from './rfc-values.ts';
import { parseSapDate, sapDecimalUnits } from './sap-formats.ts';
import { sapSupplierMapping } from './supplier-mapping.ts';
import { vendorRows, vendorTableArguments } from './vendor-table.ts';

const where = { connector: 'sap', entity: 'PurchaseOrder' };

describe('sap-ecc binding parts', () => {
  it('reads tables in every shape node-soap produces', () => {
    expect(rfcTable(null)).toEqual([]);
    expect(rfcTable('')).toEqual([]);
    expect(rfcTable({ item: { A: '1', B: null, N: 0 } })).toEqual([{ A: '1', B: '', N: '0' }]);
    expect(rfcTable({ item: [{ A: '1' }, { A: '2' }] })).toEqual([{ A: '1' }, { A: '2' }]);
  });

  it('reads SAP dates and packed numbers exactly', () => {
    expect(parseSapDate('2026-02-28')).toBe('2026-02-28');
    expect(() => parseSapDate('0000-00-00')).toThrow(/initial date/);
    expect(() => parseSapDate('2026-02-30')).toThrow(/not a calendar date/);
    expect(sapDecimalUnits('12.340000000', 9)).toBe(12_340_000_000n);
    expect(sapDecimalUnits('10.000', 3)).toBe(10_000n);
    expect(() => sapDecimalUnits('1.2345', 3)).toThrow(/at most 3 decimals/);
    expect(() => sapDecimalUnits('12,5', 3)).toThrow(/with a point/);
  });

  it('versions an order by its content: the same read gives the same version, any change another', () => {
    const result = { POHEADER: { PO_NUMBER: '0045000123', OUR_REF: '3' }, POITEM: null, RETURN: null };
    const version = detailVersion(purchaseOrderDetail(result));
    expect(detailVersion(purchaseOrderDetail(structuredClone(result)))).toBe(version);
    expect(version).toMatch(/^[0-9a-f]{32}$/);
    const changed = { ...result, POHEADER: { ...result.POHEADER, OUR_REF: '1' } };
    expect(detailVersion(purchaseOrderDetail(changed))).not.toBe(version);
    const noted = { ...result, POTEXTHEADER: { item: { TEXT_ID: 'F01', TEXT_LINE: 'rush' } } };
    expect(detailVersion(purchaseOrderDetail(noted))).not.toBe(version);
  });

  it('turns the workflow filter into a GETITEMS selection and a check per listed order', () => {
    const open = itemSelection({ status: 'OPEN' }, where);
    expect(open.parameters).toEqual({ ITEMS_OPEN_FOR_RECEIPT: 'X' });
    const closed = itemSelection({ status: 'closed', VENDOR: '0000100042' }, where);
    expect(closed.parameters).toEqual({ VENDOR: '0000100042' });
    const delivered = [{ DEL_COMPL: 'X', DELETE_IND: '' }];
    expect(closed.keeps({ DELETE_IND: '' }, delivered)).toBe(true);
    expect(closed.keeps({ DELETE_IND: '' }, [{ DEL_COMPL: '', DELETE_IND: '' }])).toBe(false);
    expect(listedStatus({ DELETE_IND: '' }, [{ DELETE_IND: 'L' }])).toBe('cancelled');
    expect(itemSelection({ status: 'cancelled' }, where).parameters).toEqual({ DELETED_ITEMS: 'X' });
    expect(itemSelection(undefined, where).keeps({}, [])).toBe(true);

    expect(() => itemSelection({ status: 'parked' }, where)).toThrow(
      /filter status "parked" is not one of open, closed, cancelled/,
    );
    const unknown = (() => {
      try {
        itemSelection({ plant: '1000' }, where);
      } catch (error) {
        return error;
      }
    })();
    expect(unknown).toBeInstanceOf(ErpError);
    expect(unknown).toMatchObject({ kind: 'validation', context: { field: 'plant' } });
  });

  it('builds BAPI_PO_CHANGE with the change bar, and refuses other fields before sending', () => {
    expect(changeArguments('0045000123', { OUR_REF: '1' }, where)).toEqual({
      PURCHASEORDER: '0045000123',
      POHEADER: { OUR_REF: '1' },
      POHEADERX: { OUR_REF: 'X' },
    });
    expect(changeArguments('0045000123', { HEADER_TEXT: 'rush' }, where)).toEqual({
      PURCHASEORDER: '0045000123',
      POTEXTHEADER: {
        item: [
          { PO_NUMBER: '0045000123', PO_ITEM: '00000', TEXT_ID: 'F01', TEXT_FORM: '*', TEXT_LINE: 'rush' },
        ],
      },
    });
    expect(() => changeArguments('0045000123', { DELIV_DATE: '2026-12-01' }, where)).toThrow(
      'the sap-ecc binding does not write DELIV_DATE; it writes OUR_REF and HEADER_TEXT',
    );
  });

  it('cuts RFC_READ_TABLE rows at the offsets FIELDS gives, and maps a vendor', () => {
    expect(vendorTableArguments('ZERPBR_VENDOR', { vendor: "0000100042'" })).toMatchObject({
      OPTIONS: { item: [{ TEXT: "LIFNR = '0000100042'''" }] },
    });
    const fields = [
      { FIELDNAME: 'LIFNR', OFFSET: '000000', LENGTH: '000010' },
      { FIELDNAME: 'NAME1', OFFSET: '000010', LENGTH: '000035' },
      { FIELDNAME: 'LAND1', OFFSET: '000045', LENGTH: '000003' },
      { FIELDNAME: 'PLIFZ', OFFSET: '000048', LENGTH: '000003' },
      { FIELDNAME: 'OTDPCT', OFFSET: '000051', LENGTH: '000005' },
    ];
    const wa = `0000100042${'Rheintal Elektro GmbH'.padEnd(35)}DE  14 87,5`;
    const [row] = vendorRows(fields, [{ WA: wa }], { connector: 'sap', table: 'ZERPBR_VENDOR' });
    expect(row).toEqual({
      LIFNR: '0000100042',
      NAME1: 'Rheintal Elektro GmbH',
      LAND1: 'DE',
      PLIFZ: '14',
      OTDPCT: '87,5',
    });
    expect(sapSupplierMapping.toCanonical({ key: '0000100042', version: null, data: { ...row } })).toEqual({
      id: '100042',
      name: 'Rheintal Elektro GmbH',
      country: 'DE',
      leadTimeDays: 14,
      onTimeRate: 0.875,
    });
    expect(() =>
      vendorRows(fields.slice(0, 4), [{ WA: wa }], { connector: 'sap', table: 'ZERPBR_VENDOR' }),
    ).toThrow('RFC_READ_TABLE on ZERPBR_VENDOR returned no field OTDPCT');
    expect(() =>
      sapSupplierMapping.toCanonical({ key: 'x', version: null, data: { ...row, PLIFZ: 'two weeks' } }),
    ).toThrow(/cannot read PLIFZ: expected a number/);
  });
});
