import type { PurchaseOrder } from '../canonical/purchase-order.ts';
import type { Supplier } from '../canonical/supplier.ts';
import type { VendorRecord } from '../connectors/contract.ts';

/**
 * One entity's mapping between the ERP's record and the canonical shape, both ways.
 * `toCanonical` throws an ErpError of kind `validation` naming the record and field it could not read.
 */
export interface EntityMapping<Canonical> {
  /** The ERP's name for the entity, as the connector knows it (e.g. `purchase_orders`). */
  vendorEntity: string;
  toCanonical(record: VendorRecord): Canonical;
  /** Canonical id → the key the ERP expects (e.g. zero padded). */
  toVendorKey(id: string): string;
  /** Canonical field values → vendor fields to write; only writable fields are accepted. */
  toVendorFields(fields: Partial<Canonical>): Record<string, unknown>;
}

/** A preset for one ERP product: its mappings to canonical entities. */
export interface Profile {
  name: string;
  purchaseOrder: EntityMapping<PurchaseOrder>;
  supplier: EntityMapping<Supplier>;
  /**
   * Further entities by canonical name (`invoice`, `goodsReceipt`, `expenseLine`), where the ERP has
   * them; each maps its own canonical type, which `profileEntity` narrows to.
   */
  entities?: Readonly<Record<string, EntityMapping<{ id: string; version: string | null }>>>;
}
