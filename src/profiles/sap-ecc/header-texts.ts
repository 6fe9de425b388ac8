import { escapeXmlText } from '../../xml/index.ts';
import { NOTE_TEXT_ID } from './purchase-order-change.ts';
import type { RfcRow } from './rfc-values.ts';
import { sapText } from './sap-formats.ts';

/**
 * The header notes (text F01) of a page of purchase orders, in one RFC_READ_TEXT call: SAPscript
 * texts live compressed in STXL, which RFC_READ_TABLE cannot return, and READ_TEXT reads one text
 * per call. RFC_READ_TEXT takes a table of text keys (TEXT_LINES: TDOBJECT `EKKO`, TDNAME the PO
 * number, TDID `F01`, TDSPRAS the order's language) and answers with the lines of each text that
 * exists (COUNTER, TDFORMAT, TDLINE), as public integrations call it.
 */

export const READ_TEXT = 'RFC_READ_TEXT';
/** The text object of purchase order headers. */
const PO_HEADER_TEXT_OBJECT = 'EKKO';

/**
 * RFC_READ_TEXT's arguments for the notes of `orders` (PO number and the order's language). The
 * key rows are written here, escaped, and handed to node-soap as the table's XML (`$xml`): for
 * hundreds of rows its schema-driven serialiser costs more than the call. Pure.
 */
export function headerTextArguments(
  orders: ReadonlyArray<{ poNumber: string; language: string }>,
): Record<string, unknown> {
  const fixed = `<TDOBJECT>${PO_HEADER_TEXT_OBJECT}</TDOBJECT>`;
  const id = `<TDID>${NOTE_TEXT_ID}</TDID>`;
  let xml = '';
  for (const [index, order] of orders.entries()) {
    const at = `TEXT_LINES.item[${index}]`;
    xml +=
      `<item>${fixed}<TDNAME>${escapeXmlText(order.poNumber, `${at}.TDNAME`)}</TDNAME>${id}` +
      `<TDSPRAS>${escapeXmlText(order.language || 'E', `${at}.TDSPRAS`)}</TDSPRAS></item>`;
  }
  return { TEXT_LINES: { $xml: xml } };
}

/** The answer's lines by PO number, as BAPIMEPOTEXTHEADER rows (PO_ITEM 0: the header). Pure. */
export function headerTextsByOrder(lines: readonly RfcRow[]): Map<string, RfcRow[]> {
  const byOrder = new Map<string, RfcRow[]>();
  for (const line of lines) {
    if (sapText(line.TDOBJECT) !== PO_HEADER_TEXT_OBJECT || sapText(line.TDID) !== NOTE_TEXT_ID) continue;
    const poNumber = sapText(line.TDNAME);
    const row = {
      PO_NUMBER: poNumber,
      PO_ITEM: '00000',
      TEXT_ID: NOTE_TEXT_ID,
      TEXT_FORM: line.TDFORMAT ?? '',
      TEXT_LINE: line.TDLINE ?? '',
    };
    const rows = byOrder.get(poNumber);
    if (rows === undefined) byOrder.set(poNumber, [row]);
    else rows.push(row);
  }
  return byOrder;
}
