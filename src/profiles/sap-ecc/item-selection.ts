import { ErpError } from '../../errors/index.ts';
import type { RawRfcRow } from './rfc-values.ts';
import { sapFlag, sapText } from './sap-formats.ts';

/**
 * Which purchase orders a read selects, as BAPI_PO_GETITEMS parameters plus a check on each order
 * it lists. The workflow's `filter` is written once for every profile (`status: open`,
 * `status: closed`), so `status` is translated here:
 *
 * - `open`: `ITEMS_OPEN_FOR_RECEIPT = X` (SAP selects items still awaiting goods), and the order is
 *   neither deleted nor delivery-completed;
 * - `closed`: the standard BAPI has no such selection; the paging wrapper erpbridge expects (see
 *   docs/erp/sap-ecc.md) takes `ITEMS_DELIVERY_COMPLETED = X` — orders whose items are all
 *   delivery-completed, the complement of ITEMS_OPEN_FOR_RECEIPT — and whatever is listed, only the
 *   orders whose remaining items are all delivery-completed (DEL_COMPL) are kept;
 * - `cancelled`: `DELETED_ITEMS = X`, and the order's header or every item carries a deletion indicator.
 *
 * Any other key must be a GETITEMS selection parameter and is passed as it is (`VENDOR: '0000100042'`,
 * `DOC_DATE: '2026-01-01'` for orders dated on or after it).
 */
export interface ItemSelection {
  /** The GETITEMS IMPORTING parameters (without paging and WITH_PO_HEADERS). */
  parameters: Record<string, string>;
  /** Whether an order GETITEMS listed is one to read. */
  keeps(header: RawRfcRow, items: readonly RawRfcRow[]): boolean;
}

/** The GETITEMS selection parameters a filter may name directly. */
export const SELECTION_PARAMETERS = [
  'PURCHASEORDER',
  'VENDOR',
  'MATERIAL',
  'DOC_DATE',
  'PUR_GROUP',
  'PURCH_ORG',
  'ITEMS_OPEN_FOR_RECEIPT',
  'ITEMS_DELIVERY_COMPLETED',
  'DELETED_ITEMS',
] as const;

const STATUSES = ['open', 'closed', 'cancelled'] as const;
type Status = (typeof STATUSES)[number];

function isStatus(value: string): value is Status {
  return STATUSES.some((status) => status === value);
}

/** A header or item row with a deletion indicator. */
function isDeleted(row: RawRfcRow): boolean {
  return sapText(row.DELETE_IND) !== '';
}

/** The status an order has by its GETITEMS rows (BAPIEKKOL header, BAPIEKPOC items). Pure. */
export function listedStatus(header: RawRfcRow, items: readonly RawRfcRow[]): Status {
  if (isDeleted(header) || (items.length > 0 && items.every(isDeleted))) return 'cancelled';
  const remaining = items.filter((item) => !isDeleted(item));
  return remaining.length > 0 && remaining.every((item) => sapFlag(item.DEL_COMPL)) ? 'closed' : 'open';
}

/**
 * Translates a read's filter. Pure.
 *
 * @throws ErpError `validation` for an unknown key or status, naming what is allowed.
 */
export function itemSelection(
  filter: Readonly<Record<string, string | number | boolean>> | undefined,
  where: { connector: string; entity: string },
): ItemSelection {
  const parameters: Record<string, string> = {};
  let wanted: Status | null = null;
  for (const [key, raw] of Object.entries(filter ?? {})) {
    const value = raw === true ? 'X' : raw === false ? '' : String(raw);
    if (key === 'status') {
      const status = value.toLowerCase();
      if (!isStatus(status)) {
        throw new ErpError('validation', `filter status "${value}" is not one of ${STATUSES.join(', ')}`, {
          ...where,
          field: 'status',
        });
      }
      wanted = status;
      if (status === 'open') parameters.ITEMS_OPEN_FOR_RECEIPT = 'X';
      if (status === 'closed') parameters.ITEMS_DELIVERY_COMPLETED = 'X';
      if (status === 'cancelled') parameters.DELETED_ITEMS = 'X';
      continue;
    }
    if (!SELECTION_PARAMETERS.some((name) => name === key)) {
      throw new ErpError(
        'validation',
        `filter key ${key} is neither status nor a BAPI_PO_GETITEMS selection (${SELECTION_PARAMETERS.join(', ')})`,
        { ...where, field: key },
      );
    }
    parameters[key] = value;
  }
  return {
    parameters,
    keeps: (header, items) => wanted === null || listedStatus(header, items) === wanted,
  };
}
