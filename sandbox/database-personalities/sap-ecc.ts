import { sql } from 'kysely';
import type { PurchaseOrderRecord } from '../records.ts';
import type { TablePersonality } from './personality.ts';
import { decimalText, dotDecimal, lineFigures, sqlDateTime, supplierCurrency } from './sandbox-data.ts';
import { char, decimal, insertRows, type TableDefinition, varchar } from './table-definition.ts';

/**
 * SAP ECC's purchasing tables, as SAP keeps them in its database: EKKO (headers), EKPO (items),
 * EKET (schedule lines: the delivery date), LFA1 (vendors), LFM1 (vendor purchasing data: planned
 * delivery time) and CDHDR (change document headers: when each order last changed — EKKO-AEDAT is
 * the creation date, SAP keeps no change time on the order itself). All text is CHAR (blank-padded,
 * NOT NULL, blank for "none"), dates are DATS `YYYYMMDD` (`00000000` for none), keys zero-padded.
 *
 * Urgency: SAP's purchase order has no priority field. The personality puts it where the SOAP
 * personality does, in EKKO-UNSEZ ("Our Reference", CHAR 12), a free header field purchasing
 * departments commonly put to such use: `1` urgent … `4` low, blank for none.
 *
 * Two customer tables stand in for what SAP keeps out of SQL's reach or not at all: ZMM_PO_NOTE
 * holds the buyer's header note (SAP stores texts compressed in STXL, unreadable by SQL), and
 * ZMM_VEND_OTD the vendor's on-time delivery percentage (vendor evaluation scores ELBM/ELBP are
 * 1–100 points per criterion, not a percentage).
 */

/** Client, company code, purchasing organisation and group, plant of the simulated system. */
export const SAP_ECC = {
  client: '100',
  companyCode: '1000',
  purchasingOrg: '1000',
  purchasingGroup: '001',
  plant: '1000',
  documentType: 'NB',
  /** CDHDR-OBJECTCLAS of purchasing documents. */
  changeObjectClass: 'EINKBELEG',
} as const;

/** Sandbox unit → SAP internal unit of measure (MEINS): a piece is `ST` (Stück) inside SAP. */
export const SAP_UNITS: Readonly<Record<string, string>> = { EA: 'EA', KG: 'KG', M: 'M', PC: 'ST' };

const MANDT = { name: 'MANDT', type: char(3) } as const;
const EBELN = { name: 'EBELN', type: char(10) } as const;
const EBELP = { name: 'EBELP', type: char(5) } as const;
const LIFNR = { name: 'LIFNR', type: char(10) } as const;
const flag = (name: string) => ({ name, type: char(1), defaultTo: ' ' });
const dats = (name: string) => ({ name, type: char(8), defaultTo: '00000000' });

const EKKO: TableDefinition = {
  name: 'EKKO',
  columns: [
    MANDT,
    EBELN,
    { name: 'BUKRS', type: char(4) },
    { name: 'BSTYP', type: char(1) },
    { name: 'BSART', type: char(4) },
    flag('LOEKZ'),
    flag('STATU'),
    dats('AEDAT'),
    { name: 'ERNAM', type: char(12) },
    LIFNR,
    { name: 'ZTERM', type: char(4) },
    { name: 'EKORG', type: char(4) },
    { name: 'EKGRP', type: char(3) },
    { name: 'WAERS', type: char(5) },
    dats('BEDAT'),
    dats('KDATB'),
    dats('KDATE'),
    { name: 'UNSEZ', type: char(12), defaultTo: ' ' },
    { name: 'IHREZ', type: char(12), defaultTo: ' ' },
    { name: 'SPRAS', type: char(1) },
  ],
  primaryKey: ['MANDT', 'EBELN'],
  indexes: [{ name: 'EKKO_LIF', columns: ['MANDT', 'LIFNR'] }],
};

const EKPO: TableDefinition = {
  name: 'EKPO',
  columns: [
    MANDT,
    EBELN,
    EBELP,
    flag('LOEKZ'),
    dats('AEDAT'),
    { name: 'TXZ01', type: char(40) },
    { name: 'MATNR', type: char(18) },
    { name: 'BUKRS', type: char(4) },
    { name: 'WERKS', type: char(4) },
    { name: 'MATKL', type: char(9), defaultTo: ' ' },
    { name: 'MENGE', type: decimal(13, 3) },
    { name: 'MEINS', type: char(3) },
    { name: 'NETPR', type: decimal(11, 2) },
    { name: 'PEINH', type: decimal(5) },
    { name: 'NETWR', type: decimal(13, 2) },
    flag('ELIKZ'),
    flag('EREKZ'),
    flag('PSTYP'),
    flag('WEPOS'),
    flag('REPOS'),
  ],
  primaryKey: ['MANDT', 'EBELN', 'EBELP'],
};

