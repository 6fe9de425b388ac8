import { PurchaseOrder } from '../canonical/purchase-order.ts';
import type { EntityMapping, Profile } from '../profiles/contract.ts';
import type { CanonicalRecord, WorkflowEntity } from './workflow.ts';

/** Purchase orders: every profile maps them. */
export const purchaseOrderEntity: WorkflowEntity<PurchaseOrder> = {
  name: 'purchaseOrder',
  schema: PurchaseOrder,
  mapping: (profile) => profile.purchaseOrder,
  amount: (order) => order.totalAmount,
  date: (order) => order.orderDate,
};

/**
 * An entity a profile maps under `entities.<name>` (invoices, goods receipts, expense lines).
 * A profile without it is refused with the names it does map, before anything is read.
 *
 * @example
 * export const invoiceEntity = profileEntity<Invoice>('invoice', Invoice, { amount: (invoice) => invoice.gross });
 */
export function profileEntity<R extends CanonicalRecord>(
  name: string,
  schema: WorkflowEntity<R>['schema'],
  options: { amount?: (record: R) => number | null; date?: (record: R) => string } = {},
): WorkflowEntity<R> {
  return {
    name,
    schema,
    mapping(profile: Profile): EntityMapping<R> {
      const mapping = profile.entities?.[name];
      if (!mapping) {
        const known = ['purchaseOrder', 'supplier', ...Object.keys(profile.entities ?? {})].join(', ');
        throw new Error(
          `profile ${profile.name} maps no ${name} (it maps ${known}); choose a profile that does, or add the mapping`,
        );
      }
      return mapping as EntityMapping<R>;
    },
    ...(options.amount ? { amount: options.amount } : {}),
    ...(options.date ? { date: options.date } : {}),
  };
}
