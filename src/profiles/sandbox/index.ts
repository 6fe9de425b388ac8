import type { Profile } from '../contract.ts';
import { sandboxPurchaseOrderMapping } from './purchase-order-mapping.ts';
import { sandboxSupplierMapping } from './supplier-mapping.ts';

/** The bundled sandbox ERP: SAP-like quirks (padded keys, YYYYMMDD, decimal commas, coded priorities). */
export const sandboxProfile: Profile = {
  name: 'sandbox',
  purchaseOrder: sandboxPurchaseOrderMapping,
  supplier: sandboxSupplierMapping,
};
