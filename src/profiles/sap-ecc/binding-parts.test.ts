import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import { thrownBy } from '../../errors/test-errors.ts';
import { headerTextArguments, headerTextsByOrder } from './header-texts.ts';
import { itemSelection, listedStatus } from './item-selection.ts';
import { changeArguments } from './purchase-order-change.ts';
import {
  detailVersion,
  fromListedParts,
  numericValue,
  type PurchaseOrderDetail,
  purchaseOrderDetail,
} from './purchase-order-detail.ts';
import { listedCursor } from './purchase-order-pages.ts';
import { rfcTable } from './rfc-values.ts';
import { parseSapDate, sapDecimalUnits } from './sap-formats.ts';
import { scheduleLineArguments, scheduleLinesByOrder } from './schedule-lines.ts';
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

  it('reads numbers by value exactly as the pattern it replaced did', () => {
    const byPattern = (value: string): string => {
      if (value !== '' && value[0] !== '0' && value[0] !== '-' && !value.includes('.')) return value;
      const match = /^(-?)0*(\d*?)(\d)(?:\.(\d*?)0*)?$/.exec(value);
      if (match === null) return value;
      const [, sign, head = '', last = '', fraction = ''] = match;
      return `${sign}${head}${last}${fraction === '' ? '' : `.${fraction}`}`;
    };
    const alphabet = ['0', '1', '9', '.', '-', 'a', ' '];
    const check = (value: string, depth: number): void => {
      expect(numericValue(value), JSON.stringify(value)).toBe(byPattern(value));
      if (depth > 0) for (const next of alphabet) check(value + next, depth - 1);
    };
    check('', 5);
    expect(numericValue('00010')).toBe('10');
    expect(numericValue('3092.560000000')).toBe('3092.56');
    expect(numericValue('-0.500')).toBe('-0.5');
  });

  it('keeps the versions it gave before it was made faster: plans made earlier still apply', () => {
    // The digest as it was computed before (one hash update per part).
    const before = (detail: PurchaseOrderDetail): string => {
      const numeric = new Set(['PO_ITEM', 'SCHED_LINE', 'QUANTITY', 'NET_PRICE', 'PRICE_UNIT']);
      const value = (raw: string) => {
        if (raw !== '' && raw[0] !== '0' && raw[0] !== '-' && !raw.includes('.')) return raw;
        const match = /^(-?)0*(\d*?)(\d)(?:\.(\d*?)0*)?$/.exec(raw);
        if (match === null) return raw;
        const [, sign, head = '', last = '', fraction = ''] = match;
        return `${sign}${head}${last}${fraction === '' ? '' : `.${fraction}`}`;
      };
      const canonical = (row: Readonly<Record<string, string>>, fields: readonly string[]) =>
        fields
          .map(
            (field) =>
              `${numeric.has(field) ? value((row[field] ?? '').trim()) : (row[field] ?? '').trim()}\u0001`,
          )
          .join('');
      const sorted = (rows: readonly Readonly<Record<string, string>>[], fields: readonly string[]) =>
        rows
          .map((row) => canonical(row, fields))
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
          .join('\u0002');
      const note = detail.POTEXTHEADER.filter(
        (row) => (row.TEXT_ID ?? '').trim() === 'F01' && /^0*$/.test((row.PO_ITEM ?? '').trim()),
      )
        .map((row) => (row.TEXT_LINE ?? '').trim())
        .join(' ')
        .trim();
      return createHash('sha256')
        .update(
          canonical(detail.POHEADER, [
            'PO_NUMBER',
            'VENDOR',
            'DOC_DATE',
            'CURRENCY',
            'CURRENCY_ISO',
            'CREATED_BY',
            'DELETE_IND',
            'OUR_REF',
          ]),
        )
        .update('\u0003')
        .update(
          sorted(detail.POITEM, [
            'PO_ITEM',
            'DELETE_IND',
            'SHORT_TEXT',
            'MATERIAL',
            'QUANTITY',
            'PO_UNIT',
            'NET_PRICE',
            'PRICE_UNIT',
            'NO_MORE_GR',
          ]),
        )
        .update('\u0003')
        .update(sorted(detail.POSCHEDULE, ['PO_ITEM', 'SCHED_LINE', 'STAT_DATE']))
        .update('\u0003')
        .update(note)
        .digest('hex')
        .slice(0, 32);
    };
    const item = (number: string, quantity: string) => ({
      PO_ITEM: number,
      SHORT_TEXT: 'Hex bolt M8 × 40 – zinc',
      MATERIAL: '000000000010000507',
      QUANTITY: quantity,
      PO_UNIT: 'ST',
      NET_PRICE: '1475.920000000',
      PRICE_UNIT: '1',
    });
    const details = [
      purchaseOrderDetail({ POHEADER: { PO_NUMBER: '0045000123', OUR_REF: '3' } }),
      purchaseOrderDetail({
        POHEADER: { PO_NUMBER: '0045000124', VENDOR: '0000100042', DOC_DATE: '2026-09-03', CURRENCY: 'EUR' },
        POITEM: { item: [item('00020', '8974.500'), item('00010', '2.000')] },
        POSCHEDULE: {
          item: [
            { PO_ITEM: '00020', SCHED_LINE: '0001', STAT_DATE: '2027-02-17' },
            { PO_ITEM: '00010', SCHED_LINE: '0001', STAT_DATE: '2027-01-31' },
          ],
        },
        POTEXTHEADER: {
          item: [
            { PO_ITEM: '00000', TEXT_ID: 'F01', TEXT_LINE: 'partial delivery ok' },
            { PO_ITEM: '00000', TEXT_ID: 'F01', TEXT_LINE: ' & call first ' },
          ],
        },
      }),
    ];
    for (const detail of details) expect(detailVersion(detail)).toBe(before(detail));
  });

  it('turns the workflow filter into a GETITEMS selection and a check per listed order', () => {
    const open = itemSelection({ status: 'OPEN' }, where);
    expect(open.parameters).toEqual({ ITEMS_OPEN_FOR_RECEIPT: 'X' });
    const closed = itemSelection({ status: 'closed', VENDOR: '0000100042' }, where);
    expect(closed.parameters).toEqual({ ITEMS_DELIVERY_COMPLETED: 'X', VENDOR: '0000100042' });
    const delivered = [{ DEL_COMPL: 'X', DELETE_IND: '' }];
    expect(closed.keeps({ DELETE_IND: '' }, delivered)).toBe(true);
    expect(closed.keeps({ DELETE_IND: '' }, [{ DEL_COMPL: '', DELETE_IND: '' }])).toBe(false);
    expect(listedStatus({ DELETE_IND: '' }, [{ DELETE_IND: 'L' }])).toBe('cancelled');
    expect(itemSelection({ status: 'cancelled' }, where).parameters).toEqual({ DELETED_ITEMS: 'X' });
    expect(itemSelection(undefined, where).keeps({}, [])).toBe(true);

    expect(() => itemSelection({ status: 'parked' }, where)).toThrow(
      /filter status "parked" is not one of open, closed, cancelled/,
    );
    const unknown = thrownBy(() => itemSelection({ plant: '1000' }, where), ErpError);
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

  it('reads a page in bulk into the same detail, and the same version, as GETDETAIL1', () => {
    const detail = {
      POHEADER: {
        PO_NUMBER: '0045000123',
        VENDOR: '0000100042',
        DOC_DATE: '2026-11-04',
        CURRENCY: 'EUR',
        CURRENCY_ISO: 'EUR',
        CREATED_BY: 'JSMITH',
        DELETE_IND: null,
        OUR_REF: '3',
        COMP_CODE: '1000',
      },
      POITEM: {
        item: [
          {
            PO_ITEM: '00010',
            SHORT_TEXT: 'Bearing',
            MATERIAL: '000000000010002345',
            QUANTITY: '10.000',
            PO_UNIT: 'EA',
            NET_PRICE: '12.500000000',
            PRICE_UNIT: '1',
            NO_MORE_GR: null,
            DELETE_IND: null,
          },
        ],
      },
      POSCHEDULE: {
        item: [
          { PO_ITEM: '00010', SCHED_LINE: '0001', STAT_DATE: '2026-11-30', DELIVERY_DATE: '30.11.2026' },
        ],
      },
      POTEXTHEADER: {
        item: {
          PO_NUMBER: '0045000123',
          PO_ITEM: '00000',
          TEXT_ID: 'F01',
          TEXT_FORM: '*',
          TEXT_LINE: 'rush',
        },
      },
    };
    const fields = [
      { FIELDNAME: 'EBELN', OFFSET: '000000', LENGTH: '000010' },
      { FIELDNAME: 'EBELP', OFFSET: '000010', LENGTH: '000005' },
      { FIELDNAME: 'ETENR', OFFSET: '000015', LENGTH: '000004' },
      { FIELDNAME: 'SLFDT', OFFSET: '000019', LENGTH: '000008' },
    ];
    const schedules = scheduleLinesByOrder(
      fields,
      [{ WA: '004500012300010000120261130' }, { WA: '0045000124000100001' }],
      where,
    );
    expect(schedules.get('0045000123')).toEqual([
      { PO_ITEM: '00010', SCHED_LINE: '0001', STAT_DATE: '2026-11-30' },
    ]);
    expect(schedules.get('0045000124')?.[0]?.STAT_DATE).toBe('0000-00-00');
    const texts = headerTextsByOrder([
      {
        TDOBJECT: 'EKKO',
        TDNAME: '0045000123',
        TDID: 'F01',
        TDSPRAS: 'E',
        COUNTER: '001',
        TDFORMAT: '*',
        TDLINE: 'rush',
      },
      { TDOBJECT: 'EKPO', TDNAME: '004500012300010', TDID: 'F01', TDLINE: 'an item text' },
    ]);
    const listed = fromListedParts({
      header: {
        PO_NUMBER: '0045000123',
        VENDOR: '0000100042',
        DOC_DATE: '2026-11-04',
        CURRENCY: 'EUR',
        CURRENCY_ISO: 'EUR',
        CREATED_BY: 'JSMITH',
        DELETE_IND: null,
        OUR_REF: '3',
        VEND_NAME: 'ACME',
      },
      items: [
        {
          PO_NUMBER: '0045000123',
          PO_ITEM: '00010',
          SHORT_TEXT: 'Bearing',
          MATERIAL: '000000000010002345',
          QUANTITY: '10.000',
          UNIT: 'EA',
          NET_PRICE: '12.5000',
          PRICE_UNIT: '1',
          DEL_COMPL: null,
          DELETE_IND: null,
          NET_VALUE: '125.0000',
        },
      ],
      schedules: schedules.get('0045000123') ?? [],
      texts: texts.get('0045000123') ?? [],
    });
    const detailed = purchaseOrderDetail(detail);
    expect(listed.POITEM).toEqual([{ ...detailed.POITEM[0], NET_PRICE: '12.5000' }]);
    expect(detailVersion(listed)).toBe(detailVersion(detailed));
    // A missing note and an empty one are the same; another note is another version.
    const silent = { ...detail, POTEXTHEADER: null };
    expect(detailVersion(fromListedParts({ ...listedParts(listed), texts: [] }))).toBe(
      detailVersion(purchaseOrderDetail(silent)),
    );
    expect(
      detailVersion({
        ...listed,
        POTEXTHEADER: [{ PO_ITEM: '00000', TEXT_ID: 'F01', TEXT_LINE: 'line down' }],
      }),
    ).not.toBe(detailVersion(listed));
  });

  it('asks EKET for a PO number range and RFC_READ_TEXT for each note, and scans a listing for its cursor', () => {
    expect(scheduleLineArguments('0045000001', '0045000500')).toEqual({
      QUERY_TABLE: 'EKET',
      OPTIONS: { item: [{ TEXT: "EBELN GE '0045000001'" }, { TEXT: " AND EBELN LE '0045000500'" }] },
      FIELDS: {
        item: [
          { FIELDNAME: 'EBELN' },
          { FIELDNAME: 'EBELP' },
          { FIELDNAME: 'ETENR' },
          { FIELDNAME: 'SLFDT' },
        ],
      },
    });
    expect(headerTextArguments([{ poNumber: '0045000001', language: '' }])).toEqual({
      TEXT_LINES: {
        $xml: '<item><TDOBJECT>EKKO</TDOBJECT><TDNAME>0045000001</TDNAME><TDID>F01</TDID><TDSPRAS>E</TDSPRAS></item>',
      },
    });
    const listing = (numbers: string[]) =>
      `<n0:BAPI_PO_GETITEMSResponse><PO_HEADERS>${numbers.map((number) => `<item><PO_NUMBER>${number}</PO_NUMBER><VENDOR>1</VENDOR></item>`).join('')}</PO_HEADERS><PO_ITEMS/></n0:BAPI_PO_GETITEMSResponse>`;
    expect(listedCursor(listing(['0045000007', '0045000009']), 2)).toBe('0045000010');
    expect(listedCursor(listing(['0045000007']), 2)).toBeNull();
    expect(listedCursor('<PO_HEADERS/>', 2)).toBeNull();
    expect(listedCursor('<soap:Fault/>', 2)).toBeUndefined();
  });
});

function listedParts(detail: ReturnType<typeof fromListedParts>) {
  return {
    header: detail.POHEADER,
    items: detail.POITEM.map((item) => ({
      ...item,
      UNIT: item.PO_UNIT ?? '',
      DEL_COMPL: item.NO_MORE_GR ?? '',
    })),
    schedules: detail.POSCHEDULE,
    texts: detail.POTEXTHEADER,
  };
}
