import type { Profile } from '../contract.ts';
import { oracleEbsTablesPurchaseOrderMapping } from './purchase-order-mapping.ts';
import { oracleEbsTablesSupplierMapping } from './supplier-mapping.ts';

export { EBS_ORG_ID, oracleEbsTablesEntities, oracleEbsTablesFilters } from './sql-entities.ts';

/**
 * Oracle E-Business Suite read from its purchasing tables (PO_HEADERS_ALL, PO_LINES_ALL,
 * PO_LINE_LOCATIONS_ALL, AP_SUPPLIERS) through the read-only `sql` connector configured with
 * {@link oracleEbsTablesEntities}. Urgency is the header flexfield segment ATTRIBUTE1. Reads only.
 */
export const oracleEbsTablesProfile: Profile = {
  name: 'oracle-ebs-tables',
  purchaseOrder: oracleEbsTablesPurchaseOrderMapping,
  supplier: oracleEbsTablesSupplierMapping,
};
