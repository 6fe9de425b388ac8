import { Supplier } from '../../canonical/index.ts';
import { readDecimal, readText } from '../../connectors/sql/column-values.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { stripLeadingZeros } from '../legacy-formats.ts';
import { FieldReader, validateCanonical } from '../map-fields.ts';

const ENTITY = 'suppliers';

/** The VENDOR table: name, country, lead days and on-time percentage. */
export const legacySqlServerSupplierMapping: EntityMapping<Supplier> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const reader = new FieldReader(ENTITY, record.key);
    const { data } = record;
    let supplier: Supplier;
    try {
      supplier = {
        id: reader.read(data, 'VENDOR_ID', stripLeadingZeros),
        name: reader.read(data, 'VENDOR_NAME', readText),
        country: reader.read(data, 'COUNTRY', readText),
        leadTimeDays: reader.read(data, 'LEAD_DAYS', readDecimal),
        onTimeRate: reader.read(data, 'ONTIME_PCT', readDecimal) / 100,
      };
    } catch (error) {
      throw reader.failure(error);
    }
    return validateCanonical(Supplier, 'Supplier', supplier, { entity: ENTITY, key: record.key });
  },

  toVendorKey: (id) => id,

  toVendorFields() {
    throw new ErpError('validation', 'the legacy-sqlserver profile reads the tables and writes nothing', {
      entity: ENTITY,
    });
  },
};
