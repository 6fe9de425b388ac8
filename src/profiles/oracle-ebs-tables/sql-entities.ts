import { quoteIdentifier, type SqlDialect } from '../../connectors/sql/sql-dialect.ts';

/** The operating unit whose documents are read (Vision Operations in Oracle's demo data and the sandbox). */
export const EBS_ORG_ID = 204;

/**
 * The `entities:` of a `sql` connector that reads Oracle EBS's purchasing tables for this profile,
 * in `dialect`'s SQL.
 *
 * - `purchase_orders`: PO_HEADERS_ALL of one operating unit, standard POs, with the supplier's
 *   number (AP_SUPPLIERS.SEGMENT1 as VENDOR_NUM) and the buyer's user name (FND_USER via AGENT_ID
 *   as BUYER_USER_NAME). Keyed by SEGMENT1; LAST_UPDATE_DATE is the version and the column
 *   incremental reads follow; filtered by CLOSED_CODE. Lines: PO_LINES_ALL with the first
 *   shipment's NEED_BY_DATE.
 * - `suppliers`: AP_SUPPLIERS with the purchasing site's COUNTRY.
 */
export function oracleEbsTablesEntities(
  dialect: SqlDialect,
  orgId: number = EBS_ORG_ID,
): Record<string, unknown> {
  const q = (name: string) => quoteIdentifier(dialect, name);
  const header = [
    'PO_HEADER_ID',
    'SEGMENT1',
    'TYPE_LOOKUP_CODE',
    'CURRENCY_CODE',
    'CREATION_DATE',
    'LAST_UPDATE_DATE',
    'AUTHORIZATION_STATUS',
    'CLOSED_CODE',
    'CANCEL_FLAG',
    'COMMENTS',
    'NOTE_TO_VENDOR',
    'ATTRIBUTE1',
  ].map((column) => `h.${q(column)}`);
  const line = [
    'PO_LINE_ID',
    'PO_HEADER_ID',
    'LINE_NUM',
    'ITEM_ID',
    'ITEM_DESCRIPTION',
    'UNIT_MEAS_LOOKUP_CODE',
    'UNIT_PRICE',
    'QUANTITY',
    'CANCEL_FLAG',
  ].map((column) => `l.${q(column)}`);
  return {
    purchase_orders: {
      query: `SELECT ${header.join(', ')}, s.${q('SEGMENT1')} AS ${q('VENDOR_NUM')}, u.${q('USER_NAME')} AS ${q('BUYER_USER_NAME')}
  FROM ${q('PO_HEADERS_ALL')} h
  JOIN ${q('AP_SUPPLIERS')} s ON s.${q('VENDOR_ID')} = h.${q('VENDOR_ID')}
  LEFT JOIN ${q('FND_USER')} u ON u.${q('EMPLOYEE_ID')} = h.${q('AGENT_ID')}
  WHERE h.${q('TYPE_LOOKUP_CODE')} = 'STANDARD' AND h.${q('ORG_ID')} = ${Math.trunc(orgId)}`,
      key: 'SEGMENT1',
      version: 'LAST_UPDATE_DATE',
      changedColumn: 'LAST_UPDATE_DATE',
      filterColumns: { status: 'CLOSED_CODE' },
      children: {
        lines: {
          query: `SELECT ${line.join(', ')}, ll.${q('NEED_BY_DATE')}
  FROM ${q('PO_LINES_ALL')} l
  LEFT JOIN ${q('PO_LINE_LOCATIONS_ALL')} ll ON ll.${q('PO_LINE_ID')} = l.${q('PO_LINE_ID')} AND ll.${q('SHIPMENT_NUM')} = 1`,
          match: { PO_HEADER_ID: 'PO_HEADER_ID' },
          orderBy: ['LINE_NUM'],
        },
      },
    },
    suppliers: {
      query: `SELECT s.${q('VENDOR_ID')}, s.${q('SEGMENT1')}, s.${q('VENDOR_NAME')}, s.${q('ATTRIBUTE1')}, s.${q('ATTRIBUTE2')}, ss.${q('COUNTRY')}
  FROM ${q('AP_SUPPLIERS')} s
  LEFT JOIN ${q('AP_SUPPLIER_SITES_ALL')} ss ON ss.${q('VENDOR_ID')} = s.${q('VENDOR_ID')} AND ss.${q('PURCHASING_SITE_FLAG')} = 'Y' AND ss.${q('ORG_ID')} = ${Math.trunc(orgId)}`,
      key: 'SEGMENT1',
    },
  };
}

/** po-urgency's filters: open orders to decide on, closed ones to learn from (CLOSED_CODE). */
export const oracleEbsTablesFilters = {
  open: { status: 'OPEN' },
  closed: { status: 'CLOSED' },
} as const;
