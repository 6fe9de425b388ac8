import type { Profile } from '../contract.ts';
import { odooPurchaseOrderMapping } from './purchase-order-mapping.ts';
import { odooSupplierMapping } from './supplier-mapping.ts';

export { odooEntities } from './connector-entities.ts';
export { ODOO_PRIORITY_CODES, ODOO_PURCHASE_STATES } from './purchase-order-mapping.ts';
export { ODOO_LEAD_TIME_DAYS } from './supplier-mapping.ts';

/**
 * Odoo (Purchase app) through the `rpc` connector, dialect odoo: purchase orders and their lines,
 * vendors as suppliers; urgency in Odoo's own priority star. See docs/erp/odoo.md.
 */
export const odooProfile: Profile = {
  name: 'odoo',
  purchaseOrder: odooPurchaseOrderMapping,
  supplier: odooSupplierMapping,
};
