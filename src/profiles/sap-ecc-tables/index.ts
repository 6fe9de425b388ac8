import type { Profile } from '../contract.ts';
import { sapEccTablesPurchaseOrderMapping } from './purchase-order-mapping.ts';
import { sapEccTablesSupplierMapping } from './supplier-mapping.ts';

export { sapEccTablesEntities, sapEccTablesFilters } from './sql-entities.ts';

/**
 * SAP ECC read from its database tables (EKKO/EKPO/EKET, LFA1/LFM1, CDHDR) through the read-only
 * `sql` connector configured with {@link sapEccTablesEntities}. Urgency is EKKO-UNSEZ. Reads only:
 * a priority is written back through SAP itself (BAPI, SOAP), never into its tables.
 */
export const sapEccTablesProfile: Profile = {
  name: 'sap-ecc-tables',
  purchaseOrder: sapEccTablesPurchaseOrderMapping,
  supplier: sapEccTablesSupplierMapping,
};
