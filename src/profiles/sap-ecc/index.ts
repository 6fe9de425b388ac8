import type { Profile } from '../contract.ts';
import { sapPurchaseOrderMapping } from './purchase-order-mapping.ts';
import { sapSupplierMapping } from './supplier-mapping.ts';

export { SapEccBindingOptions, sapEccBinding } from './soap-binding.ts';

/**
 * SAP ECC over RFC-SOAP (with the `sap-ecc` SOAP binding): purchase orders in GETDETAIL1's shape — read
 * a page at a time from BAPI_PO_GETITEMS, EKET and RFC_READ_TEXT, or one by one with
 * BAPI_PO_GETDETAIL1 — the priority in POHEADER-OUR_REF, the note in header text F01, vendors from a
 * view read with RFC_READ_TABLE. docs/erp/sap-ecc.md has the mapping and how to connect a real system.
 */
export const sapEccProfile: Profile = {
  name: 'sap-ecc',
  purchaseOrder: sapPurchaseOrderMapping,
  supplier: sapSupplierMapping,
};
