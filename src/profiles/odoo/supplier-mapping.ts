import { Supplier } from '../../canonical/index.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { FormatError } from '../legacy-formats.ts';
import { readCanonical } from '../map-fields.ts';
import { number, text } from './odoo-values.ts';

const ENTITY = 'suppliers';

/**
 * Odoo keeps vendor lead times per product (`product.supplierinfo.delay`) and already plans each
 * order's `date_planned` with them; the partner has none. The profile therefore reports 0 days and
 * lets the planned date carry the lead time.
 */
export const ODOO_LEAD_TIME_DAYS = 0;

/** `on_time_rate` (purchase_stock) is a percentage; Odoo reports a negative rate when it has no receipts to judge by. */
function onTimeRate(value: unknown): number {
  const percent = number(value);
  if (percent < 0) throw new FormatError('Odoo has no on-time figures for this vendor yet');
  return Math.min(1, percent / 100);
}

/**
 * Odoo `res.partner` (vendors: `supplier_rank > 0`) ⇄ canonical Supplier: id = the partner's id,
 * on-time rate from `on_time_rate`. A vendor Odoo has no on-time figures for is not read as a
 * supplier, so its orders are judged as from an unknown one.
 */
export const odooSupplierMapping: EntityMapping<Supplier> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const { data } = record;
    return readCanonical(Supplier, 'Supplier', ENTITY, record, (reader) => ({
      id: record.key,
      name: reader.read(data, 'name', text),
      country: reader.read(data, 'country_code', text),
      leadTimeDays: ODOO_LEAD_TIME_DAYS,
      onTimeRate: reader.read(data, 'on_time_rate', onTimeRate),
    }));
  },

  toVendorKey: (id) => id,

  toVendorFields() {
    throw new ErpError('validation', 'suppliers are read-only in the odoo profile', { entity: ENTITY });
  },
};
