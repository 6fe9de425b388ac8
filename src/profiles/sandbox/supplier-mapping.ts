import { Supplier } from '../../canonical/index.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { padWithZeros, parseDecimal, stripLeadingZeros, trimPadded } from '../legacy-formats.ts';
import { readField } from '../map-fields.ts';

const ENTITY = 'suppliers';

/** Sandbox `suppliers` ⇄ canonical Supplier (on-time percentage with a decimal comma → rate 0..1). */
export const sandboxSupplierMapping: EntityMapping<Supplier> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const field = <T>(name: string, convert: (value: unknown) => T) =>
      readField(record, ENTITY, name, convert);
    const supplier = {
      id: field('supplier_id', stripLeadingZeros),
      name: field('name', trimPadded),
      country: field('country', trimPadded),
      leadTimeDays: field('lead_time_days', parseDecimal),
      onTimeRate: field('on_time_pct', (value) => parseDecimal(value) / 100),
    };
    const parsed = Supplier.safeParse(supplier);
    if (!parsed.success) {
      const [issue] = parsed.error.issues;
      throw new ErpError('validation', `record does not fit Supplier: ${issue?.message ?? 'invalid'}`, {
        entity: ENTITY,
        key: record.key,
        field: issue?.path.join('.') ?? '',
      });
    }
    return parsed.data;
  },

  toVendorKey: (id) => padWithZeros(id, 10),

  toVendorFields() {
    throw new ErpError('validation', 'suppliers are read-only in the sandbox profile', { entity: ENTITY });
  },
};
