export { PRIORITIES, Priority } from './priority.ts';
export {
  IsoDate,
  PurchaseOrder,
  PurchaseOrderLine,
  PurchaseOrderStatus,
} from './purchase-order.ts';
export { Supplier } from './supplier.ts';

/** The canonical entities a mapping can produce, by name. */
export const CANONICAL_ENTITIES = ['purchaseOrder', 'supplier'] as const;
export type CanonicalEntityName = (typeof CANONICAL_ENTITIES)[number];
