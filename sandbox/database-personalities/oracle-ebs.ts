import { sql } from 'kysely';
import type { TablePersonality } from './personality.ts';
import {
  decimalText,
  dotDecimal,
  isoDate,
  lineFigures,
  sqlDateTime,
  supplierNumber,
} from './sandbox-data.ts';
import { bigint, datetime, decimal, type TableDefinition, varchar } from './table-definition.ts';

/**
 * Oracle E-Business Suite's purchasing tables (column names and lengths from the EBS PO tables as
 * the SOA DB adapter lists them): PO_HEADERS_ALL, PO_LINES_ALL, PO_LINE_LOCATIONS_ALL (shipments:
 * NEED_BY_DATE), AP_SUPPLIERS with AP_SUPPLIER_SITES_ALL, and FND_USER for the buyer's user name.
 * Internal ids are numbers (PO_HEADER_ID, VENDOR_ID); the numbers people use are SEGMENT1. Dates
 * are Oracle DATEs (a date and a time); empty text is NULL, as Oracle stores ''.
 *
 * Urgency: EBS has no PO priority either. As in the SOAP personality (docs/erp/oracle-ebs.md), it
 * lives in the header's descriptive flexfield segment ATTRIBUTE1 "Priority": `1` urgent … `4` low,
 * NULL for none.
 * The supplier's planned lead time and on-time percentage are supplier flexfield segments
 * ATTRIBUTE1 and ATTRIBUTE2. Last change: PO_HEADERS_ALL.LAST_UPDATE_DATE.
 */

/** The operating unit of the simulated instance (Vision Operations, as in Oracle's demo data). */
export const EBS_ORG_ID = 204;

/** Sandbox unit → EBS unit of measure name (UNIT_MEAS_LOOKUP_CODE holds the name, not a code). */
export const EBS_UNITS: Readonly<Record<string, string>> = {
  EA: 'Each',
  KG: 'Kilogram',
  M: 'Meter',
  PC: 'Piece',
};

const who = [
  { name: 'LAST_UPDATE_DATE', type: datetime },
  { name: 'LAST_UPDATED_BY', type: bigint },
  { name: 'CREATION_DATE', type: datetime },
  { name: 'CREATED_BY', type: bigint },
] as const;
const text = (name: string, length: number) => ({ name, type: varchar(length), nullable: true });
const attributes = Array.from({ length: 15 }, (_, index) => text(`ATTRIBUTE${index + 1}`, 150));

const PO_HEADERS_ALL: TableDefinition = {
  name: 'PO_HEADERS_ALL',
  columns: [
    { name: 'PO_HEADER_ID', type: bigint },
    { name: 'AGENT_ID', type: bigint },
    { name: 'TYPE_LOOKUP_CODE', type: varchar(25) },
    { name: 'SEGMENT1', type: varchar(20) },
    { name: 'SUMMARY_FLAG', type: varchar(1) },
    { name: 'ENABLED_FLAG', type: varchar(1) },
    ...who,
    { name: 'VENDOR_ID', type: bigint },
    { name: 'VENDOR_SITE_ID', type: bigint },
    { name: 'SHIP_TO_LOCATION_ID', type: bigint },
    { name: 'BILL_TO_LOCATION_ID', type: bigint },
    { name: 'CURRENCY_CODE', type: varchar(15) },
    { name: 'AUTHORIZATION_STATUS', type: varchar(25) },
    { name: 'REVISION_NUM', type: bigint },
    { name: 'APPROVED_FLAG', type: varchar(1) },
    { name: 'APPROVED_DATE', type: datetime, nullable: true },
    text('NOTE_TO_VENDOR', 480),
    text('COMMENTS', 240),
    { name: 'CLOSED_DATE', type: datetime, nullable: true },
    { name: 'CANCEL_FLAG', type: varchar(1) },
    text('ATTRIBUTE_CATEGORY', 30),
    ...attributes,
    { name: 'CLOSED_CODE', type: varchar(25) },
    { name: 'ORG_ID', type: bigint },
  ],
  primaryKey: ['PO_HEADER_ID'],
  indexes: [
    { name: 'PO_HEADERS_U2', columns: ['SEGMENT1', 'ORG_ID', 'TYPE_LOOKUP_CODE'], unique: true },
    { name: 'PO_HEADERS_N_LUD', columns: ['LAST_UPDATE_DATE'] },
  ],
};