const EKET: TableDefinition = {
  name: 'EKET',
  columns: [
    MANDT,
    EBELN,
    EBELP,
    { name: 'ETENR', type: char(4) },
    dats('EINDT'),
    { name: 'MENGE', type: decimal(13, 3) },
    { name: 'WEMNG', type: decimal(13, 3) },
  ],
  primaryKey: ['MANDT', 'EBELN', 'EBELP', 'ETENR'],
};

const CDHDR: TableDefinition = {
  name: 'CDHDR',
  columns: [
    { name: 'MANDANT', type: char(3) },
    { name: 'OBJECTCLAS', type: char(15) },
    // The key of any kind of object, so never padded to its full 90 characters.
    { name: 'OBJECTID', type: varchar(90) },
    { name: 'CHANGENR', type: char(10) },
    { name: 'USERNAME', type: char(12) },
    dats('UDATE'),
    { name: 'UTIME', type: char(6), defaultTo: '000000' },
    { name: 'TCODE', type: char(20) },
    flag('CHANGE_IND'),
  ],
  primaryKey: ['MANDANT', 'OBJECTCLAS', 'OBJECTID', 'CHANGENR'],
  indexes: [{ name: 'CDHDR_UDATE', columns: ['MANDANT', 'UDATE', 'UTIME'] }],
};

const LFA1: TableDefinition = {
  name: 'LFA1',
  columns: [
    MANDT,
    LIFNR,
    { name: 'LAND1', type: char(3) },
    { name: 'NAME1', type: char(35) },
    { name: 'ORT01', type: char(35), defaultTo: ' ' },
    { name: 'KTOKK', type: char(4) },
    flag('LOEVM'),
    flag('SPERR'),
    dats('ERDAT'),
  ],
  primaryKey: ['MANDT', 'LIFNR'],
};

const LFM1: TableDefinition = {
  name: 'LFM1',
  columns: [
    MANDT,
    LIFNR,
    { name: 'EKORG', type: char(4) },
    { name: 'WAERS', type: char(5) },
    { name: 'ZTERM', type: char(4) },
    { name: 'PLIFZ', type: decimal(3) },
    flag('LOEVM'),
  ],
  primaryKey: ['MANDT', 'LIFNR', 'EKORG'],
};

const ZMM_VEND_OTD: TableDefinition = {
  name: 'ZMM_VEND_OTD',
  columns: [
    MANDT,
    LIFNR,
    { name: 'EKORG', type: char(4) },
    { name: 'OTDPCT', type: decimal(4, 1) },
    dats('EVDAT'),
  ],
  primaryKey: ['MANDT', 'LIFNR', 'EKORG'],
};

const ZMM_PO_NOTE: TableDefinition = {
  name: 'ZMM_PO_NOTE',
  columns: [MANDT, EBELN, { name: 'TDID', type: char(4) }, { name: 'TDLINE', type: char(132) }],
  primaryKey: ['MANDT', 'EBELN', 'TDID'],
};

/** `2026-11-04T10:15:30.123Z` → `["20261104", "101530"]`. */
function datsTims(at: string | Date): [string, string] {
  const text = sqlDateTime(at);
  return [text.slice(0, 10).replaceAll('-', ''), text.slice(11).replaceAll(':', '')];
}

function orderRows(order: PurchaseOrderRecord, changeNumber: number) {
  const cancelled = order.status === 'CANCELLED';
  const closed = order.status === 'CLOSED';
  const [changedOn, changedAt] = datsTims(order.updated_at);
  const common = { MANDT: SAP_ECC.client, EBELN: order.po_number };
  const items = order.lines.map((line) => {
    const figures = lineFigures(line);
    return {
      ...common,
      EBELP: line.line_no,
      LOEKZ: cancelled ? 'L' : ' ',
      AEDAT: changedOn,
      TXZ01: line.description.trim(),
      MATNR: line.item_no,
      BUKRS: SAP_ECC.companyCode,
      WERKS: SAP_ECC.plant,
      MATKL: ' ',
      MENGE: decimalText(figures.quantityMilli, 3),
      MEINS: SAP_UNITS[line.uom.trim()] ?? line.uom.trim(),
      NETPR: decimalText(figures.priceCents, 2),
      PEINH: '1',
      NETWR: decimalText(figures.amountCents, 2),
      ELIKZ: closed ? 'X' : ' ',
      EREKZ: closed ? 'X' : ' ',
      PSTYP: '0',
      WEPOS: 'X',
      REPOS: 'X',
    };
  });
  const schedules = order.lines.map((line) => ({
    ...common,
    EBELP: line.line_no,
    ETENR: '0001',
    EINDT: line.need_by,
    MENGE: dotDecimal(line.quantity, 3),
    WEMNG: closed ? dotDecimal(line.quantity, 3) : '0.000',
  }));
  return {
    EKKO: {
      ...common,
      BUKRS: SAP_ECC.companyCode,
      BSTYP: 'F',
      BSART: SAP_ECC.documentType,
      LOEKZ: cancelled ? 'L' : ' ',
      STATU: ' ',
      AEDAT: order.order_date,
      ERNAM: order.buyer.trim(),
      LIFNR: order.supplier_id,
      ZTERM: '0001',
      EKORG: SAP_ECC.purchasingOrg,
      EKGRP: SAP_ECC.purchasingGroup,
      WAERS: order.currency,
      BEDAT: order.order_date,
      KDATB: '00000000',
      KDATE: '00000000',
      UNSEZ: order.priority,
      IHREZ: ' ',
      SPRAS: 'E',
    },
    EKPO: items,
    EKET: schedules,
    CDHDR: {
      MANDANT: SAP_ECC.client,
      OBJECTCLAS: SAP_ECC.changeObjectClass,
      OBJECTID: order.po_number,
      CHANGENR: String(changeNumber).padStart(10, '0'),
      USERNAME: order.buyer.trim(),
      UDATE: changedOn,
      UTIME: changedAt,
      TCODE: changedOn === order.order_date ? 'ME21N' : 'ME22N',
      CHANGE_IND: changedOn === order.order_date ? 'I' : 'U',
    },
    note: order.notes.trim() === '' ? [] : [{ ...common, TDID: 'F01', TDLINE: order.notes.trim() }],
  };
}

