import { quoteIdentifier, type SqlDialect } from '../../connectors/sql/sql-dialect.ts';

/**
 * The `entities:` of a `sql` connector that reads SAP ECC's tables for this profile, in `dialect`'s
 * SQL. Each query is one SELECT, as the connector requires; they are what a DBA would put in views.
 *
 * - `purchase_orders`: EKKO of client 100, standard orders, with the header note (ZMM_PO_NOTE), the
 *   last change time from the change documents (CDHDR, `UDATE‖UTIME`) as CHANGED_AT — the version
 *   and the column incremental reads follow — and ORDER_STATUS (OPEN, CLOSED, CANCELLED) to filter
 *   by; items (EKPO with the first EKET schedule line) as `lines`.
 * - `suppliers`: LFA1 with LFM1's planned delivery time and ZMM_VEND_OTD's on-time percentage.
 *
 * Workflows filter with {@link sapEccTablesFilters}.
 */
export function sapEccTablesEntities(dialect: SqlDialect): Record<string, unknown> {
  const q = (name: string) => quoteIdentifier(dialect, name);
  const concat = (left: string, right: string) =>
    dialect === 'mysql' || dialect === 'mariadb'
      ? `CONCAT(${left}, ${right})`
      : dialect === 'mssql'
        ? `${left} + ${right}`
        : `${left} || ${right}`;
  const header = [
    'EBELN',
    'BUKRS',
    'BSTYP',
    'BSART',
    'LOEKZ',
    'AEDAT',
    'ERNAM',
    'LIFNR',
    'EKORG',
    'EKGRP',
    'WAERS',
    'BEDAT',
    'UNSEZ',
  ].map((column) => `k.${q(column)}`);
  const changedAt = `(SELECT MAX(${concat(`c.${q('UDATE')}`, `c.${q('UTIME')}`)}) FROM ${q('CDHDR')} c
      WHERE c.${q('MANDANT')} = k.${q('MANDT')} AND c.${q('OBJECTCLAS')} = 'EINKBELEG' AND c.${q('OBJECTID')} = k.${q('EBELN')})`;
  const status = `CASE WHEN k.${q('LOEKZ')} = 'L' THEN 'CANCELLED'
      WHEN EXISTS (SELECT 1 FROM ${q('EKPO')} p WHERE p.${q('MANDT')} = k.${q('MANDT')} AND p.${q('EBELN')} = k.${q('EBELN')} AND p.${q('ELIKZ')} <> 'X') THEN 'OPEN'
      ELSE 'CLOSED' END`;
  const items = [
    'EBELN',
    'EBELP',
    'LOEKZ',
    'TXZ01',
    'MATNR',
    'MENGE',
    'MEINS',
    'NETPR',
    'PEINH',
    'NETWR',
    'ELIKZ',
  ].map((column) => `p.${q(column)}`);
  return {
    purchase_orders: {
      query: `SELECT ${header.join(', ')}, n.${q('TDLINE')} AS ${q('NOTE')},
    ${changedAt} AS ${q('CHANGED_AT')},
    ${status} AS ${q('ORDER_STATUS')}
  FROM ${q('EKKO')} k
  LEFT JOIN ${q('ZMM_PO_NOTE')} n ON n.${q('MANDT')} = k.${q('MANDT')} AND n.${q('EBELN')} = k.${q('EBELN')} AND n.${q('TDID')} = 'F01'
  WHERE k.${q('MANDT')} = '100' AND k.${q('BSTYP')} = 'F'`,
      key: 'EBELN',
      version: 'CHANGED_AT',
      changedColumn: 'CHANGED_AT',
      filterColumns: { status: 'ORDER_STATUS' },
      children: {
        lines: {
          query: `SELECT ${items.join(', ')}, e.${q('EINDT')}
  FROM ${q('EKPO')} p
  LEFT JOIN ${q('EKET')} e ON e.${q('MANDT')} = p.${q('MANDT')} AND e.${q('EBELN')} = p.${q('EBELN')} AND e.${q('EBELP')} = p.${q('EBELP')} AND e.${q('ETENR')} = '0001'
  WHERE p.${q('MANDT')} = '100'`,
          match: { EBELN: 'EBELN' },
          orderBy: ['EBELP'],
        },
      },
    },
    suppliers: {
      query: `SELECT a.${q('LIFNR')}, a.${q('NAME1')}, a.${q('LAND1')}, m.${q('PLIFZ')}, o.${q('OTDPCT')}
  FROM ${q('LFA1')} a
  LEFT JOIN ${q('LFM1')} m ON m.${q('MANDT')} = a.${q('MANDT')} AND m.${q('LIFNR')} = a.${q('LIFNR')} AND m.${q('EKORG')} = '1000'
  LEFT JOIN ${q('ZMM_VEND_OTD')} o ON o.${q('MANDT')} = a.${q('MANDT')} AND o.${q('LIFNR')} = a.${q('LIFNR')} AND o.${q('EKORG')} = '1000'
  WHERE a.${q('MANDT')} = '100'`,
      key: 'LIFNR',
    },
  };
}

/** po-urgency's filters for these entities: open orders to decide on, closed ones to learn from. */
export const sapEccTablesFilters = {
  open: { status: 'OPEN' },
  closed: { status: 'CLOSED' },
} as const;