const PO_LINES_ALL: TableDefinition = {
  name: 'PO_LINES_ALL',
  columns: [
    { name: 'PO_LINE_ID', type: bigint },
    { name: 'PO_HEADER_ID', type: bigint },
    { name: 'LINE_TYPE_ID', type: bigint },
    { name: 'LINE_NUM', type: bigint },
    ...who,
    { name: 'ITEM_ID', type: bigint },
    text('ITEM_DESCRIPTION', 240),
    { name: 'UNIT_MEAS_LOOKUP_CODE', type: varchar(25) },
    { name: 'UNIT_PRICE', type: decimal(15, 2) },
    { name: 'QUANTITY', type: decimal(15, 3) },
    { name: 'CLOSED_CODE', type: varchar(25) },
    { name: 'CANCEL_FLAG', type: varchar(1) },
    { name: 'ORG_ID', type: bigint },
  ],
  primaryKey: ['PO_LINE_ID'],
  indexes: [{ name: 'PO_LINES_U2', columns: ['PO_HEADER_ID', 'LINE_NUM'], unique: true }],
};

const PO_LINE_LOCATIONS_ALL: TableDefinition = {
  name: 'PO_LINE_LOCATIONS_ALL',
  columns: [
    { name: 'LINE_LOCATION_ID', type: bigint },
    ...who,
    { name: 'PO_HEADER_ID', type: bigint },
    { name: 'PO_LINE_ID', type: bigint },
    { name: 'SHIPMENT_NUM', type: bigint },
    { name: 'SHIPMENT_TYPE', type: varchar(25) },
    { name: 'QUANTITY', type: decimal(15, 3) },
    { name: 'QUANTITY_RECEIVED', type: decimal(15, 3) },
    { name: 'NEED_BY_DATE', type: datetime, nullable: true },
    { name: 'PROMISED_DATE', type: datetime, nullable: true },
    { name: 'CLOSED_CODE', type: varchar(25) },
    { name: 'CANCEL_FLAG', type: varchar(1) },
    { name: 'SHIP_TO_ORGANIZATION_ID', type: bigint },
    { name: 'ORG_ID', type: bigint },
  ],
  primaryKey: ['LINE_LOCATION_ID'],
  indexes: [{ name: 'PO_LINE_LOCATIONS_N1', columns: ['PO_LINE_ID'] }],
};

const AP_SUPPLIERS: TableDefinition = {
  name: 'AP_SUPPLIERS',
  columns: [
    { name: 'VENDOR_ID', type: bigint },
    ...who,
    { name: 'VENDOR_NAME', type: varchar(240) },
    { name: 'SEGMENT1', type: varchar(30) },
    { name: 'ENABLED_FLAG', type: varchar(1) },
    { name: 'VENDOR_TYPE_LOOKUP_CODE', type: varchar(30) },
    text('ATTRIBUTE_CATEGORY', 30),
    ...attributes,
  ],
  primaryKey: ['VENDOR_ID'],
  indexes: [{ name: 'AP_SUPPLIERS_U2', columns: ['SEGMENT1'], unique: true }],
};

const AP_SUPPLIER_SITES_ALL: TableDefinition = {
  name: 'AP_SUPPLIER_SITES_ALL',
  columns: [
    { name: 'VENDOR_SITE_ID', type: bigint },
    { name: 'VENDOR_ID', type: bigint },
    { name: 'VENDOR_SITE_CODE', type: varchar(15) },
    { name: 'COUNTRY', type: varchar(25) },
    { name: 'PURCHASING_SITE_FLAG', type: varchar(1) },
    { name: 'ORG_ID', type: bigint },
  ],
  primaryKey: ['VENDOR_SITE_ID'],
  indexes: [{ name: 'AP_SUPPLIER_SITES_N1', columns: ['VENDOR_ID'] }],
};