export const sapEccPersonality: TablePersonality = {
  name: 'sap-ecc',
  profile: 'sap-ecc-tables',
  description:
    'SAP ECC: EKKO/EKPO/EKET, LFA1/LFM1, CDHDR change documents; urgency in EKKO-UNSEZ (1 urgent … 4 low)',
  tables: [EKKO, EKPO, EKET, CDHDR, LFA1, LFM1, ZMM_VEND_OTD, ZMM_PO_NOTE],

  rows(data) {
    const rows: Record<string, Record<string, unknown>[]> = {
      EKKO: [],
      EKPO: [],
      EKET: [],
      CDHDR: [],
      LFA1: [],
      LFM1: [],
      ZMM_VEND_OTD: [],
      ZMM_PO_NOTE: [],
    };
    const push = (table: string, ...tableRows: Record<string, unknown>[]) => rows[table]?.push(...tableRows);
    for (const supplier of data.suppliers) {
      const vendor = { MANDT: SAP_ECC.client, LIFNR: supplier.supplier_id };
      push('LFA1', {
        ...vendor,
        LAND1: supplier.country,
        NAME1: supplier.name.trim(),
        ORT01: ' ',
        KTOKK: 'LIEF',
        LOEVM: ' ',
        SPERR: ' ',
        ERDAT: '20150101',
      });
      push('LFM1', {
        ...vendor,
        EKORG: SAP_ECC.purchasingOrg,
        WAERS: supplierCurrency(supplier),
        ZTERM: '0001',
        PLIFZ: supplier.lead_time_days.trim(),
        LOEVM: ' ',
      });
      push('ZMM_VEND_OTD', {
        ...vendor,
        EKORG: SAP_ECC.purchasingOrg,
        OTDPCT: dotDecimal(supplier.on_time_pct, 1),
        EVDAT: '20260101',
      });
    }
    data.orders.forEach((order, index) => {
      const built = orderRows(order, index + 1);
      push('EKKO', built.EKKO);
      push('EKPO', ...built.EKPO);
      push('EKET', ...built.EKET);
      push('CDHDR', built.CDHDR);
      push('ZMM_PO_NOTE', ...built.note);
    });
    return rows;
  },

  async touch(db, poNumbers, at) {
    const last = await db
      .selectFrom('CDHDR')
      .select(sql<string>`max(${sql.ref('CHANGENR')})`.as('CHANGENR'))
      .executeTakeFirst();
    let next = Number(last?.CHANGENR ?? 0) + 1;
    const [changedOn, changedAt] = datsTims(at);
    const rows = poNumbers.map((poNumber) => ({
      MANDANT: SAP_ECC.client,
      OBJECTCLAS: SAP_ECC.changeObjectClass,
      OBJECTID: poNumber,
      CHANGENR: String(next++).padStart(10, '0'),
      USERNAME: 'SANDBOX',
      UDATE: changedOn,
      UTIME: changedAt,
      TCODE: 'ME22N',
      CHANGE_IND: 'U',
    }));
    await insertRows(db, CDHDR, rows);
  },

  async latestChange(db) {
    const latest = await db
      .selectFrom('CDHDR')
      .select([sql.ref('UDATE').as('UDATE'), sql.ref('UTIME').as('UTIME')])
      .orderBy(sql.ref('UDATE'), 'desc')
      .orderBy(sql.ref('UTIME'), 'desc')
      .limit(1)
      .executeTakeFirst();
    const day = String(latest?.UDATE ?? '');
    const time = String(latest?.UTIME ?? '');
    if (!/^\d{8}$/.test(day)) return null;
    return new Date(
      `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}Z`,
    );
  },
};
