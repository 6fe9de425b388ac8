import { readTableArguments, readTableRows, whereLiteral } from './read-table.ts';
import type { RfcRow } from './rfc-values.ts';

/**
 * The schedule lines of a page of purchase orders, in one RFC_READ_TABLE call on EKET: what
 * BAPI_PO_GETITEMS lacks and BAPI_PO_GETDETAIL1 gives one order at a time. EKET holds every
 * schedule line of every item (deleted items' too), so its rows also say which items an order has.
 *
 * | EKET  | BAPIMEPOSCHEDULE | what                                  |
 * | ----- | ---------------- | ------------------------------------- |
 * | EBELN | (the order)      | purchasing document, CHAR 10          |
 * | EBELP | PO_ITEM          | item, NUMC 5                          |
 * | ETENR | SCHED_LINE       | schedule line, NUMC 4                 |
 * | SLFDT | STAT_DATE        | statistical delivery date, DATS       |
 */

export const SCHEDULE_TABLE = 'EKET';
const FIELDS = ['EBELN', 'EBELP', 'ETENR', 'SLFDT'] as const;

/** RFC_READ_TABLE's arguments for the schedule lines of the orders from `first` to `last` (PO numbers). Pure. */
export function scheduleLineArguments(first: string, last: string): Record<string, unknown> {
  return readTableArguments(SCHEDULE_TABLE, FIELDS, {
    where: [`EBELN GE ${whereLiteral(first)}`, ` AND EBELN LE ${whereLiteral(last)}`],
  });
}

/** `20261104` → `2026-11-04` (DATS as RFC-SOAP writes it); `00000000` or blank → `0000-00-00`. */
function asXmlDate(dats: string): string {
  return /^\d{8}$/.test(dats) && dats !== '00000000'
    ? `${dats.slice(0, 4)}-${dats.slice(4, 6)}-${dats.slice(6, 8)}`
    : '0000-00-00';
}

/**
 * The answer's rows by PO number, as BAPIMEPOSCHEDULE rows (PO_ITEM, SCHED_LINE, STAT_DATE). Pure.
 *
 * @throws ErpError `permanent` when the answer lacks a field asked for.
 */
export function scheduleLinesByOrder(
  fields: readonly RfcRow[],
  data: readonly RfcRow[],
  where: { connector: string; entity: string },
): Map<string, RfcRow[]> {
  const rows = readTableRows(fields, data, FIELDS, {
    ...where,
    table: SCHEDULE_TABLE,
    hint: 'the user needs S_TABU_NAM (activity 03) for EKET, or set options.readDetails: per-order',
  });
  const byOrder = new Map<string, RfcRow[]>();
  for (const row of rows) {
    const poNumber = row.EBELN ?? '';
    const schedule = {
      PO_ITEM: row.EBELP ?? '',
      SCHED_LINE: row.ETENR ?? '',
      STAT_DATE: asXmlDate(row.SLFDT ?? ''),
    };
    const lines = byOrder.get(poNumber);
    if (lines === undefined) byOrder.set(poNumber, [schedule]);
    else lines.push(schedule);
  }
  return byOrder;
}
