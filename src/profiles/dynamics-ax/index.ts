import type { Profile } from '../contract.ts';
import { dynamicsAxPurchaseOrderMapping } from './purchase-order-mapping.ts';
import { dynamicsAxSupplierMapping } from './supplier-mapping.ts';

export {
  AX_LINE_NUMBER_STEP,
  AX_PURCH_STATUSES,
  AX_PURCHASE_ORDER_ENTITY,
  AX_UNIT_CODES,
  AX_URGENCY_POOLS,
} from './purchase-order-mapping.ts';
export { dynamicsAxBinding } from './soap-binding.ts';
export { AX_SUPPLIER_ENTITY, AX_SUPPLIER_FIGURES } from './supplier-mapping.ts';

/**
 * Microsoft Dynamics AX 2012 through its AIF document services (`kind: soap`, `binding:
 * dynamics-ax`): purchase orders as PurchTable, vendors as VendTable; urgency kept in the order's
 * purchase order pool (PurchPoolId). See docs/erp/dynamics-ax.md.
 */
export const dynamicsAxProfile: Profile = {
  name: 'dynamics-ax',
  purchaseOrder: dynamicsAxPurchaseOrderMapping,
  supplier: dynamicsAxSupplierMapping,
};
