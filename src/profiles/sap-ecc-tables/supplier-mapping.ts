import { Supplier } from '../../canonical/index.ts';
import { readDecimal, readText } from '../../connectors/sql/column-values.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { padWithZeros, stripLeadingZeros, trimPadded } from '../legacy-formats.ts';
import { FieldReader, validateCanonical } from '../map-fields.ts';

const ENTITY = 'suppliers';

/**
 * SAP vendors: LFA1 (name, country) with LFM1's planned delivery time PLIFZ (days) for the
 * purchasing organisation, and the on-time percentage from the customer table ZMM_VEND_OTD.
 */
export const sapEccTablesSupplierMapping: EntityMapping<Supplier> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const reader = new FieldReader(ENTITY, record.key);
    const { data } = record;
    let supplier: Supplier;
    try {
      supplier = {
        id: reader.read(data, 'LIFNR', stripLeadingZeros),
        name: reader.read(data, 'NAME1', readText),
        country: reader.read(data, 'LAND1', trimPadded),
        leadTimeDays: reader.read(data, 'PLIFZ', readDecimal),
        onTimeRate: reader.read(data, 'OTDPCT', readDecimal) / 100,
      };
    } catch (error) {
      throw reader.failure(error);
    }
    return validateCanonical(Supplier, 'Supplier', supplier, { entity: ENTITY, key: record.key });
  },

  toVendorKey: (id) => padWithZeros(id, 10),

  toVendorFields() {
    throw new ErpError('validation', 'the sap-ecc-tables profile reads SAP tables and writes nothing', {
      entity: ENTITY,
    });
  },
};
