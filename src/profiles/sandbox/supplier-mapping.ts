import { Supplier } from '../../canonical/index.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { padWithZeros, parseDecimal, stripLeadingZeros, trimPadded } from '../legacy-formats.ts';
import { readCanonical } from '../map-fields.ts';

const ENTITY = 'suppliers';

/** Sandbox `suppliers` ⇄ canonical Supplier (on-time percentage with a decimal comma → rate 0..1). */
export const sandboxSupplierMapping: EntityMapping<Supplier> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const { data } = record;
    return readCanonical(Supplier, 'Supplier', ENTITY, record, (reader) => ({
      id: reader.read(data, 'supplier_id', stripLeadingZeros),
      name: reader.read(data, 'name', trimPadded),
      country: reader.read(data, 'country', trimPadded),
      leadTimeDays: reader.read(data, 'lead_time_days', parseDecimal),
      onTimeRate: reader.read(data, 'on_time_pct', parseDecimal) / 100,
    }));
  },

  toVendorKey: (id) => padWithZeros(id, 10),

  toVendorFields() {
    throw new ErpError('validation', 'suppliers are read-only in the sandbox profile', { entity: ENTITY });
  },
};
