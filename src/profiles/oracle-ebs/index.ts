import type { Profile } from '../contract.ts';
import { oracleEbsPurchaseOrderMapping } from './purchase-order-mapping.ts';
import { oracleEbsSupplierMapping } from './supplier-mapping.ts';

export { OracleEbsBindingOptions } from './binding-options.ts';
export {
  EBS_PRIORITY_CODES,
  EBS_PRIORITY_COLUMN,
  EBS_PURCHASE_ORDER_ENTITY,
} from './purchase-order-mapping.ts';
export { oracleEbsBinding } from './soap-binding.ts';
export { EBS_SUPPLIER_ENTITY } from './supplier-mapping.ts';

/**
 * Oracle E-Business Suite R12 through the `soap` connector with `binding: oracle-ebs`: purchase
 * orders from PO_HEADERS_ALL (SOA Suite database-adapter query), the priority written to the header
 * DFF segment ATTRIBUTE1 through an ISG PL/SQL API, suppliers from AP_SUPPLIERS. See
 * docs/erp/oracle-ebs.md.
 */
export const oracleEbsProfile: Profile = {
  name: 'oracle-ebs',
  purchaseOrder: oracleEbsPurchaseOrderMapping,
  supplier: oracleEbsSupplierMapping,
};
