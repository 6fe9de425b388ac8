/**
 * The sandbox's SOAP personalities: the same purchase orders as `/api`, served the way SAP ECC,
 * Oracle E-Business Suite or Dynamics AX 2012 serve them. See sandbox/README.md.
 */
import type Database from 'better-sqlite3';
import type { PatchOutcome, PatchRequest } from '../purchase-order-patch.ts';
import type { PurchaseOrderRepository } from '../purchase-order-repository.ts';
import type { SupplierRepository } from '../supplier-repository.ts';
import { createAxDocumentService } from './ax-document-service.ts';
import { createAxVendorService } from './ax-vendor-service.ts';
import { createEbsQueryService } from './ebs-query-service.ts';
import { createEbsSupplierService } from './ebs-supplier-service.ts';
import { createEbsUpdateService } from './ebs-update-service.ts';
import type { Personality, WindowsAccount } from './personality.ts';
import { createPurchaseOrderSource } from './purchase-order-source.ts';
import { createSapEccService } from './sap-ecc.ts';
import type { SoapPersonality } from './soap-service.ts';

export { DEFAULT_WINDOWS_ACCOUNT, PERSONALITIES, type Personality, WindowsAccount } from './personality.ts';
export {
  registerSoapRoutes,
  type SoapRouteDependencies,
  type WsdlListing,
  wsdlListing,
} from './soap-routes.ts';
export type { SoapPersonality } from './soap-service.ts';

/** What a personality is built from: the sandbox's database, repositories and write path. */
export interface SoapPersonalityDependencies {
  db: Database.Database;
  purchaseOrders: PurchaseOrderRepository;
  suppliers: SupplierRepository;
  /** The write path `/api`'s PATCH uses, so a SOAP write is the same write. */
  patch: (request: PatchRequest) => PatchOutcome;
  /** The account dynamics-ax accepts over NTLM. */
  windowsAccount: WindowsAccount;
}

/** Builds the personality's services over the sandbox's data. */
export function createSoapPersonality(
  name: Personality,
  dependencies: SoapPersonalityDependencies,
): SoapPersonality {
  const orders = createPurchaseOrderSource(
    dependencies.db,
    dependencies.purchaseOrders,
    dependencies.suppliers,
  );
  switch (name) {
    case 'sap-ecc':
      return {
        name,
        services: [
          createSapEccService({ orders, patch: dependencies.patch, suppliers: dependencies.suppliers }),
        ],
        authentication: { kind: 'none' },
      };
    case 'oracle-ebs':
      return {
        name,
        services: [
          createEbsQueryService(orders),
          createEbsUpdateService({ orders, patch: dependencies.patch }),
          createEbsSupplierService(dependencies.suppliers),
        ],
        authentication: { kind: 'none' },
      };
    case 'dynamics-ax':
      return {
        name,
        services: [
          createAxDocumentService({ orders, patch: dependencies.patch }),
          createAxVendorService(dependencies.suppliers),
        ],
        authentication: { kind: 'ntlm', account: dependencies.windowsAccount },
      };
  }
}
