import { Supplier } from '../../canonical/index.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { readCanonical } from '../map-fields.ts';
import { ebsKey, ebsText, field, parseEbsNumber, rowsOf } from './ebs-values.ts';

/**
 * Oracle EBS `AP_SUPPLIERS` (with AP_SUPPLIER_SITES_ALL, as the database adapter nests them) ⇄
 * canonical Supplier. The id is VENDOR_ID — what PO_HEADERS_ALL.VENDOR_ID points at — not the
 * supplier number SEGMENT1. EBS has no supplier columns for the figures urgency depends on, so the
 * profile reads them from the supplier's descriptive flexfield: ATTRIBUTE1 "Lead time (days)",
 * ATTRIBUTE2 "On-time delivery %" (docs/erp/oracle-ebs.md says how to define and fill them). The
 * country is the first purchasing site's.
 */

/** The vendor entity: the table the supplier query starts from. */
export const EBS_SUPPLIER_ENTITY = 'AP_SUPPLIERS';
/** The DFF segment holding the supplier's lead time in days. */
export const EBS_LEAD_TIME_COLUMN = 'attribute1';
/** The DFF segment holding the supplier's on-time delivery percentage. */
export const EBS_ON_TIME_COLUMN = 'attribute2';

/** The country of the supplier's first purchasing site (or first site, when none is flagged). */
function siteCountry(collection: unknown): string {
  const sites = rowsOf(field(collection, 'ApSupplierSitesAll'));
  const purchasing = sites.find((site) => ebsText(field(site, 'purchasingSiteFlag')).toUpperCase() === 'Y');
  return ebsText(field(purchasing ?? sites[0], 'country'));
}

/** EBS `AP_SUPPLIERS` ⇄ canonical Supplier (read only). */
export const oracleEbsSupplierMapping: EntityMapping<Supplier> = {
  vendorEntity: EBS_SUPPLIER_ENTITY,

  toCanonical(record) {
    const { data } = record;
    return readCanonical(Supplier, 'Supplier', EBS_SUPPLIER_ENTITY, record, (reader) => ({
      id: reader.read(data, 'vendorId', ebsKey),
      name: reader.read(data, 'vendorName', ebsText),
      country: reader.read(data, 'apSupplierSitesAllCollection', siteCountry),
      leadTimeDays: reader.read(data, EBS_LEAD_TIME_COLUMN, parseEbsNumber),
      onTimeRate: reader.read(data, EBS_ON_TIME_COLUMN, parseEbsNumber) / 100,
    }));
  },

  toVendorKey: (id) => id,

  toVendorFields() {
    throw new ErpError('validation', 'suppliers are read-only in the oracle-ebs profile', {
      entity: EBS_SUPPLIER_ENTITY,
    });
  },
};
