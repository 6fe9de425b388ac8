import { PurchaseOrder, type PurchaseOrderLine } from '../canonical/index.ts';
import { isRpcStruct, type RpcStruct } from '../connectors/rpc/index.ts';
import { ErpError } from '../errors/index.ts';
import { FormatError } from './legacy-formats.ts';
import type { FieldReader } from './map-fields.ts';

/**
 * What the purchase-order mappings of the ERPs read through the `rpc` connector (Tryton, Odoo)
 * share: a purchase has a `state` that maps onto the canonical status, its lines arrive as records
 * embedded under a child key (some of them comments or sections), and its need-by date falls back
 * to the earliest line's. Each profile keeps its own field names, states and messages.
 */

/** Which ERP states count as which canonical status. */
export type PurchaseStates = Readonly<Record<PurchaseOrder['status'], readonly string[]>>;

/**
 * The converter from an ERP state to the canonical status; anything else is a FormatError that
 * lists the known states, e.g. `expected a purchase state (draft, …), got "x"`.
 *
 * @param what the state's name in the message, e.g. `purchase state`.
 */
export function purchaseStatus(
  states: PurchaseStates,
  what: string,
): (value: unknown) => PurchaseOrder['status'] {
  const byState = new Map<string, PurchaseOrder['status']>(
    Object.entries(states).flatMap(([status, names]) =>
      names.map((state): [string, PurchaseOrder['status']] => [
        state,
        PurchaseOrder.shape.status.parse(status),
      ]),
    ),
  );
  return (value) => {
    const status = typeof value === 'string' ? byState.get(value) : undefined;
    if (status === undefined) {
      throw new FormatError(
        `expected a ${what} (${[...byState.keys()].join(', ')}), got ${JSON.stringify(value)}`,
      );
    }
    return status;
  };
}

/** The states as a connector `filters.status.values` table: the canonical status → the ERP's states. */
export function statusFilterValues(states: PurchaseStates): Record<string, string[]> {
  return Object.fromEntries(Object.entries(states).map(([status, names]) => [status, [...names]]));
}

/**
 * The order lines of a purchase, numbered from 1 in the ERP's order. `raw` is what the connector
 * embedded under `field`; each record goes to `readLine`, which answers null for a row that orders
 * nothing (a comment, a section). A `raw` that is not a list, or a row that is not a record, is a
 * validation error naming the purchase and the field.
 */
export function purchaseOrderLines(
  reader: FieldReader,
  raw: unknown,
  field: string,
  readLine: (line: RpcStruct, index: number) => Omit<PurchaseOrderLine, 'lineNumber'> | null,
): PurchaseOrderLine[] {
  if (!Array.isArray(raw)) {
    throw new ErpError('validation', `${field} is not a list; is the ${field} child read configured?`, {
      entity: reader.entity,
      key: reader.key,
      field,
    });
  }
  const lines: PurchaseOrderLine[] = [];
  raw.forEach((line, index) => {
    if (!isRpcStruct(line)) {
      throw new ErpError('validation', `line ${index + 1} is not a record`, {
        entity: reader.entity,
        key: reader.key,
        field: `lines[${index}]`,
      });
    }
    const read = readLine(line, index);
    if (read !== null) lines.push({ lineNumber: lines.length + 1, ...read });
  });
  return lines;
}

/**
 * The purchase's own need-by date, else its earliest line's; neither is a FormatError saying
 * `missing`, e.g. `neither the purchase nor its lines have a delivery date`.
 */
export function needByOf(
  header: string | null,
  lines: readonly PurchaseOrderLine[],
  missing: string,
): string {
  const needBy = header ?? lines.flatMap((line) => (line.needBy === null ? [] : [line.needBy])).sort()[0];
  if (needBy === undefined) throw new FormatError(missing);
  return needBy;
}
