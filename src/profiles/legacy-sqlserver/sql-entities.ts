import { quoteIdentifier, type SqlDialect } from '../../connectors/sql/sql-dialect.ts';

/**
 * The `entities:` of a `sql` connector that reads the legacy SQL Server purchasing tables for this
 * profile, in `dialect`'s SQL (every name quoted: `[PO_#]` is no identifier unquoted).
 *
 * - `purchase_orders`: POHEADER with the vendor's CURRENCY (VENDOR), keyed by `PO_#` (unique on
 *   its own, POHEADER_INDEX04), ChangedDate as version and for incremental reads, ORDER_STATUS
 *   (OPEN, CLOSED, CANCELLED from CLOSED_FLAG) to filter by; PODETAIL as `lines`.
 * - `suppliers`: the VENDOR table.
 */
export function legacySqlServerEntities(dialect: SqlDialect): Record<string, unknown> {
  const q = (name: string) => quoteIdentifier(dialect, name);
  const header = [
    'PO_#',
    'VENDOR_ID',
    'ORDER_DATE',
    'DATE_REQUIRED',
    'REQUEST_BY',
    'ORDER_UD_FLAG',
    'CLOSED_FLAG',
    'POTotal',
    'Notes',
    'ChangedDate',
  ].map((column) => `h.${q(column)}`);
  return {
    purchase_orders: {
      query: `SELECT ${header.join(', ')}, v.${q('CURRENCY')},
    CASE h.${q('CLOSED_FLAG')} WHEN 'Y' THEN 'CLOSED' WHEN 'V' THEN 'CANCELLED' ELSE 'OPEN' END AS ${q('ORDER_STATUS')}
  FROM ${q('POHEADER')} h
  LEFT JOIN ${q('VENDOR')} v ON v.${q('VENDOR_ID')} = h.${q('VENDOR_ID')}`,
      key: 'PO_#',
      version: 'ChangedDate',
      changedColumn: 'ChangedDate',
      filterColumns: { status: 'ORDER_STATUS' },
      children: {
        lines: { table: 'PODETAIL', match: { 'PO_#': 'PO_#' }, orderBy: ['LINE_#'] },
      },
    },
    suppliers: { table: 'VENDOR', key: 'VENDOR_ID' },
  };
}

/** po-urgency's filters: open orders to decide on, closed ones to learn from. */
export const legacySqlServerFilters = {
  open: { status: 'OPEN' },
  closed: { status: 'CLOSED' },
} as const;
