import type { Profile } from '../contract.ts';
import { legacySqlServerPurchaseOrderMapping } from './purchase-order-mapping.ts';
import { legacySqlServerSupplierMapping } from './supplier-mapping.ts';

export { legacySqlServerEntities, legacySqlServerFilters } from './sql-entities.ts';

/**
 * A legacy SQL Server purchasing database (POHEADER/PODETAIL, `[PO_#]`, blank-padded defaults,
 * `1753-01-01` for no date) read through the read-only `sql` connector configured with
 * {@link legacySqlServerEntities}. Urgency is the user-defined flag ORDER_UD_FLAG. Reads only.
 */
export const legacySqlServerProfile: Profile = {
  name: 'legacy-sqlserver',
  purchaseOrder: legacySqlServerPurchaseOrderMapping,
  supplier: legacySqlServerSupplierMapping,
};
