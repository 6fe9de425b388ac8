import { Supplier } from '../../canonical/index.ts';
import { readDecimal, readText } from '../../connectors/sql/column-values.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { FieldReader, validateCanonical } from '../map-fields.ts';

const ENTITY = 'suppliers';

/**
 * EBS suppliers: AP_SUPPLIERS (number SEGMENT1, VENDOR_NAME) with the purchasing site's COUNTRY;
 * lead time and on-time percentage are the supplier flexfield segments ATTRIBUTE1 and ATTRIBUTE2.
 */
export const oracleEbsTablesSupplierMapping: EntityMapping<Supplier> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const reader = new FieldReader(ENTITY, record.key);
    const { data } = record;
    let supplier: Supplier;
    try {
      supplier = {
        id: reader.read(data, 'SEGMENT1', readText),
        name: reader.read(data, 'VENDOR_NAME', readText),
        country: reader.read(data, 'COUNTRY', readText),
        leadTimeDays: reader.read(data, 'ATTRIBUTE1', readDecimal),
        onTimeRate: reader.read(data, 'ATTRIBUTE2', readDecimal) / 100,
      };
    } catch (error) {
      throw reader.failure(error);
    }
    return validateCanonical(Supplier, 'Supplier', supplier, { entity: ENTITY, key: record.key });
  },

  toVendorKey: (id) => id,

  toVendorFields() {
    throw new ErpError('validation', 'the oracle-ebs-tables profile reads EBS tables and writes nothing', {
      entity: ENTITY,
    });
  },
};