const FND_USER: TableDefinition = {
  name: 'FND_USER',
  columns: [
    { name: 'USER_ID', type: bigint },
    { name: 'USER_NAME', type: varchar(100) },
    { name: 'EMPLOYEE_ID', type: bigint, nullable: true },
    { name: 'START_DATE', type: datetime },
  ],
  primaryKey: ['USER_ID'],
};

/** The sandbox's `0045000123` as EBS's PO_HEADER_ID (100123) and SEGMENT1 (`45000123`). */
function headerId(poNumber: string): number {
  return Number(poNumber) - 44_900_000;
}

export const oracleEbsPersonality: TablePersonality = {
  name: 'oracle-ebs',
  profile: 'oracle-ebs-tables',
  description:
    'Oracle EBS: PO_HEADERS_ALL/PO_LINES_ALL/PO_LINE_LOCATIONS_ALL, AP_SUPPLIERS; urgency in PO_HEADERS_ALL.ATTRIBUTE1',
  tables: [
    PO_HEADERS_ALL,
    PO_LINES_ALL,
    PO_LINE_LOCATIONS_ALL,
    AP_SUPPLIERS,
    AP_SUPPLIER_SITES_ALL,
    FND_USER,
  ],

  rows(data) {
    const buyers = [...new Set(data.orders.map((order) => order.buyer.trim()))].sort();
    const agentId = (buyer: string) => 25 + buyers.indexOf(buyer.trim());
    const userId = (buyer: string) => 1000 + buyers.indexOf(buyer.trim());
    const vendorId = (supplierId: string) => supplierNumber({ supplier_id: supplierId }) - 95_000;
    const epoch = '2015-01-01 00:00:00';
    const headers: Record<string, unknown>[] = [];
    const lines: Record<string, unknown>[] = [];
    const shipments: Record<string, unknown>[] = [];
    for (const order of data.orders) {
      const id = headerId(order.po_number);
      const cancelled = order.status === 'CANCELLED';
      const closedCode = order.status === 'OPEN' ? 'OPEN' : cancelled ? 'FINALLY CLOSED' : 'CLOSED';
      const created = `${isoDate(order.order_date)} 00:00:00`;
      const updated = sqlDateTime(order.updated_at);
      const by = userId(order.buyer);
      const stamp = {
        LAST_UPDATE_DATE: updated,
        LAST_UPDATED_BY: by,
        CREATION_DATE: created,
        CREATED_BY: by,
      };
      const attributes: Record<string, unknown> = {};
      for (let index = 1; index <= 15; index++) attributes[`ATTRIBUTE${index}`] = null;
      attributes.ATTRIBUTE1 = order.priority.trim() === '' ? null : order.priority.trim();
      headers.push({
        PO_HEADER_ID: id,
        AGENT_ID: agentId(order.buyer),
        TYPE_LOOKUP_CODE: 'STANDARD',
        SEGMENT1: String(Number(order.po_number)),
        SUMMARY_FLAG: 'N',
        ENABLED_FLAG: 'Y',
        ...stamp,
        VENDOR_ID: vendorId(order.supplier_id),
        VENDOR_SITE_ID: vendorId(order.supplier_id) + 10_000,
        SHIP_TO_LOCATION_ID: 204,
        BILL_TO_LOCATION_ID: 204,
        CURRENCY_CODE: order.currency,
        AUTHORIZATION_STATUS: 'APPROVED',
        REVISION_NUM: 0,
        APPROVED_FLAG: 'Y',
        APPROVED_DATE: created,
        NOTE_TO_VENDOR: order.notes.trim() === '' ? null : order.notes.trim(),
        COMMENTS: order.description.trim() === '' ? null : order.description.trim(),
        CLOSED_DATE: order.status === 'OPEN' ? null : updated,
        CANCEL_FLAG: cancelled ? 'Y' : 'N',
        ATTRIBUTE_CATEGORY: null,
        ...attributes,
        CLOSED_CODE: closedCode,
        ORG_ID: EBS_ORG_ID,
      });
      order.lines.forEach((line, index) => {
        const lineId = id * 10 + index + 1;
        const figures = lineFigures(line);
        const common = {
          ...stamp,
          CLOSED_CODE: closedCode,
          CANCEL_FLAG: cancelled ? 'Y' : 'N',
          ORG_ID: EBS_ORG_ID,
        };
        lines.push({
          PO_LINE_ID: lineId,
          PO_HEADER_ID: id,
          LINE_TYPE_ID: 1,
          // The sandbox's own line numbers (10, 20, …): the same order, laid out another way.
          LINE_NUM: Number(line.line_no),
          ITEM_ID: Number(line.item_no),
          ITEM_DESCRIPTION: line.description.trim(),
          UNIT_MEAS_LOOKUP_CODE: EBS_UNITS[line.uom.trim()] ?? line.uom.trim(),
          UNIT_PRICE: decimalText(figures.priceCents, 2),
          QUANTITY: decimalText(figures.quantityMilli, 3),
          ...common,
        });
        shipments.push({
          LINE_LOCATION_ID: lineId,
          PO_HEADER_ID: id,
          PO_LINE_ID: lineId,
          SHIPMENT_NUM: 1,
          SHIPMENT_TYPE: 'STANDARD',
          QUANTITY: dotDecimal(line.quantity, 3),
          QUANTITY_RECEIVED: order.status === 'CLOSED' ? dotDecimal(line.quantity, 3) : '0.000',
          NEED_BY_DATE: `${isoDate(line.need_by)} 00:00:00`,
          PROMISED_DATE: null,
          SHIP_TO_ORGANIZATION_ID: 207,
          ...common,
        });
      });
    }
    const suppliers = data.suppliers.map((supplier) => {
      const attributes: Record<string, unknown> = {};
      for (let index = 1; index <= 15; index++) attributes[`ATTRIBUTE${index}`] = null;
      attributes.ATTRIBUTE1 = supplier.lead_time_days.trim();
      attributes.ATTRIBUTE2 = dotDecimal(supplier.on_time_pct, 1);
      return {
        VENDOR_ID: vendorId(supplier.supplier_id),
        LAST_UPDATE_DATE: epoch,
        LAST_UPDATED_BY: 0,
        CREATION_DATE: epoch,
        CREATED_BY: 0,
        VENDOR_NAME: supplier.name.trim(),
        SEGMENT1: String(supplierNumber(supplier)),
        ENABLED_FLAG: 'Y',
        VENDOR_TYPE_LOOKUP_CODE: 'VENDOR',
        ATTRIBUTE_CATEGORY: null,
        ...attributes,
      };
    });
    const sites = data.suppliers.map((supplier) => ({
      VENDOR_SITE_ID: vendorId(supplier.supplier_id) + 10_000,
      VENDOR_ID: vendorId(supplier.supplier_id),
      VENDOR_SITE_CODE: 'PURCHASING',
      COUNTRY: supplier.country.trim(),
      PURCHASING_SITE_FLAG: 'Y',
      ORG_ID: EBS_ORG_ID,
    }));
    const users = buyers.map((buyer) => ({
      USER_ID: userId(buyer),
      USER_NAME: buyer,
      EMPLOYEE_ID: agentId(buyer),
      START_DATE: epoch,
    }));
    return {
      PO_HEADERS_ALL: headers,
      PO_LINES_ALL: lines,
      PO_LINE_LOCATIONS_ALL: shipments,
      AP_SUPPLIERS: suppliers,
      AP_SUPPLIER_SITES_ALL: sites,
      FND_USER: users,
    };
  },

  async touch(db, poNumbers, at) {
    if (poNumbers.length === 0) return;
    await db
      .updateTable('PO_HEADERS_ALL')
      .set({ LAST_UPDATE_DATE: sqlDateTime(at), LAST_UPDATED_BY: 0 })
      .where(sql.ref('PO_HEADER_ID'), 'in', poNumbers.map(headerId))
      .execute();
  },

  async latestChange(db) {
    const latest = await db
      .selectFrom('PO_HEADERS_ALL')
      .select(sql<string | null>`max(${sql.ref('LAST_UPDATE_DATE')})`.as('LATEST'))
      .executeTakeFirst();
    const value = latest?.LATEST;
    return typeof value === 'string' ? new Date(`${value.slice(0, 19).replace(' ', 'T')}Z`) : null;
  },
};
