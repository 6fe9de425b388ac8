import { readTableArguments, readTableRows, whereLiteral } from './read-table.ts';
import type { RfcRow } from './rfc-values.ts';

/**
 * Vendors through RFC_READ_TABLE. SAP ECC has no BAPI that returns a vendor's planned delivery
 * time and delivery reliability together, so the profile reads a database view (default
 * `ZERPBR_VENDOR`) over LFA1 (LIFNR, NAME1, LAND1), LFM1 of one purchasing organisation (PLIFZ)
 * and the customer table ZMM_VEND_OTD (OTDPCT, the on-time rate in percent, which SAP does not
 * keep). docs/erp/sap-ecc.md says how to create it.
 *
 * RFC_READ_TABLE answers with fixed-width text rows (DATA-WA) and a FIELDS table saying where each
 * field sits; numbers come as WRITE prints them for the logon user (` 87,5` or ` 87.5`).
 */

/** The entity name vendors go by in the sap-ecc binding and profile (SAP's BOR object LFA1). */
export const VENDOR_ENTITY = 'Vendor';
/** The view the sandbox serves and the binding reads unless `options.vendorTable` names another. */
export const DEFAULT_VENDOR_TABLE = 'ZERPBR_VENDOR';
/** The fields read, the key first (RFC-SOAP trims a row's trailing blanks; a leading one would shift it). */
export const VENDOR_FIELDS = ['LIFNR', 'NAME1', 'LAND1', 'PLIFZ', 'OTDPCT'] as const;

/** RFC_READ_TABLE's arguments for a page of vendors, or for one (`vendor`). Pure. */
export function vendorTableArguments(
  table: string,
  page: { skip: number; count: number } | { vendor: string },
): Record<string, unknown> {
  if ('vendor' in page)
    return readTableArguments(table, VENDOR_FIELDS, { where: [`LIFNR = ${whereLiteral(page.vendor)}`] });
  return readTableArguments(table, VENDOR_FIELDS, { skip: page.skip, count: page.count });
}

/**
 * The vendor rows of an RFC_READ_TABLE answer, field → trimmed text. Pure.
 *
 * @throws ErpError `permanent` when FIELDS lacks a field asked for (a view without it).
 */
export function vendorRows(
  fields: readonly RfcRow[],
  data: readonly RfcRow[],
  where: { connector: string; table: string },
): RfcRow[] {
  return readTableRows(fields, data, VENDOR_FIELDS, {
    ...where,
    entity: VENDOR_ENTITY,
    hint: `the view ${where.table} must have the fields ${VENDOR_FIELDS.join(', ')} (see docs/erp/sap-ecc.md)`,
  });
}
