import { Supplier } from '../../canonical/index.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { FormatError, padWithZeros, stripLeadingZeros } from '../legacy-formats.ts';
import { readCanonical } from '../map-fields.ts';
import { sapText } from './sap-formats.ts';
import { VENDOR_ENTITY } from './vendor-table.ts';

/** A number as ABAP's WRITE prints it: `' 87,5'` (decimal comma) or `'87.5'`; no thousands separators. */
function writtenNumber(value: unknown): number {
  const text = sapText(value);
  const match = /^(\d+)(?:[.,](\d+))?$/.exec(text);
  if (match === null) throw new FormatError(`expected a number, got ${JSON.stringify(value)}`);
  return Number(`${match[1]}.${match[2] ?? '0'}`);
}

/**
 * SAP ECC `Vendor` (a row of the vendor view: LIFNR, NAME1, LAND1, PLIFZ, OTDPCT) ⇄ canonical
 * Supplier: lead time = the planned delivery time in days (LFM1-PLIFZ), on-time rate = OTDPCT / 100.
 */
export const sapSupplierMapping: EntityMapping<Supplier> = {
  vendorEntity: VENDOR_ENTITY,

  toCanonical(record) {
    const { data } = record;
    return readCanonical(Supplier, 'Supplier', VENDOR_ENTITY, record, (reader) => ({
      id: reader.read(data, 'LIFNR', stripLeadingZeros),
      name: reader.read(data, 'NAME1', sapText),
      country: reader.read(data, 'LAND1', sapText),
      leadTimeDays: reader.read(data, 'PLIFZ', writtenNumber),
      onTimeRate: reader.read(data, 'OTDPCT', writtenNumber) / 100,
    }));
  },

  toVendorKey: (id) => padWithZeros(id, 10),

  toVendorFields() {
    throw new ErpError('validation', 'vendors are read-only in the sap-ecc profile', {
      entity: VENDOR_ENTITY,
    });
  },
};
