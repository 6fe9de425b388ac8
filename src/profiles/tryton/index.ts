import type { Profile } from '../contract.ts';
import { trytonPurchaseOrderMapping } from './purchase-order-mapping.ts';
import { trytonSupplierMapping } from './supplier-mapping.ts';

export { trytonEntities } from './connector-entities.ts';
export { TRYTON_PURCHASE_STATES, TRYTON_URGENCY_FIELD } from './purchase-order-mapping.ts';
export { TRYTON_ON_TIME_RATE } from './supplier-mapping.ts';

/**
 * Tryton 6.0 (`purchase` module) through the `rpc` connector: purchases and their lines, parties as
 * suppliers; urgency kept in the purchase's `reference`. See docs/erp/tryton.md.
 */
export const trytonProfile: Profile = {
  name: 'tryton',
  purchaseOrder: trytonPurchaseOrderMapping,
  supplier: trytonSupplierMapping,
};
