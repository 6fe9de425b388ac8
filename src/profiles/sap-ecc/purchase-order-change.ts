import { ErpError } from '../../errors/index.ts';

/**
 * What the sap-ecc profile writes to a purchase order, and the BAPI_PO_CHANGE parameters it
 * becomes. Two fields only: the priority in POHEADER-OUR_REF and the buyer's note as header text
 * F01. Everything else about an order is the buyer's, not erpbridge's.
 */

/** Vendor field: the priority code (`1` urgent … `4` low) in the header's "Our reference". */
export const OUR_REF = 'OUR_REF';
/** Vendor field: the note, written as header text F01. */
export const HEADER_TEXT = 'HEADER_TEXT';
/** The text id of the PO header note in the text determination ("Header text"). */
export const NOTE_TEXT_ID = 'F01';

const WRITABLE = new Set([OUR_REF, HEADER_TEXT]);

/**
 * The IMPORTING and TABLES parameters of BAPI_PO_CHANGE for `fields` (vendor fields as the
 * mapping's `toVendorFields` gives them). Pure.
 *
 * @throws ErpError `validation` for a field the profile does not write, before anything is sent.
 * @example
 *   changeArguments('0045000123', { OUR_REF: '1' })
 *   // → { PURCHASEORDER: '0045000123', POHEADER: { OUR_REF: '1' }, POHEADERX: { OUR_REF: 'X' } }
 */
export function changeArguments(
  poNumber: string,
  fields: Readonly<Record<string, unknown>>,
  where: { connector: string; entity: string },
): Record<string, unknown> {
  const unknown = Object.keys(fields).find((field) => !WRITABLE.has(field));
  if (unknown !== undefined) {
    throw new ErpError(
      'validation',
      `the sap-ecc binding does not write ${unknown}; it writes ${[...WRITABLE].join(' and ')}`,
      {
        ...where,
        key: poNumber,
        field: unknown,
      },
    );
  }
  const args: Record<string, unknown> = { PURCHASEORDER: poNumber };
  const ourRef = fields[OUR_REF];
  if (ourRef !== undefined) {
    args.POHEADER = { OUR_REF: String(ourRef ?? '') };
    args.POHEADERX = { OUR_REF: 'X' };
  }
  const note = fields[HEADER_TEXT];
  if (note !== undefined) {
    // One line (TEXT_LINE holds 132 characters); SAP replaces the whole header text F01 with it.
    args.POTEXTHEADER = {
      item: [
        {
          PO_NUMBER: poNumber,
          PO_ITEM: '00000',
          TEXT_ID: NOTE_TEXT_ID,
          TEXT_FORM: '*',
          TEXT_LINE: String(note ?? ''),
        },
      ],
    };
  }
  return args;
}
